import { describe, expect, it } from 'vitest';
import { useTestServer } from '../support/api-server.ts';
import type { TestServer } from '../support/server.ts';

describe('API authentication', () => {
  const { server } = useTestServer();

  const register = (headers: Record<string, string>, slug: string) =>
    server.app.inject({ method: 'POST', url: '/orgs', headers, payload: { name: 'X', slug } });

  it('serves health and readiness without a credential', async () => {
    expect((await server.app.inject({ url: '/health' })).json()).toEqual({ status: 'ok' });
    const ready = await server.app.inject({ url: '/ready' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toMatchObject({ status: 'ready', checks: { eventStore: { ok: true }, apiKeyIndex: { ok: true } } });
  });

  it.each([
    ['no Authorization header', {}, 'UNAUTHENTICATED', 'Bearer'],
    ['a scheme other than Bearer', { authorization: 'Basic YWRtaW46YWRtaW4=' }, 'MALFORMED_AUTHORIZATION', 'Bearer error="invalid_request"'],
    [
      'a key that was never issued',
      { authorization: 'Bearer agk_unknown.0123456789abcdefghijklmnopqrstuv' },
      'UNKNOWN_API_KEY',
      'Bearer error="invalid_token"',
    ],
    ['an identity claimed in a header', { 'x-subject-id': 'admin:bootstrap', 'x-principal': 'admin' }, 'UNAUTHENTICATED', 'Bearer'],
  ])('answers 401 to %s, and changes nothing', async (_name, headers, code, challenge) => {
    const head = await server.platform.store.headPosition();
    const response = await register(headers, 'never');
    expect(response.statusCode).toBe(401);
    expect(response.headers['www-authenticate']).toBe(challenge);
    expect(response.json()).toMatchObject({ code, message: expect.any(String) });
    expect(await server.platform.store.headPosition()).toBe(head);
  });

  it('takes the principal from the key, never from the body or headers', async () => {
    const response = await server.app.inject({
      method: 'POST',
      url: '/orgs?explain=full',
      headers: { ...server.auth, 'x-subject-id': 'someone-else' },
      payload: { name: 'Mine', slug: 'mine' },
    });
    expect(response.statusCode).toBe(201);
    expect(response.json().events.find((event: { type: string }) => event.type === 'OrgRegistered').data.owner).toEqual({
      id: expect.stringMatching(/^admin:env-/),
      kind: 'admin',
    });
    const spoof = await server.app.inject({
      method: 'POST',
      url: '/orgs',
      headers: server.auth,
      payload: { name: 'X', slug: 'spoof', owner: { id: 'x', kind: 'admin' } },
    });
    expect(spoof.statusCode).toBe(400);
  });

  it('issues an admin key that works at once, is shown once, and stops working when revoked', async () => {
    const issued = await server.app.inject({ method: 'POST', url: '/admin/api-keys', headers: server.auth, payload: { label: 'ops' } });
    expect(issued.statusCode).toBe(201);
    const { key, keyId } = issued.json();
    expect(key).toMatch(/^agk_/);
    const stored = JSON.stringify(await collectAll(server));
    expect(stored).not.toContain(key);

    expect((await register({ authorization: `Bearer ${key}` }, 'with-new-key')).statusCode).toBe(201);
    const revoked = await server.app.inject({ method: 'POST', url: `/admin/api-keys/${keyId}/revoke`, headers: server.auth, payload: { reason: 'rotated' } });
    expect(revoked.statusCode).toBe(200);
    const afterRevoke = await register({ authorization: `Bearer ${key}` }, 'after-revoke');
    expect(afterRevoke.statusCode).toBe(401);
    expect(afterRevoke.json().code).toBe('UNKNOWN_API_KEY');
  });
});

async function collectAll(server: TestServer) {
  const events = [];
  for await (const event of server.platform.store.readAll()) events.push(event);
  return events.map((event) => ({ ...event, revision: String(event.revision), position: String(event.position) }));
}
