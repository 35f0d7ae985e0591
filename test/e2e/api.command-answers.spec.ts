import { beforeAll, describe, expect, it } from 'vitest';
import { useTestServer } from '../support/api-server.ts';

describe('command answers: a compact decision summary by default, the full explanation with ?explain=full', () => {
  const { api } = useTestServer();
  let orgId: string;
  let member: { id: string; key: string };
  beforeAll(async () => {
    orgId = await api.registerOrg('answers-lab');
    await api.defineRole(orgId, { name: 'writer' });
    member = await api.subjectWithKey('Member');
    await api.expectStatus(await api.grant(orgId, member.id, 'writer'), 201);
  });

  it('answers the decision in brief and names the events without their data', async () => {
    const response = await api.post(`/orgs/${orgId}/roles`, { name: 'reviewer', description: 'reviews drafts' });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(Object.keys(body).sort()).toEqual(['commandId', 'decision', 'events', 'position', 'replayed', 'streamId', 'streamRevision']);
    expect(body.decision).toEqual({
      decisionId: expect.any(String),
      action: 'roster.role.define',
      outcome: 'permitted',
      determiningRuleIds: ['default:owner-manages-org', 'platform:admins-administer'],
      reason: "the org's owner manages the org; platform administrators administer the platform",
    });
    expect(body.events).toEqual([
      { eventId: expect.any(String), type: 'DecisionRecorded', revision: expect.any(Number) },
      { eventId: expect.any(String), type: 'RoleDefined', revision: body.streamRevision },
    ]);
    expect(body.decision.decisionId).toBe(body.decision.decisionId.toLowerCase());
  });

  it('answers every event with its data and the whole decision when asked, the same command either way', async () => {
    const headers = { 'idempotency-key': 'define-editor-role-1' };
    const full = await api.post(`/orgs/${orgId}/roles?explain=full`, { name: 'editor' }, api.adminKey, headers);
    expect(full.statusCode).toBe(200);
    const brief = await api.post(`/orgs/${orgId}/roles`, { name: 'editor' }, api.adminKey, headers);
    expect(brief.json().replayed).toBe(true);
    const [fullBody, briefBody] = [full.json(), brief.json()];
    // One command: the same ids, revision and position; only the detail differs.
    for (const field of ['commandId', 'streamId', 'streamRevision', 'position']) expect(briefBody[field]).toEqual(fullBody[field]);
    expect(briefBody.events.map((event: { eventId: string }) => event.eventId)).toEqual(fullBody.events.map((event: { eventId: string }) => event.eventId));
    expect(fullBody.decision).toEqual({
      ...briefBody.decision,
      reasons: ["the org's owner manages the org", 'platform administrators administer the platform'],
      escalateTo: null,
      policy: { source: 'default', version: null },
    });
    expect(fullBody.events[0].data).toEqual({
      decisionId: briefBody.decision.decisionId,
      orgId,
      action: 'roster.role.define',
      outcome: 'permitted',
      determiningRuleIds: briefBody.decision.determiningRuleIds,
    });
    expect(fullBody.events[1]).toMatchObject({ type: 'RoleDefined', data: { orgId, role: { name: 'editor' } } });
    // What the summary saves: the events' data (here a role definition) and the decision's details.
    const fullBytes = Buffer.byteLength(full.body);
    const briefBytes = Buffer.byteLength(brief.body);
    expect(briefBytes).toBeLessThan(fullBytes - 300);
  });

  it('keeps what a refused caller needs by default: outcome, reasons, the rules that decided, whom to escalate to', async () => {
    const denied = await api.post(`/orgs/${orgId}/roles`, { name: 'boss' }, member.key);
    expect(denied.statusCode).toBe(403);
    expect(denied.json()).toEqual({
      code: 'POLICY_DENIED',
      message: 'no rule permits roster.role.define',
      details: {
        decisionId: expect.any(String),
        action: 'roster.role.define',
        outcome: 'not-permitted',
        reasons: ['no rule permits roster.role.define'],
        determiningRuleIds: [],
        escalateTo: null,
        policy: { source: 'default', version: null },
      },
    });
    // The members of the org may read its policy, so with explain=full they get every rule's evaluation.
    const explained = await api.post(`/orgs/${orgId}/roles?explain=full`, { name: 'boss' }, member.key);
    expect(explained.statusCode).toBe(403);
    const { evaluations, errors, ...rest } = explained.json().details;
    expect({ ...rest, decisionId: 'x' }).toEqual({ ...denied.json().details, decisionId: 'x' });
    expect(errors).toEqual([]);
    expect(evaluations).toEqual(expect.arrayContaining([{ ruleId: 'default:owner-manages-org', effect: 'permit', outcome: 'not-applicable', detail: 'when' }]));
    expect(Buffer.byteLength(denied.body)).toBeLessThan(Buffer.byteLength(explained.body) / 2);
  });

  it('keeps the fields a route adds (the id it created, a key shown once) in either detail', async () => {
    const subject = await api.post('/subjects', { kind: 'agent', displayName: 'Briefly' });
    expect(subject.statusCode).toBe(201);
    expect(subject.json()).toMatchObject({ subjectId: expect.any(String), decision: { action: 'subject.register', outcome: 'permitted' } });
    const issued = await api.post(`/subjects/${subject.json().subjectId}/api-keys`, { label: 'brief' });
    expect(issued.statusCode).toBe(201);
    expect(issued.json()).toMatchObject({ keyId: expect.any(String), key: expect.stringMatching(/^agk_/), decision: { action: 'subject.apikey.issue' } });
    expect(issued.json().events.every((event: Record<string, unknown>) => !('data' in event))).toBe(true);
  });

  it('refuses an explain other than summary or full with 400, before running the command', async () => {
    for (const query of ['explain=yes', 'explain=FULL', 'explain=', 'explain=full&explain=summary']) {
      const response = await api.post(`/orgs/${orgId}/roles?${query}`, { name: 'never-defined' });
      expect(response.statusCode, query).toBe(400);
      expect(response.json(), query).toEqual({
        code: 'VALIDATION_FAILED',
        message: 'invalid query string',
        details: { issues: [{ path: ['explain'], message: expect.any(String) }] },
      });
    }
    const roster = await api.expectStatus(await api.get(`/orgs/${orgId}/roster`), 200);
    expect(roster.roles.map((role: { name: string }) => role.name)).not.toContain('never-defined');
    expect((await api.post(`/orgs/${orgId}/roles?explain=summary`, { name: 'defined' })).statusCode).toBe(200);
  });
});
