import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { reevaluateOrg, whatIfOrg } from '../../commands/audit/replay.ts';
import type { DecisionRecordedData } from '../../domain/policy/decision-events.ts';
import { collect } from '../support/async.ts';
import { ok, refused } from '../support/governance-fixtures.ts';
import type { JsonObject } from '../../domain/shared/json-value.ts';
import { governedStore } from '../support/governed-store.ts';

/**
 * A grant the policy permits and the roster refuses (the role is full) is in the log as what it was: a permit whose
 * command was refused by the org's structure, with the code the caller got; re-evaluation decides it again to the
 * same refusal, and a what-if with the role's maxHolders raised shows it would have been applied.
 */
describe('a refusal by the org structure in the audit', () => {
  async function fullRole() {
    const { store, registry, g } = governedStore();
    const orgId = await g.registerOrg('full-role');
    ok(await g.defineRole(orgId, { name: 'reviewer', maxHolders: 3, assignmentType: 'dynamic_multi_subject' }));
    const subjects = [];
    for (let n = 0; n < 4; n += 1) subjects.push(await g.registerSubject(`agent-${n}`));
    for (const subjectId of subjects.slice(0, 3)) ok(await g.grant(orgId, subjectId, 'reviewer'));
    const refusal = refused(await g.grant(orgId, subjects[3] as string, 'reviewer'));
    const decisions = async (streamId: string) =>
      (await collect(store.readStream(streamId)))
        .filter((event) => event.type === 'DecisionRecorded')
        .map((event) => registry.decode(event.type, event.data, event.metadata).data as DecisionRecordedData);
    return { store, registry, orgId, refusal, decisions, source: { store, registry } };
  }

  it('records the permit with the refusal as its result, in audit-<orgId>, and each applied grant as applied', async () => {
    const { orgId, refusal, decisions } = await fullRole();
    expect(refusal).toMatchObject({ kind: 'conflict', code: 'ROLE_MAX_HOLDERS' });

    const audit = await decisions(`audit-${orgId}`);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      action: 'roster.role.grant',
      outcome: 'permitted',
      result: { status: 'refused-by-structure', kind: 'conflict', code: 'ROLE_MAX_HOLDERS', message: refusal.message, basis: { streamId: `roster-${orgId}` } },
    });

    const roster = await decisions(`roster-${orgId}`);
    const grants = roster.filter((decision) => decision.action === 'roster.role.grant');
    expect(grants).toHaveLength(3);
    for (const grant of grants) expect(grant.result).toMatchObject({ status: 'applied', basis: { streamId: `roster-${orgId}` } });
  });

  it('re-evaluation decides the refusal again on the roster it met and agrees', async () => {
    const { orgId, source } = await fullRole();
    const report = await reevaluateOrg(source, orgId);
    expect(report.counts.differed).toBe(0);
    expect(report.structure).toMatchObject({ checked: 1, agreed: 1, differed: 0, notReplayed: 0 });
  });

  it('what-if with maxHolders raised to 4 flips exactly that refusal; lowered to 2 refuses the third grant', async () => {
    const { orgId, source, decisions } = await fullRole();
    const [refusedDecision] = await decisions(`audit-${orgId}`);

    const raised = await whatIfOrg(source, orgId, null, {}, { roles: { reviewer: { maxHolders: 4 } } });
    // Every roster command decided again: the role's definition, three grants, the refused one.
    expect(raised.structure).toMatchObject({ evaluated: 5, flipped: 1, nowApplied: 1, nowRefused: 0, notReplayed: 0 });
    expect(raised.structure.flips).toEqual([
      expect.objectContaining({
        decisionId: refusedDecision?.decisionId,
        effect: 'now-applied',
        result: { status: 'refused-by-structure', code: 'ROLE_MAX_HOLDERS' },
        hypothetical: { status: 'applied', code: null },
      }),
    ]);
    // No draft policy: the policy part evaluated nothing.
    expect(raised).toMatchObject({ draft: null, evaluated: 0, flipped: 0 });

    const lowered = await whatIfOrg(source, orgId, null, {}, { roles: { reviewer: { maxHolders: 2 } } });
    expect(lowered.structure).toMatchObject({ evaluated: 5, flipped: 1, nowApplied: 0, nowRefused: 1 });
    expect(lowered.structure.flips[0]).toMatchObject({ effect: 'now-refused', hypothetical: { status: 'refused-by-structure', code: 'ROLE_MAX_HOLDERS' } });
  });

  it('a refusal recorded with a code the roster does not give is reported as differing', async () => {
    const { store, registry, orgId, source, decisions } = await fullRole();
    const [recorded] = await decisions(`audit-${orgId}`);
    if (recorded?.result.status !== 'refused-by-structure') throw new Error('expected the recorded refusal');
    // A forged record: the same refusal, but claiming another code.
    const forged = { ...recorded, decisionId: `${recorded.decisionId}-forged`, result: { ...recorded.result, code: 'ROLE_CONFLICT' } };
    const encoded = registry.encode('DecisionRecorded', forged);
    await store.appendToStream(`audit-${orgId}`, [
      {
        id: randomUUID(),
        type: 'DecisionRecorded',
        data: encoded.data as JsonObject,
        metadata: { schemaVersion: encoded.schemaVersion, orgId, commandId: 'forged' },
      },
    ]);
    const report = await reevaluateOrg(source, orgId);
    expect(report.structure).toMatchObject({ checked: 2, agreed: 1, differed: 1 });
    expect(report.differed).toEqual([
      expect.objectContaining({
        decisionId: forged.decisionId,
        differences: [{ field: 'result', recorded: 'refused-by-structure ROLE_CONFLICT', replayed: 'refused-by-structure ROLE_MAX_HOLDERS' }],
      }),
    ]);
  });
});
