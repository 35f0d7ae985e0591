import { beforeAll, describe, expect, it } from 'vitest';
import { useTestServer } from '../support/api-server.ts';

/** What a refusal tells its caller: a member the rules that decided its request; an outsider nothing of the org. */
describe('refusals told to their audience', () => {
  const { server, api } = useTestServer();
  let orgId: string;
  let member: { id: string; key: string };
  let outsider: { id: string; key: string };
  const freeze = {
    id: 'merger-freeze',
    effect: 'forbid',
    actions: ['org.update'],
    when: 'org.metadata.tier == "gold"',
    reason: 'merger with ACME planned',
    escalateTo: 'board',
  };
  const membersSeeOrg = { id: 'members-see-org', effect: 'permit', actions: ['org.read'], when: 'size(principal.roles) > 0', reason: 'members see the org' };
  const membersUpdate = { id: 'members-update', effect: 'permit', actions: ['org.update'], when: 'size(principal.roles) > 0', reason: 'members edit the org' };

  beforeAll(async () => {
    orgId = (await api.expectStatus(await api.post('/orgs', { name: 'Gold org', slug: 'gold-org', metadata: { tier: 'gold' }, tags: ['confidential'] }), 201))
      .orgId;
    await api.defineRole(orgId, { name: 'staff' });
    member = await api.subjectWithKey('member');
    outsider = await api.subjectWithKey('outsider');
    await api.expectStatus(await api.grant(orgId, member.id, 'staff'), 201);
  });

  it('tells a member that may not read the policy the rule that decided, not every rule and how it fared', async () => {
    await api.publishPolicy(orgId, [freeze, membersSeeOrg, membersUpdate]);
    const refused = await api.post(`/orgs/${orgId}/metadata`, { description: 'merge now' }, member.key);
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toEqual({
      code: 'POLICY_DENIED',
      message: 'merger with ACME planned',
      details: {
        decisionId: expect.any(String),
        action: 'org.update',
        outcome: 'forbidden',
        reasons: ['merger with ACME planned'],
        determiningRuleIds: ['merger-freeze'],
        escalateTo: 'board',
        policy: { source: 'org', version: expect.any(Number) },
      },
    });
  });

  it('adds every rule and its outcome for a member the policy lets read it', async () => {
    await api.publishPolicy(orgId, [
      freeze,
      membersSeeOrg,
      membersUpdate,
      { id: 'members-read-policy', effect: 'permit', actions: ['policy.read'], when: 'size(principal.roles) > 0', reason: 'members read the rules' },
    ]);
    const refused = (await api.post(`/orgs/${orgId}/metadata?explain=full`, { description: 'merge now' }, member.key)).json();
    expect(refused.details.evaluations.map((evaluation: { ruleId: string }) => evaluation.ruleId)).toContain('members-update');
    // Asked for, that is: by default the refusal names the outcome and the rules that decided it, not every rule.
    const brief = (await api.post(`/orgs/${orgId}/metadata`, { description: 'merge now' }, member.key)).json();
    expect(Object.keys(brief.details).sort()).toEqual(['action', 'decisionId', 'determiningRuleIds', 'escalateTo', 'outcome', 'policy', 'reasons']);
  });

  it("tells an outsider nothing of the org: the same answer as for an org that does not exist, and records it in the outsider's own stream", async () => {
    const before = await count(`audit-${orgId}`);
    const missing = '00000000-0000-4000-8000-00000000f00d';
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const refused = await api.post(`/orgs/${orgId}/metadata`, { description: 'merge now' }, outsider.key);
      const unknown = await api.post(`/orgs/${missing}/metadata`, { description: 'merge now' }, outsider.key);
      expect([refused.statusCode, refused.body.replaceAll(orgId, '<org>')]).toEqual([unknown.statusCode, unknown.body.replaceAll(missing, '<org>')]);
      expect(refused.statusCode).toBe(404);
    }
    expect(await count(`audit-${orgId}`)).toBe(before);
    expect(await count(`audit-outsider.${outsider.id}`)).toBe(6);
  });

  it("tells an outsider nothing of the org's state either: a stale If-Match answers like an unknown org, not with the revision", async () => {
    const missing = '00000000-0000-4000-8000-00000000beef';
    const stale = { 'if-match': '"99"' };
    const refused = await api.post(`/orgs/${orgId}/suspend`, { reason: 'x' }, outsider.key, stale);
    const unknown = await api.post(`/orgs/${missing}/suspend`, { reason: 'x' }, outsider.key, stale);
    expect(refused.statusCode).toBe(404);
    expect([refused.statusCode, refused.body.replaceAll(orgId, '<org>')]).toEqual([unknown.statusCode, unknown.body.replaceAll(missing, '<org>')]);
    // A principal that sees the org still learns the revision it should have sent.
    const seen = await api.post(`/orgs/${orgId}/suspend`, { reason: 'x' }, undefined, stale);
    expect(seen.statusCode).toBe(412);
    expect(seen.json()).toMatchObject({ code: 'REVISION_MISMATCH' });
  });

  it('lets a stranger add only a bounded number of applications to the roster, in job spaces the org has', async () => {
    await api.defineRole(orgId, { name: 'volunteer', assignmentType: 'dynamic_multi_subject' });
    const before = await count(`roster-${orgId}`);
    const invented = await api.post(
      `/orgs/${orgId}/applications`,
      { role: 'volunteer', jobSpace: 'invented-space', motivation: 'x'.repeat(100) },
      outsider.key,
    );
    const unknown = await api.post(
      `/orgs/00000000-0000-4000-8000-00000000cafe/applications`,
      { role: 'volunteer', jobSpace: 'invented-space', motivation: 'x' },
      outsider.key,
    );
    expect(invented.statusCode).toBe(unknown.statusCode);
    expect(await count(`roster-${orgId}`)).toBe(before);
  });

  async function count(streamId: string): Promise<number> {
    let n = 0;
    try {
      for await (const _event of server.platform.store.readStream(streamId)) n += 1;
    } catch {
      return 0;
    }
    return n;
  }
});
