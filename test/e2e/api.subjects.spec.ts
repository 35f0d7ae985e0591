import { describe, expect, it } from 'vitest';
import { useTestServer } from '../support/api-server.ts';

describe('subjects over HTTP', () => {
  const { api } = useTestServer();

  it('registers a subject (idempotently with an Idempotency-Key) and reads it back', async () => {
    const headers = { 'idempotency-key': 'register-writer-bot-1' };
    const payload = { kind: 'agent', displayName: 'Writer bot', endpoint: 'https://bots.example/writer', capabilities: [{ name: 'nlp.summarize', level: 3 }] };
    const first = await api.post('/subjects', payload, api.adminKey, headers);
    expect(first.statusCode).toBe(201);
    const { subjectId } = first.json();
    expect(first.json().events.map((event: { type: string }) => event.type)).toEqual(['DecisionRecorded', 'SubjectRegistered']);
    const again = await api.post('/subjects', payload, api.adminKey, headers);
    expect(again.statusCode).toBe(201);
    expect(again.json()).toEqual({ ...first.json(), replayed: true });

    const read = await api.get(`/subjects/${subjectId}`);
    expect(read.statusCode).toBe(200);
    expect(read.headers.etag).toBe('"1"');
    expect(read.json()).toMatchObject({
      subjectId,
      kind: 'agent',
      displayName: 'Writer bot',
      endpoint: 'https://bots.example/writer',
      status: 'active',
      capabilities: { 'nlp.summarize': { level: 3, evidence: null, verified: null } },
      revision: 1,
    });
    expect((await api.get('/subjects/00000000-0000-4000-8000-0000000000ff')).json()).toMatchObject({ code: 'SUBJECT_NOT_FOUND' });
  });

  it('updates a profile and declares and withdraws capabilities, as an admin or as the subject itself', async () => {
    const self = await api.subjectWithKey('Self-managing bot');
    expect((await api.post(`/subjects/${self.id}/profile`, { description: 'by an admin' })).statusCode).toBe(200);
    const own = await api.post(`/subjects/${self.id}/profile?explain=full`, { displayName: 'Renamed by itself', endpoint: 'nats:agents.self' }, self.key);
    expect(own.statusCode).toBe(200);
    expect(own.json().events[0].data).toMatchObject({ outcome: 'permitted', determiningRuleIds: ['platform:subjects-manage-their-profile'] });
    expect((await api.post(`/subjects/${self.id}/capabilities`, { name: 'code.review', level: 5, evidence: 'papers' }, self.key)).statusCode).toBe(200);
    expect((await api.post(`/subjects/${self.id}/capabilities/code.review/withdraw`, {}, self.key)).statusCode).toBe(200);
    // Re-sending what is already so changes nothing.
    const noop = await api.post(`/subjects/${self.id}/capabilities/code.review/withdraw`, {}, self.key);
    expect(noop.json()).toMatchObject({ events: [], position: null });

    const read = await api.get(`/subjects/${self.id}`, self.key);
    expect(read.statusCode).toBe(200);
    expect(read.json()).toMatchObject({ displayName: 'Renamed by itself', description: 'by an admin', endpoint: 'nats:agents.self', capabilities: {} });
  });

  it('lets a role holder the org policy allows verify a capability; nobody verifies itself', async () => {
    const owner = await api.subjectWithKey('Lab owner', { capabilities: [{ name: 'lab.management', level: 9 }] });
    const orgId = await api.registerOrg('verifying-lab', owner.key);
    const member = await api.subjectWithKey('Member');
    const writer = await api.subjectWithKey('Writer', { capabilities: [{ name: 'nlp.summarize', level: 4 }] });
    await api.defineRole(orgId, { name: 'writer' });
    await api.expectStatus(await api.grant(orgId, member.id, 'writer'), 201);

    // Default policy: only the owner manages the org; a member may read, not verify.
    const byMember = await api.post(`/subjects/${writer.id}/capabilities/nlp.summarize/verify`, { level: 4, orgId }, member.key);
    expect(byMember.statusCode).toBe(403);
    expect(byMember.json()).toMatchObject({ code: 'POLICY_DENIED', details: { action: 'subject.capability.verify', outcome: 'not-permitted' } });

    const wrongLevel = await api.post(`/subjects/${writer.id}/capabilities/nlp.summarize/verify`, { level: 5, orgId }, owner.key);
    expect(wrongLevel.statusCode).toBe(409);
    expect(wrongLevel.json().code).toBe('CAPABILITY_LEVEL_MISMATCH');

    const verified = await api.post(
      `/subjects/${writer.id}/capabilities/nlp.summarize/verify?explain=full`,
      { level: 4, orgId, note: 'checked samples' },
      owner.key,
    );
    expect(verified.statusCode).toBe(200);
    expect(verified.json().events[0].data).toMatchObject({ outcome: 'permitted', determiningRuleIds: ['default:owner-manages-org'] });
    expect((await api.get(`/subjects/${writer.id}`)).json().capabilities['nlp.summarize'].verified).toMatchObject({ by: owner.id, orgId });

    const self = await api.post(`/subjects/${owner.id}/capabilities/lab.management/verify`, { level: 9, orgId }, owner.key);
    expect(self.statusCode).toBe(403);
    expect(self.json().code).toBe('SELF_VERIFICATION');
  });

  it('suspends and reinstates a subject: its key is refused while suspended', async () => {
    const bot = await api.subjectWithKey('Suspendable bot');
    expect((await api.get(`/subjects/${bot.id}`, bot.key)).statusCode).toBe(200);
    expect((await api.post(`/subjects/${bot.id}/suspend`, { reason: 'leaked data' })).statusCode).toBe(200);
    const refused = await api.get(`/subjects/${bot.id}`, bot.key);
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toEqual({ code: 'SUBJECT_SUSPENDED', message: expect.any(String), details: { subjectId: bot.id } });
    expect((await api.get(`/subjects/${bot.id}`)).json()).toMatchObject({ status: 'suspended', statusReason: 'leaked data' });

    const again = await api.post(`/subjects/${bot.id}/suspend`, { reason: 'twice' });
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('ILLEGAL_TRANSITION');
    const newKey = await api.post(`/subjects/${bot.id}/api-keys`, {});
    expect(newKey.statusCode).toBe(409);
    expect(newKey.json().code).toBe('SUBJECT_SUSPENDED');

    expect((await api.post(`/subjects/${bot.id}/reinstate`, { reason: 'cleared' })).statusCode).toBe(200);
    expect((await api.get(`/subjects/${bot.id}`, bot.key)).statusCode).toBe(200);
  });

  it("issues a subject's key through the credential aggregate, lets the subject act with it, and revokes it", async () => {
    const subjectId = await api.registerSubject('Keyed bot');
    const issued = await api.post(`/subjects/${subjectId}/api-keys?explain=full`, { label: 'ci' });
    expect(issued.statusCode).toBe(201);
    const { key, keyId } = issued.json();
    expect(issued.json()).toMatchObject({ subjectId, streamId: `apikey-${keyId}` });
    const [decision, event] = issued.json().events;
    expect(decision.data).toMatchObject({ action: 'subject.apikey.issue', outcome: 'permitted' });
    expect(event).toMatchObject({ type: 'ApiKeyIssued', data: { principal: { id: subjectId, kind: 'subject' }, label: 'ci' } });

    // It acts as the subject: it founds an org, which it then owns.
    const founded = await api.post('/orgs?explain=full', { name: 'Founded', slug: 'founded-by-key' }, key);
    expect(founded.statusCode).toBe(201);
    expect(founded.json().events[1].data.owner).toEqual({ id: subjectId, kind: 'subject' });
    // It may not read another subject, nor issue keys (platform policy: admins only).
    const other = await api.registerSubject('Other');
    expect((await api.get(`/subjects/${other}`, key)).json()).toMatchObject({ code: 'POLICY_DENIED', details: { action: 'subject.read' } });
    const selfIssue = await api.post(`/subjects/${subjectId}/api-keys`, {}, key);
    expect(selfIssue.statusCode).toBe(403);
    expect(selfIssue.json().details).toMatchObject({ action: 'subject.apikey.issue', outcome: 'not-permitted' });

    // A key is revoked under its own subject only.
    const otherKey = await api.issueKey(other);
    const otherKeyId = otherKey.slice(4, otherKey.indexOf('.'));
    const wrongSubject = await api.post(`/subjects/${subjectId}/api-keys/${otherKeyId}/revoke`, { reason: 'not yours' });
    expect(wrongSubject.statusCode).toBe(404);
    expect(wrongSubject.json().code).toBe('API_KEY_NOT_FOUND');
    const revoked = await api.post(`/subjects/${subjectId}/api-keys/${keyId}/revoke?explain=full`, { reason: 'rotated' });
    expect(revoked.statusCode).toBe(200);
    expect(revoked.json().events[0].data).toMatchObject({ action: 'subject.apikey.revoke', outcome: 'permitted' });
    expect((await api.get(`/subjects/${subjectId}`, key)).statusCode).toBe(401);
    expect((await api.get(`/subjects/${other}`, otherKey)).statusCode).toBe(200);
  });

  it('refuses a key for a subject that does not exist', async () => {
    const missing = await api.post('/subjects/00000000-0000-4000-8000-00000000abcd/api-keys', {});
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ code: 'SUBJECT_NOT_FOUND' });
  });

  it('answers a retried key request once: the secret is never shown twice', async () => {
    const subjectId = await api.registerSubject('Retried key bot');
    const headers = { 'idempotency-key': 'issue-subject-key-0001' };
    expect((await api.post(`/subjects/${subjectId}/api-keys`, {}, api.adminKey, headers)).statusCode).toBe(201);
    const retry = await api.post(`/subjects/${subjectId}/api-keys`, {}, api.adminKey, headers);
    expect(retry.statusCode).toBe(409);
    expect(retry.json().code).toBe('KEY_ALREADY_ISSUED');
  });
});
