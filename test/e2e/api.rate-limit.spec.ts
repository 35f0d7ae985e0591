import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serviceUrl } from '../support/services.ts';
import { tempStorePath } from '../support/pipeline.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { apiClient } from './api.client.ts';

const limits = { RATE_LIMIT_READS: '5', RATE_LIMIT_COMMANDS: '4', RATE_LIMIT_WINDOW_MS: '600000' };

describe('rate limits per principal', () => {
  let server: TestServer;
  let api: ReturnType<typeof apiClient>;
  let ada: { id: string; key: string };
  let bob: { id: string; key: string };

  beforeAll(async () => {
    // The admin's set-up (two subjects with a key each) is four commands: within its own limit.
    server = await startTestServer({ env: limits });
    api = apiClient(server);
    ada = await api.subjectWithKey('Ada');
    bob = await api.subjectWithKey('Bob');
  });

  afterAll(async () => {
    await server?.close();
  });

  it('answers 429 RATE_LIMITED with Retry-After once a principal spent its reads, keyed by principal, not by IP', async () => {
    for (let index = 0; index < 5; index += 1) expect((await api.get(`/subjects/${ada.id}`, ada.key)).statusCode).toBe(200);
    const refused = await api.get(`/subjects/${ada.id}`, ada.key);
    expect(refused.statusCode).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(refused.json()).toMatchObject({ code: 'RATE_LIMITED', details: { limit: 'reads', max: 5, windowMs: 600_000 } });
    expect(typeof refused.json().message).toBe('string');
    // GraphQL counts as a read.
    const graphql = await server.app.inject({
      method: 'POST',
      url: '/graphql',
      headers: { authorization: `Bearer ${ada.key}` },
      payload: { query: '{ subject(id: "x") { id } }' },
    });
    expect(graphql.statusCode).toBe(429);

    // Same IP (every injected request comes from 127.0.0.1), another key: not limited.
    expect((await api.get(`/subjects/${bob.id}`, bob.key)).statusCode).toBe(200);
    // Probes are never limited.
    for (let index = 0; index < 10; index += 1) expect((await server.app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
  });

  it('counts commands apart, and a refused command changes nothing', async () => {
    for (let index = 0; index < 4; index += 1) {
      const registered = await api.post('/orgs', { name: `Bob ${index}`, slug: `bob-rate-${index}` }, bob.key);
      expect(registered.statusCode).toBe(201);
    }
    const head = await server.platform.store.headPosition();
    const refused = await api.post('/orgs', { name: 'Bob 4', slug: 'bob-rate-4' }, bob.key);
    expect(refused.statusCode).toBe(429);
    expect(refused.json()).toMatchObject({ code: 'RATE_LIMITED', details: { limit: 'commands', max: 4 } });
    expect(refused.headers['retry-after']).toBeDefined();
    expect(await server.platform.store.headPosition()).toBe(head);
    // Bob's reads are still his to spend.
    expect((await api.get(`/subjects/${bob.id}`, bob.key)).statusCode).toBe(200);
  });

  it('counts requests without a valid key per client IP', async () => {
    for (let index = 0; index < 5; index += 1)
      expect((await server.app.inject({ method: 'GET', url: '/graphiql', remoteAddress: '10.0.0.9' })).statusCode).toBe(200);
    const refused = await server.app.inject({ method: 'GET', url: '/graphiql', remoteAddress: '10.0.0.9' });
    expect(refused.statusCode).toBe(429);
    expect((await server.app.inject({ method: 'GET', url: '/graphiql', remoteAddress: '10.0.0.10' })).statusCode).toBe(200);
  });
});

const redisUrl = serviceUrl('redis', 'REDIS_URL');

describe.skipIf(!redisUrl)('rate limits across instances (Redis counters)', () => {
  // A counter call that Redis does not answer within CACHE_TIMEOUT_MS lets its request through (fail open, by design);
  // on a loaded machine the 250 ms default was exceeded and one request went uncounted. This test is about counting
  // across instances, not about that budget, so it gives Redis ample time.
  const env = { ...limits, REDIS_URL: redisUrl ?? '', RATE_LIMIT_REDIS_PREFIX: `test-rate-${randomUUID()}:`, CACHE_TIMEOUT_MS: '10000' };
  let first: TestServer;
  let second: TestServer;

  beforeAll(async () => {
    // Two instances of one platform (one log): the admin key is the same principal on both.
    const path = tempStorePath();
    first = await startTestServer({ env, path });
    second = await startTestServer({ env, path });
  });

  afterAll(async () => {
    await first?.close();
    await second?.close();
  });

  it("counts one principal's requests on every instance together", async () => {
    const get = (server: TestServer) => server.app.inject({ method: 'GET', url: '/orgs/by-slug/nobody-here', headers: server.auth });
    for (let index = 0; index < 3; index += 1) expect((await get(first)).statusCode).toBe(404);
    for (let index = 0; index < 2; index += 1) expect((await get(second)).statusCode).toBe(404);
    const refused = await get(second);
    expect(refused.statusCode).toBe(429);
    expect(refused.json()).toMatchObject({ code: 'RATE_LIMITED' });
    expect((await get(first)).statusCode).toBe(429);
  });
});
