import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { NatsBus } from '../../infra/bus/nats.ts';
import { EVENTS_STREAM } from '../../processes/event-fanout.ts';
import { waitFor } from '../support/async.ts';
import { natsDurableConsumers } from '../support/durable-consumer/nats.ts';
import { startRedis, type DependencyServer } from '../support/dependency-servers.ts';
import { startNats } from '../support/nats-server.ts';
import { killAllServers, startServer, type ServerProcess } from '../support/server-process.ts';

/** The load here comes from one key as fast as the machine goes: the outage is under test, not the rate limit. */
const UNLIMITED_RATES = { RATE_LIMIT_READS: '10000000', RATE_LIMIT_COMMANDS: '10000000' } as const;

/**
 * A Redis or NATS blip, against the real server process with a redis-server and a nats-server of the test's own:
 * killed and frozen (SIGSTOP) mid-load, commands go on, every follower of the log is back by itself within seconds of
 * the service's return, no stale cache entry is served, and the fan-out loses no event.
 */

const ADMIN_KEY = 'e2e-outage-admin-key-0123456789abcdefghijkl';
const RECOVERY_MS = 15_000;

let root: string;
let redis: DependencyServer;
let nats: DependencyServer;
let app: ServerProcess;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'ag-outage-'));
  [redis, nats] = await Promise.all([startRedis(), startNats(join(root, 'nats'))]);
  app = await startServer({
    dataDir: join(root, 'app'),
    adminKey: ADMIN_KEY,
    env: { REDIS_URL: redis.url, NATS_URL: nats.url, CACHE_TIMEOUT_MS: '200', CACHE_RETRY_AFTER_MS: '500', ...UNLIMITED_RATES },
    startTimeoutMs: 45_000,
  });
}, 60_000);

afterAll(async () => {
  await killAllServers('SIGKILL');
  await Promise.all([redis?.stop(), nats?.stop()]);
  if (root) rmSync(root, { recursive: true, force: true });
});

// biome-ignore lint/suspicious/noExplicitAny: answers of the real server, read field by field; each read is asserted
type Json = Record<string, any>;

async function call(method: 'GET' | 'POST', path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: Json }> {
  const response = await fetch(`${app.baseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN_KEY}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(20_000),
  });
  return { status: response.status, json: (await response.json()) as Json };
}

async function command(path: string, body: unknown, expected = 201): Promise<Json> {
  const answer = await call('POST', path, body);
  if (answer.status !== expected) throw new Error(`POST ${path}: expected ${expected}, got ${answer.status}: ${JSON.stringify(answer.json)}`);
  return answer.json;
}

const ready = async () => (await call('GET', '/ready')).json as { status: string; waiting: Array<{ follower: string; dependency: string }>; checks: Json };
const waitingOn = async (follower: string, dependency: string) =>
  (await ready()).waiting.some((entry) => entry.follower === follower && entry.dependency === dependency);
async function backToReady(): Promise<void> {
  let last: unknown;
  await waitFor(
    async () => {
      last = await ready();
      return (last as { status: string }).status === 'ready';
    },
    RECOVERY_MS,
    'every follower to be back (/ready "ready")',
  ).catch((error: Error) => {
    throw new Error(`${error.message}; last /ready: ${JSON.stringify(last)}`);
  });
}

const loads: Array<{ stop(): Promise<unknown> }> = [];

/** Commands issued back to back by a few clients until stopped: every one must be acknowledged. */
function load(clients = 3) {
  let running = true;
  let acked = 0;
  const failures: string[] = [];
  const workers = Array.from({ length: clients }, async (_, client) => {
    for (let n = 0; running; n += 1) {
      const answer = await call('POST', '/subjects', { kind: 'agent', displayName: `load-${client}-${n}` }).catch((error: Error) => ({
        status: 0,
        json: { error: error.message },
      }));
      if (answer.status === 201) acked += 1;
      else failures.push(`${answer.status} ${JSON.stringify(answer.json)}`);
    }
  });
  const handle = {
    acked: () => acked,
    async stop() {
      running = false;
      await Promise.all(workers);
      return { acked, failures };
    },
  };
  loads.push(handle);
  return handle;
}

// A failed test must not leave its load running into the next one (the log would never stop growing).
afterEach(async () => {
  redis?.thaw();
  nats?.thaw();
  await Promise.all(loads.splice(0).map((each) => each.stop()));
});

const ROLES = `query($orgId: ID!, $subject: ID!) { effectiveRoles(orgId: $orgId, subjectId: $subject) { roles source position } }`;
async function effectiveRoles(orgId: string, subject: string, minPosition?: string): Promise<{ roles: string[]; source: string }> {
  const answer = await call('POST', '/graphql', { query: ROLES, variables: { orgId, subject } }, minPosition ? { 'x-min-position': minPosition } : {});
  if (answer.json.errors) throw new Error(JSON.stringify(answer.json.errors));
  return answer.json.data.effectiveRoles;
}

describe('a Redis outage', () => {
  it('killed, then frozen, mid-load: commands go on, reads stay fresh and fast, every follower comes back by itself', async () => {
    const orgId = (await command('/orgs', { name: 'outage', slug: 'outage-redis' })).orgId as string;
    const subject = (await command('/subjects', { kind: 'agent', displayName: 'cached' })).subjectId as string;
    for (const name of ['member', 'writer', 'editor']) await command(`/orgs/${orgId}/roles`, { name }, 200);
    const member = await command(`/orgs/${orgId}/associations`, { subjectId: subject, role: 'member' });
    await effectiveRoles(orgId, subject, member.position);
    await waitFor(async () => (await effectiveRoles(orgId, subject)).source === 'CACHE', RECOVERY_MS, 'the cache to serve effective roles');
    const traffic = load();

    // Killed: the cache is gone; a roster change made meanwhile is read fresh, during and after.
    await redis.kill();
    const writer = await command(`/orgs/${orgId}/associations`, { subjectId: subject, role: 'writer' });
    expect((await effectiveRoles(orgId, subject, writer.position)).roles).toEqual(['member', 'writer']);
    await waitFor(() => waitingOn('projection:cache-invalidation', 'cache'), RECOVERY_MS, 'cache-invalidation to report its wait on the cache');
    expect((await call('GET', '/ready')).status).toBe(200);
    expect((await ready()).status).toBe('degraded');
    // Reads that wait for the read models do not wait for the cache's invalidations.
    expect((await call('GET', '/platform/decisions')).status).toBe(200);
    await redis.restart();
    await backToReady();
    expect((await effectiveRoles(orgId, subject, writer.position)).roles).toEqual(['member', 'writer']);

    // Frozen: the cache keeps an entry written before the change; it must not be served after the thaw.
    await waitFor(async () => (await effectiveRoles(orgId, subject)).source === 'CACHE', RECOVERY_MS, 'the cache to serve effective roles again');
    await redis.freeze();
    const editor = await command(`/orgs/${orgId}/associations`, { subjectId: subject, role: 'editor' });
    const started = Date.now();
    for (let read = 0; read < 5; read += 1) expect((await effectiveRoles(orgId, subject, editor.position)).roles).toEqual(['editor', 'member', 'writer']);
    // Five reads during the freeze cost about one Redis timeout (CACHE_TIMEOUT_MS, 200 ms here) per
    // CACHE_RETRY_AFTER_MS in all, for the cache and the rate counters alike: well under a second each.
    expect(Date.now() - started).toBeLessThan(2_500);
    await waitFor(() => waitingOn('projection:cache-invalidation', 'cache'), RECOVERY_MS, 'cache-invalidation to report its wait on the frozen cache');
    redis.thaw();
    expect((await effectiveRoles(orgId, subject)).roles).toEqual(['editor', 'member', 'writer']);
    await backToReady();
    expect((await effectiveRoles(orgId, subject)).roles).toEqual(['editor', 'member', 'writer']);

    const outcome = await traffic.stop();
    expect(outcome.failures).toEqual([]);
    expect(outcome.acked).toBeGreaterThan(0);
  });
});

describe('a Redis freeze with rate limiting on Redis', () => {
  it('answers a command and a GET fast: the rate counters fail fast like the cache', async () => {
    // REDIS_URL points at the test's redis-server, so the HTTP rate limit counts in Redis.
    await backToReady();
    expect((await call('GET', '/platform/decisions')).status).toBe(200);
    await redis.freeze();
    // Let the first calls find Redis frozen (one timeout each for the cache and the counters), then time the rest.
    await call('GET', '/platform/decisions');
    for (let round = 0; round < 3; round += 1) {
      let started = Date.now();
      await command('/subjects', { kind: 'agent', displayName: `frozen-${round}` });
      const commandMs = Date.now() - started;
      started = Date.now();
      expect((await call('GET', '/platform/decisions')).status).toBe(200);
      const readMs = Date.now() - started;
      expect({ round, commandMs: commandMs < 750, readMs: readMs < 750 }).toEqual({ round, commandMs: true, readMs: true });
    }
    redis.thaw();
    await backToReady();
  });
});

describe('a NATS outage', () => {
  it('killed, then frozen, mid-load: commands go on, the fan-out catches up by itself and loses no event', async () => {
    const traffic = load();
    await waitFor(() => traffic.acked() >= 5, RECOVERY_MS, 'load');
    await nats.kill();
    const beforeRestart = traffic.acked();
    await waitFor(() => traffic.acked() >= beforeRestart + 10, RECOVERY_MS, 'commands while NATS is down');
    await nats.restart();
    await backToReady();

    await nats.freeze();
    const beforeThaw = traffic.acked();
    await waitFor(() => traffic.acked() >= beforeThaw + 10, RECOVERY_MS, 'commands while NATS is frozen');
    nats.thaw();
    const outcome = await traffic.stop();
    expect(outcome.failures).toEqual([]);

    // Every event of the log reaches the stream, exactly once.
    const db = new Database(join(root, 'app', 'events.db'), { readonly: true, fileMustExist: true });
    const logged = (db.prepare(`SELECT position FROM events WHERE type NOT LIKE '$%' ORDER BY position`).all() as Array<{ position: number }>).map((row) =>
      String(row.position),
    );
    db.close();
    let last: unknown;
    await waitFor(
      async () => {
        const answer = await ready();
        last = answer;
        return answer.status === 'ready' && String(answer.checks.eventFanout?.detail).startsWith(`live at ${logged.at(-1)}`);
      },
      RECOVERY_MS,
      'the fan-out to catch up',
    ).catch((error: Error) => {
      throw new Error(`${error.message}; last /ready: ${JSON.stringify(last)}`);
    });

    const bus = await NatsBus.connect(nats.url, { name: 'outage-check' });
    try {
      const consumer = await natsDurableConsumers(nats.url).consume(bus, { stream: EVENTS_STREAM, durableName: 'outage-check' });
      const seen: string[] = [];
      const reading = (async () => {
        for await (const message of consumer) {
          seen.push(message.headers['Event-Position'] ?? '?');
          await message.ack();
          if (seen.length >= logged.length) break;
        }
      })();
      await waitFor(() => seen.length >= logged.length, RECOVERY_MS, `the stream's ${logged.length} events`);
      await reading;
      expect(new Set(seen).size).toBe(seen.length);
      expect([...seen].sort((a, b) => Number(a) - Number(b))).toEqual(logged);
      const info = await bus.streamInfo(EVENTS_STREAM);
      expect(info.messages).toBe(logged.length);
    } finally {
      await bus.close();
    }
  });
});
