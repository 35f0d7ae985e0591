import { describe, expect, it } from 'vitest';
import { useTestServer } from '../support/api-server.ts';

describe("rotating a subject's API key and reading platform decisions", () => {
  const { api } = useTestServer();

  it('issues a new key and revokes the old one; a retry of the rotation issues nothing more', async () => {
    const subject = await api.subjectWithKey('Rotating bot');
    const oldKeyId = subject.key.slice(4, subject.key.indexOf('.'));
    const headers = { 'idempotency-key': 'rotate-rotating-bot-1' };
    const rotated = await api.post(`/subjects/${subject.id}/api-keys/${oldKeyId}/rotate`, { label: 'next' }, api.adminKey, headers);
    expect(rotated.statusCode).toBe(201);
    const { key: newKey, keyId: newKeyId, revokedKeyId } = rotated.json();
    expect(revokedKeyId).toBe(oldKeyId);
    expect(newKeyId).not.toBe(oldKeyId);
    expect((await api.get(`/subjects/${subject.id}`, newKey)).statusCode).toBe(200);
    expect((await api.get(`/subjects/${subject.id}`, subject.key)).statusCode).toBe(401);

    const again = await api.post(`/subjects/${subject.id}/api-keys/${oldKeyId}/rotate`, { label: 'next' }, api.adminKey, headers);
    expect(again.statusCode).toBe(404);
    const other = await api.registerSubject('Other');
    const notTheirs = await api.post(`/subjects/${other}/api-keys/${newKeyId}/rotate`, {});
    expect(notTheirs.statusCode).toBe(404);
    expect(notTheirs.json().code).toBe('API_KEY_NOT_FOUND');
  });

  it('lists platform-level decisions to platform admins only', async () => {
    const subject = await api.subjectWithKey('Curious bot');
    const denied = await api.post('/subjects', { kind: 'agent', displayName: 'Clone' }, subject.key);
    expect(denied.statusCode).toBe(403);
    const listed = await api.expectStatus(await api.get('/platform/decisions?outcome=not-permitted'), 200);
    expect(listed.decisions[0]).toMatchObject({
      action: 'subject.register',
      outcome: 'not-permitted',
      principal: { id: subject.id },
      streamId: 'audit-platform',
    });
    const forbidden = await api.get('/platform/decisions', subject.key);
    expect(forbidden.statusCode).toBe(403);
    expect(forbidden.json()).toMatchObject({ code: 'POLICY_DENIED', details: { action: 'audit.read' } });
  });
});
