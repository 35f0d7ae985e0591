import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectRefusal, type BadRequest } from '../support/refusal.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

describe('malformed requests', () => {
  let server: TestServer;
  let orgId: string;
  beforeAll(async () => {
    server = await startTestServer();
    orgId = (await server.app.inject({ method: 'POST', url: '/orgs', headers: server.auth, payload: { name: 'Existing', slug: 'existing' } })).json().orgId;
  });
  afterAll(async () => server.close());

  const json = { 'content-type': 'application/json' };
  const cases: Array<[string, () => BadRequest, number, string]> = [
    ['invalid JSON', () => ({ url: '/orgs', headers: json, payload: '{"name":' }), 400, 'INVALID_JSON'],
    ['a JSON array body', () => ({ url: '/orgs', headers: json, payload: '[1,2]' }), 400, 'VALIDATION_FAILED'],
    ['a JSON string body', () => ({ url: '/orgs', headers: json, payload: '"org"' }), 400, 'VALIDATION_FAILED'],
    ['no body at all', () => ({ url: '/orgs' }), 400, 'VALIDATION_FAILED'],
    ['a text/plain body', () => ({ url: '/orgs', headers: { 'content-type': 'text/plain' }, payload: 'name=x' }), 415, 'UNSUPPORTED_MEDIA_TYPE'],
    [
      'a body over 1 MiB',
      () => ({ url: '/orgs', headers: json, payload: JSON.stringify({ name: 'x', slug: 'big', description: 'x'.repeat(1_100_000) }) }),
      413,
      'PAYLOAD_TOO_LARGE',
    ],
    ['wrong field types', () => ({ url: '/orgs', payload: { name: 42, slug: ['a'] } }), 400, 'VALIDATION_FAILED'],
    ['a NoSQL-style operator object', () => ({ url: '/orgs', payload: { name: { $gt: '' }, slug: 'x' } }), 400, 'VALIDATION_FAILED'],
    [
      'a description over 2000 characters',
      () => ({ url: '/orgs', payload: { name: 'x', slug: 'long', description: 'y'.repeat(2001) } }),
      400,
      'VALIDATION_FAILED',
    ],
    ['a non-UUID org id in the path', () => ({ url: '/orgs/not-a-uuid/suspend', payload: { reason: 'x' } }), 400, 'VALIDATION_FAILED'],
    ['a non-UUID org id on read', () => ({ method: 'GET', url: '/orgs/../../etc/passwd' }), 404, 'ROUTE_NOT_FOUND'],
    ['a non-UUID org id on read (encoded)', () => ({ method: 'GET', url: '/orgs/%27%20OR%201%3D1' }), 400, 'VALIDATION_FAILED'],
    ['a missing reason', () => ({ url: `/orgs/${orgId}/suspend`, payload: {} }), 400, 'VALIDATION_FAILED'],
    ['an empty metadata update', () => ({ url: `/orgs/${orgId}/metadata`, payload: {} }), 400, 'VALIDATION_FAILED'],
    [
      'an orgId in the body that differs from the path',
      () => ({ url: `/orgs/${orgId}/suspend`, payload: { reason: 'x', orgId: '00000000-0000-4000-8000-000000000000', extra: 1 } }),
      400,
      'VALIDATION_FAILED',
    ],
    [
      'a malformed Idempotency-Key',
      () => ({ url: '/orgs', headers: { 'idempotency-key': 'bad key!' }, payload: { name: 'x', slug: 'idem' } }),
      400,
      'INVALID_HEADER',
    ],
    [
      'a malformed If-Match',
      () => ({ url: `/orgs/${orgId}/metadata`, headers: { 'if-match': 'yesterday' }, payload: { description: 'x' } }),
      400,
      'INVALID_HEADER',
    ],
    ['an unknown route', () => ({ url: '/orgz', payload: {} }), 404, 'ROUTE_NOT_FOUND'],
    ['an unknown key revocation body', () => ({ url: '/admin/api-keys/some-key/revoke', payload: { reason: '' } }), 400, 'VALIDATION_FAILED'],
    ['an unknown key to revoke', () => ({ url: '/admin/api-keys/no-such-key/revoke', payload: { reason: 'x' } }), 404, 'API_KEY_NOT_FOUND'],
  ];

  it.each(cases)('answers %s with a 4xx {code, message, details} and changes nothing', async (_name, build, status, code) => {
    await expectRefusal(server, build(), status, code);
  });
});

describe('requests Fastify refuses before routing', () => {
  it('answers a malformed URL in the uniform error shape', async () => {
    const server = await startTestServer();
    const response = await server.app.inject({ method: 'GET', url: '/orgs/%E0%A4%A', headers: server.auth });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({ code: expect.any(String), message: expect.any(String), details: expect.any(Object) });
    await server.close();
  });
});
