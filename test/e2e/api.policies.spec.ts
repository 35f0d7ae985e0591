import { beforeAll, describe, expect, it } from 'vitest';
import { useTestServer } from '../support/api-server.ts';

describe('policies over HTTP', () => {
  const { server, api } = useTestServer();
  let orgId: string;
  beforeAll(async () => {
    orgId = await api.registerOrg('policy-lab');
  });

  it('refuses a draft whose CEL does not parse: 400 POLICY_INVALID with the line and column', async () => {
    const head = await server.platform.store.headPosition();
    const response = await api.post(`/orgs/${orgId}/policies`, {
      rules: [
        { id: 'ok', effect: 'permit', actions: ['roster.*'], reason: 'fine' },
        { id: 'broken', effect: 'forbid', actions: ['roster.role.grant'], when: 'command.data.role ==\n  "writer" &&', reason: 'broken' },
        { id: 'typo', effect: 'permit', actions: ['rooster.*'], reason: 'typo' },
      ],
    });
    expect(response.statusCode).toBe(400);
    const body = response.json();
    expect(body).toMatchObject({ code: 'POLICY_INVALID', message: expect.any(String) });
    const errors = body.details.errors as Array<{ path: unknown[]; line?: number; column?: number; message: string }>;
    expect(errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: [1, 'when'], line: expect.any(Number), column: expect.any(Number) }),
        expect.objectContaining({ path: [2, 'actions', 0], message: expect.stringContaining('rooster.*') }),
      ]),
    );
    expect(errors.find((error) => error.path[1] === 'when')?.line).toBe(2);
    expect(await server.platform.store.headPosition()).toBe(head);
  });

  it('drafts (idempotently) and publishes a version, and shows it in GET policies', async () => {
    const before = (await api.get(`/orgs/${orgId}/policies`)).json();
    expect(before).toMatchObject({ published: null, effective: { source: 'default', version: null }, versions: [] });
    expect(before.effective.rules.map((rule: { id: string }) => rule.id)).toContain('default:owner-manages-org');

    const rules = [{ id: 'admins-only', effect: 'permit', actions: ['org.*'], roles: ['board'], reason: 'the board runs the org' }];
    const drafted = await api.post(`/orgs/${orgId}/policies`, { description: 'v1', rules });
    expect(drafted.statusCode).toBe(201);
    expect(drafted.json()).toMatchObject({ version: 1 });
    const same = await api.post(`/orgs/${orgId}/policies`, { description: 'v1', rules });
    expect(same.statusCode).toBe(200);
    expect(same.json()).toMatchObject({ version: 1, events: [] });

    const published = await api.post(`/orgs/${orgId}/policies/1/publish`, {});
    expect(published.statusCode).toBe(200);
    expect(published.json()).toMatchObject({ version: 1 });
    const missing = await api.post(`/orgs/${orgId}/policies/7/publish`, {});
    expect(missing.statusCode).toBe(404);
    expect(missing.json().code).toBe('POLICY_VERSION_NOT_FOUND');

    const after = (await api.get(`/orgs/${orgId}/policies`)).json();
    expect(after).toMatchObject({
      published: 1,
      effective: { source: 'org', version: 1, rules },
      versions: [{ version: 1, status: 'published', description: 'v1', rules, hash: after.effective.hash }],
    });
  });

  it('denies a command by a forbid rule: 403 POLICY_DENIED with reasons, rule ids and escalation, listed in the decisions', async () => {
    const labId = await api.registerOrg('forbidding-lab');
    const editor = await api.subjectWithKey('editor');
    const candidate = await api.registerSubject('candidate');
    await api.defineRole(labId, { name: 'editor' });
    await api.defineRole(labId, { name: 'writer' });
    await api.expectStatus(await api.grant(labId, editor.id, 'editor'), 201);
    await api.publishPolicy(labId, [
      { id: 'editors-staff', effect: 'permit', actions: ['roster.*'], roles: ['editor'], reason: 'editors staff the lab' },
      { id: 'members-read', effect: 'permit', actions: ['*.read'], when: 'size(principal.roles) > 0', reason: 'members read' },
      {
        id: 'board-hires-writers',
        effect: 'forbid',
        actions: ['roster.role.grant'],
        when: 'command.data.role == "writer"',
        reason: 'writers are hired by the board',
        escalateTo: 'board',
      },
    ]);

    const head = await server.platform.store.headPosition();
    const denied = await api.grant(labId, candidate, 'writer', editor.key);
    expect(denied.statusCode).toBe(403);
    expect(denied.json()).toEqual({
      code: 'POLICY_DENIED',
      message: 'writers are hired by the board',
      details: expect.objectContaining({
        decisionId: expect.any(String),
        action: 'roster.role.grant',
        outcome: 'forbidden',
        reasons: ['writers are hired by the board'],
        determiningRuleIds: ['board-hires-writers'],
        escalateTo: 'board',
        policy: { source: 'org', version: 1 },
      }),
    });
    // The denial changed nothing but the audit trail.
    expect((await api.get(`/orgs/${labId}/roster`)).json().associations).toHaveLength(1);
    const audited = await server.platform.store.headPosition();
    const appended = [];
    for await (const event of server.platform.store.readAll({ fromPosition: head })) if (event.position > head) appended.push(event);
    expect(appended.map((event) => [event.streamId, event.type])).toEqual([[`audit-${labId}`, 'DecisionRecorded']]);

    const decisions = await api.get(`/orgs/${labId}/decisions`, editor.key);
    expect(decisions.statusCode).toBe(200);
    const [newest, ...older] = decisions.json().decisions;
    expect(newest).toEqual({
      decisionId: denied.json().details.decisionId,
      position: audited.toString(),
      streamId: `audit-${labId}`,
      occurredAt: expect.any(String),
      principal: { id: editor.id, kind: 'subject', roles: ['editor'] },
      action: 'roster.role.grant',
      outcome: 'forbidden',
      result: 'refused-by-policy',
      refusal: null,
      reasons: ['writers are hired by the board'],
      determiningRuleIds: ['board-hires-writers'],
      escalateTo: 'board',
      policy: { source: 'org', version: 1, hash: expect.any(String) },
    });
    // Newest first, all of this org, the permitted ones recorded with their changes.
    const positions = [newest, ...older].map((decision: { position: string }) => BigInt(decision.position));
    expect(positions).toEqual([...positions].sort((a, b) => (a < b ? 1 : a > b ? -1 : 0)));
    expect(older.map((decision: { action: string }) => decision.action)).toContain('policy.publish');
    expect(older.every((decision: { outcome: string; result: string }) => decision.outcome === 'permitted' && decision.result === 'applied')).toBe(true);

    const onlyDenied = (await api.get(`/orgs/${labId}/decisions?outcome=forbidden`)).json().decisions;
    expect(onlyDenied.map((decision: { decisionId: string }) => decision.decisionId)).toEqual([newest.decisionId]);
    const limited = (await api.get(`/orgs/${labId}/decisions?limit=2`)).json().decisions;
    expect(limited).toHaveLength(2);
    expect(limited[0].decisionId).toBe(newest.decisionId);
    // The other org's decisions are not in this list.
    expect((await api.get(`/orgs/${orgId}/decisions`)).json().decisions.map((d: { decisionId: string }) => d.decisionId)).not.toContain(newest.decisionId);
  });
});
