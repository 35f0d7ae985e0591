import { describe, expect, it } from 'vitest';
import { required } from '../../domain/shared/required.ts';
import { collect } from '../support/async.ts';
import { asSubject, ok, refused } from '../support/governance-fixtures.ts';
import { orgAggregate } from '../../commands/handlers/org.ts';
import { governedStore } from '../support/governed-store.ts';

async function setup() {
  const { store, pipeline, g } = governedStore();
  const orgId = await g.registerOrg('lab');
  const alice = await g.registerSubject('alice');
  const bob = await g.registerSubject('bob');
  ok(await g.defineRole(orgId, { name: 'editor', permissions: ['roster.role.grant'] }));
  ok(await g.defineRole(orgId, { name: 'writer' }));
  ok(await g.grant(orgId, alice, 'editor'));
  return { store, pipeline, g, orgId, alice, bob };
}

describe('policy enforcement before every append', () => {
  it('records the permitting decision in the same append as the change', async () => {
    const { store, orgId } = await setup();
    const roster = await collect(store.readStream(`roster-${orgId}`));
    const types = roster.map((event) => event.type);
    expect(types).toEqual(['DecisionRecorded', 'RoleDefined', 'DecisionRecorded', 'RoleDefined', 'DecisionRecorded', 'RoleGranted']);
    const [lastDecision, lastChange] = roster.slice(-2);
    const decision = required(lastDecision, 'the decision');
    const change = required(lastChange, 'the change');
    expect(decision.data).toMatchObject({
      outcome: 'permitted',
      action: 'roster.role.grant',
      determiningRuleIds: ['default:owner-manages-org', 'platform:admins-administer'],
    });
    expect(change.metadata.decisionId).toBe(decision.data.decisionId);
    expect(decision.position).toBe(change.position - 1n);
  });

  it('denies by default: a subject acting without a permitting rule gets a not-permitted decision, recorded in audit-<org>', async () => {
    const { store, g, orgId, alice } = await setup();
    const before = await collect(store.readStream(`org-${orgId}`));
    const denied = refused(await g.updateOrg(orgId, 'mine now', asSubject(alice)));
    expect(denied).toMatchObject({
      kind: 'forbidden',
      code: 'POLICY_DENIED',
      details: { outcome: 'not-permitted', action: 'org.update', policy: { source: 'default' } },
    });
    expect(await collect(store.readStream(`org-${orgId}`))).toHaveLength(before.length);
    const [audit] = await collect(store.readStream(`audit-${orgId}`));
    expect(audit).toMatchObject({
      type: 'DecisionRecorded',
      data: { outcome: 'not-permitted', orgId, request: { principal: { id: alice, roles: ['editor'] } } },
    });
  });

  it("applies the org's published policy over the principal's effective roles", async () => {
    const { store, g, orgId, alice, bob } = await setup();
    await g.publishPolicy(orgId, [
      { id: 'editors-grant', effect: 'permit', actions: ['roster.role.grant'], roles: ['editor'], reason: 'editors staff the org' },
    ]);
    const granted = ok(await g.grant(orgId, bob, 'writer', asSubject(alice)));
    const decision = granted.events.find((event) => event.type === 'DecisionRecorded');
    expect(decision?.data).toMatchObject({ outcome: 'permitted', determiningRuleIds: ['editors-grant'], policy: { source: 'org', version: 1 } });
    // The policy permits editors to grant, but no one grants a role to themselves: the roster's invariant holds.
    expect(refused(await g.grant(orgId, alice, 'writer', asSubject(alice)))).toMatchObject({ code: 'SELF_GRANT' });
    // Bob, a writer, is not an editor.
    expect(refused(await g.grant(orgId, alice, 'writer', asSubject(bob)))).toMatchObject({ code: 'POLICY_DENIED', details: { outcome: 'not-permitted' } });
    // Both decisions are recorded: the permit of the self-grant the roster then refused (nothing changed, so it
    // goes to the audit stream), and Bob's denial.
    const audit = await collect(store.readStream(`audit-${orgId}`));
    expect(audit.map((event) => [event.data.outcome, event.data.action])).toEqual([
      ['permitted', 'roster.role.grant'],
      ['not-permitted', 'roster.role.grant'],
    ]);
  });

  it('lets a forbid override every permit, with its reason and escalation path', async () => {
    const { g, orgId, alice, bob } = await setup();
    await g.publishPolicy(orgId, [
      { id: 'editors-grant', effect: 'permit', actions: ['roster.*'], roles: ['editor'], reason: 'editors staff the org' },
      {
        id: 'no-weekend-grants',
        effect: 'forbid',
        actions: ['roster.role.grant'],
        when: 'command.data.role == "writer"',
        reason: 'writers are hired by the board',
        escalateTo: 'board',
      },
    ]);
    const denied = refused(await g.grant(orgId, bob, 'writer', asSubject(alice)));
    expect(denied).toMatchObject({
      code: 'POLICY_DENIED',
      message: 'writers are hired by the board',
      details: { outcome: 'forbidden', determiningRuleIds: ['no-weekend-grants'], escalateTo: 'board' },
    });
  });

  it('governs platform admins by the platform policy, so an org can forbid even them', async () => {
    const { g, orgId, bob } = await setup();
    await g.publishPolicy(orgId, [{ id: 'frozen', effect: 'forbid', actions: ['roster.role.grant'], reason: 'staffing is frozen' }]);
    expect(refused(await g.grant(orgId, bob, 'writer'))).toMatchObject({ details: { outcome: 'forbidden', determiningRuleIds: ['frozen'] } });
  });

  it('gives a subject nothing in an org where it holds no role', async () => {
    const { g, alice, bob } = await setup();
    const other = await g.registerOrg('other');
    ok(await g.defineRole(other, { name: 'writer' }));
    expect(refused(await g.grant(other, bob, 'writer', asSubject(alice)))).toMatchObject({ code: 'POLICY_DENIED', details: { outcome: 'not-permitted' } });
  });

  it('lets a subject found an org and manage it as its owner under the default policy; others cannot', async () => {
    const { g } = governedStore();
    const founder = await g.registerSubject('founder');
    const stranger = await g.registerSubject('stranger');
    const orgId = await g.registerOrg('founded', asSubject(founder));
    const updated = ok(await g.updateOrg(orgId, 'by its owner', asSubject(founder)));
    expect(updated.events[0]?.data).toMatchObject({ outcome: 'permitted', determiningRuleIds: ['default:owner-manages-org'] });
    expect(refused(await g.updateOrg(orgId, 'by a stranger', asSubject(stranger)))).toMatchObject({ code: 'POLICY_DENIED' });
  });
});

describe('decisions are never dropped', () => {
  it('records a denial again when a retried command is decided differently, with the decision id it answered', async () => {
    const { store, pipeline, g } = governedStore();
    const orgId = await g.registerOrg('retried');
    const outsider = await g.registerSubject('outsider');
    const key = { commandId: 'retry-denied-update-1', principal: asSubject(outsider), retryable: true } as const;
    const update = (description: string) => ({ type: 'UpdateOrgMetadata', data: { orgId, description } });
    const first = refused(await pipeline.execute(orgAggregate, update('one'), key));
    ok(await g.updateOrg(orgId, 'moved on'));
    const second = refused(await pipeline.execute(orgAggregate, update('one'), key));
    // An outsider's refusals are recorded in its own audit stream, never in the org's.
    const audit = await collect(store.readStream(`audit-outsider.${outsider}`));
    expect(audit.map((event) => event.data.decisionId)).toEqual([first.details.decisionId, second.details.decisionId]);
  });
});
