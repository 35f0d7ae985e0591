import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { contractAggregate } from '../../commands/handlers/contract.ts';
import { orgAggregate } from '../../commands/handlers/org.ts';
import { knownActions } from '../../commands/known-actions.ts';
import type { CommandPipeline } from '../../commands/pipeline.ts';
import type { PreAppendCheck } from '../../commands/pre-append-check.ts';
import { contractDecider, contractStream } from '../../domain/contract/decider.ts';
import type { Principal } from '../../domain/shared/principal.ts';
import { systemPrincipal } from '../../domain/shared/principal.ts';
import { StreamNotFoundError } from '../../infra/eventstore/errors.ts';
import { collect } from '../support/async.ts';
import { asSubject, ok, refused } from '../support/governance-fixtures.ts';
import { admin, commandId, pipelineOn, registerOrg, tempStore } from '../support/pipeline.ts';
import { governedStore } from '../support/governed-store.ts';

const allowAll: PreAppendCheck = async () => ({ allowed: true });
const now = new Date('2026-11-27T12:00:00.000Z');
const dueAt = '2026-12-04T12:00:00.000Z';

/** Drives one contract through a pipeline in the words of the domain; every call is a new command id unless given one. */
function contracts(pipeline: CommandPipeline, orgId: string, contractId: string) {
  const run = (type: string, data: Record<string, unknown>, principal: Principal = admin, id = commandId()) =>
    pipeline.execute(contractAggregate, { type, data: { contractId, orgId, ...data } }, { commandId: id, principal });
  return {
    draft: (assigneeSubjectId: string, extra: Record<string, unknown> = {}, principal?: Principal) =>
      run(
        'DraftContract',
        {
          jobId: randomUUID(),
          assigneeSubjectId,
          permittedActions: ['task.*'],
          permittedTools: ['web.search'],
          obligations: [{ obligationId: 'final', description: 'Deliver the summary', dueAt }],
          escalateTo: 'board',
          ...extra,
        },
        principal,
      ),
    sign: (party: 'org' | 'assignee', principal: Principal, id?: string) => run('SignContract', { party }, principal, id),
    run,
  };
}

describe('contract commands through the pipeline', () => {
  it('registers every contract action as a known action, so policies may name them', () => {
    expect(knownActions()).toEqual(expect.arrayContaining([...contractAggregate.actions]));
    expect([...contractAggregate.actions].sort()).toEqual([
      'contract.breach.record',
      'contract.draft',
      'contract.fulfil',
      'contract.obligation.extend',
      'contract.reject',
      'contract.review',
      'contract.sign',
      'contract.terminate',
    ]);
  });

  it('drafts, is signed by the assignee and by the org, and activates; a repeated command id changes nothing', async () => {
    const store = tempStore();
    const { pipeline } = pipelineOn(store, { check: allowAll, clock: () => now });
    const orgId = randomUUID();
    const contractId = randomUUID();
    const assigneeId = randomUUID();
    ok(await pipeline.execute(orgAggregate, registerOrg(orgId), { commandId: commandId(), principal: admin }));
    const contract = contracts(pipeline, orgId, contractId);

    const drafted = ok(
      await contract.draft(assigneeId, { obligations: [{ obligationId: 'final', description: 'Deliver', dueAt: '2026-12-04T13:00:00+01:00' }] }),
    );
    expect(drafted.events.map((event) => event.type)).toEqual(['ContractDrafted']);
    expect(drafted.events[0]?.data).toMatchObject({ draftedBy: admin, draftedAt: now.toISOString(), obligations: [{ dueAt }] });
    const byAssignee = ok(await contract.sign('assignee', asSubject(assigneeId)));
    expect(byAssignee.events.map((event) => event.type)).toEqual(['ContractSigned']);

    const orgSignature = commandId();
    const activated = ok(await contract.sign('org', systemPrincipal, orgSignature));
    expect(activated.events.map((event) => event.type)).toEqual(['ContractSigned', 'ContractActivated']);
    expect(activated.events[1]?.data).toMatchObject({ contractId, orgId, assigneeSubjectId: assigneeId, activatedAt: now.toISOString() });

    const head = await store.headPosition();
    const again = ok(await contract.sign('org', systemPrincipal, orgSignature));
    expect(again).toEqual({ ...activated, replayed: true });
    expect(await store.headPosition()).toBe(head);

    const events = await collect(store.readStream(contractStream(contractId)));
    expect(events.map((event) => event.type)).toEqual(['ContractDrafted', 'ContractSigned', 'ContractSigned', 'ContractActivated']);
    expect(events.every((event) => event.metadata.schemaVersion === 1 && event.metadata.orgId === orgId)).toBe(true);

    // A new command id signing again is a new command, refused by the contract: it is not a replay.
    expect(refused(await contract.sign('org', systemPrincipal))).toMatchObject({ kind: 'conflict', code: 'ILLEGAL_TRANSITION', details: { status: 'active' } });

    const { loader } = pipelineOn(store);
    const { state } = await loader.load(contractDecider, contractStream(contractId));
    expect(state).toMatchObject({
      status: 'active',
      activatedAt: now.toISOString(),
      signatures: { assignee: { signedBy: asSubject(assigneeId) }, org: { signedBy: systemPrincipal } },
    });
  });

  it('refuses domain errors and malformed input with nothing appended', async () => {
    const store = tempStore();
    const { pipeline } = pipelineOn(store, { check: allowAll, clock: () => now });
    const orgId = randomUUID();
    const contractId = randomUUID();
    const assigneeId = randomUUID();
    const contract = contracts(pipeline, orgId, contractId);
    ok(await contract.draft(assigneeId));
    const head = await store.headPosition();

    expect(refused(await contract.sign('assignee', admin))).toMatchObject({ kind: 'forbidden', code: 'NOT_THE_ASSIGNEE' });
    expect(refused(await contract.sign('org', asSubject(assigneeId)))).toMatchObject({ kind: 'forbidden', code: 'ASSIGNEE_ACTS_FOR_ORG' });
    expect(refused(await contract.draft(assigneeId))).toMatchObject({ kind: 'conflict', code: 'CONTRACT_ALREADY_EXISTS' });
    expect(refused(await contracts(pipeline, randomUUID(), contractId).sign('org', admin))).toMatchObject({ kind: 'not_found', code: 'CONTRACT_NOT_FOUND' });
    expect(
      refused(
        await contracts(pipeline, orgId, randomUUID()).draft(assigneeId, {
          obligations: [{ obligationId: 'late', description: 'x', dueAt: '2026-11-27T11:00:00Z' }],
        }),
      ),
    ).toMatchObject({
      kind: 'unprocessable',
      code: 'DUE_AT_IN_PAST',
    });
    const invalid = refused(await contract.run('SignContract', { party: 'witness' }));
    expect(invalid).toMatchObject({ kind: 'invalid', code: 'VALIDATION_FAILED' });
    expect(refused(await contracts(pipeline, orgId, randomUUID()).draft(assigneeId, { verifierSubjectIds: [assigneeId] }))).toMatchObject({
      code: 'VALIDATION_FAILED',
    });
    expect(await store.headPosition()).toBe(head);
  });
});

describe('contract signatures under an org policy', () => {
  it('lets the policy say who may sign, while the contract decides which subject is which party', async () => {
    const { store, pipeline, g } = governedStore({ clock: () => now });
    const orgId = await g.registerOrg('agency');
    const [writer, otherWriter, clerk] = [await g.registerSubject('writer'), await g.registerSubject('other'), await g.registerSubject('clerk')];
    ok(await g.defineRole(orgId, { name: 'worker' }));
    ok(await g.defineRole(orgId, { name: 'signer' }));
    ok(await g.grant(orgId, writer, 'worker'));
    ok(await g.grant(orgId, otherWriter, 'worker'));
    ok(await g.grant(orgId, clerk, 'signer'));
    await g.publishPolicy(orgId, [
      {
        id: 'workers-sign-for-themselves',
        effect: 'permit',
        actions: ['contract.sign'],
        roles: ['worker'],
        when: 'command.data.party == "assignee"',
        reason: 'an agent consents to its own work',
      },
      {
        id: 'signers-sign-for-the-org',
        effect: 'permit',
        actions: ['contract.sign'],
        roles: ['signer'],
        when: 'command.data.party == "org"',
        reason: 'the clerk signs for the org',
      },
    ]);
    const contractId = randomUUID();
    const contract = contracts(pipeline, orgId, contractId);
    ok(await contract.draft(writer));

    // The policy lets any worker sign for the assignee; the contract lets only its assignee.
    expect(refused(await contract.sign('assignee', asSubject(otherWriter)))).toMatchObject({ kind: 'forbidden', code: 'NOT_THE_ASSIGNEE' });
    expect(refused(await contract.sign('org', asSubject(writer)))).toMatchObject({ code: 'POLICY_DENIED', details: { action: 'contract.sign' } });
    const first = ok(await contract.sign('assignee', asSubject(writer)));
    expect(first.events.map((event) => event.type)).toEqual(['DecisionRecorded', 'ContractSigned']);
    expect(first.events[0]?.data).toMatchObject({ outcome: 'permitted', action: 'contract.sign', determiningRuleIds: ['workers-sign-for-themselves'] });
    const second = ok(await contract.sign('org', asSubject(clerk)));
    expect(second.events.map((event) => event.type)).toEqual(['DecisionRecorded', 'ContractSigned', 'ContractActivated']);

    const { state } = await pipelineOn(store).loader.load(contractDecider, contractStream(contractId));
    expect(state).toMatchObject({ status: 'active', signatures: { assignee: { signedBy: asSubject(writer) }, org: { signedBy: asSubject(clerk) } } });
  });

  it('denies by default a subject outside the org, and appends nothing to the contract', async () => {
    const { store, pipeline, g } = governedStore({ clock: () => now });
    const orgId = await g.registerOrg('closed');
    const outsider = await g.registerSubject('outsider');
    const contractId = randomUUID();
    expect(refused(await contracts(pipeline, orgId, contractId).draft(outsider, {}, asSubject(outsider)))).toMatchObject({ code: 'POLICY_DENIED' });
    await expect(collect(store.readStream(contractStream(contractId)))).rejects.toThrow(StreamNotFoundError);
  });
});
