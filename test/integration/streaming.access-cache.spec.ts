import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authenticate } from '../../api/auth/authenticate.ts';
import { StreamAccess, type StreamAccessOptions } from '../../api/streaming/access.ts';
import type { StreamReader } from '../../commands/stream-loader.ts';
import { isAppError } from '../../domain/shared/app-error.ts';
import { ADMIN_KEY, startTestServer, type TestServer } from '../support/server.ts';

/** A stream's access answers: decided once per org and action, held for ttlMs on the injected clock, bounded. */
describe('the answers a stream keeps about what its principal may read', () => {
  let server: TestServer;
  let loads = 0;
  let now = 0;

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server.close();
  });

  function access(options: StreamAccessOptions): StreamAccess {
    const counting: StreamReader = {
      load: (decider, streamId) => {
        loads += 1;
        return server.platform.loader.load(decider, streamId);
      },
    };
    const principal = authenticate(`Bearer ${ADMIN_KEY}`, server.platform.apiKeys);
    if (isAppError(principal)) throw new Error(principal.message);
    return new StreamAccess(counting, server.platform.apiKeys, principal, { clock: () => now, ...options });
  }

  /** Streams read by one call: 0 when the answer came from the cache. */
  async function readsOf(call: () => Promise<boolean>): Promise<{ allowed: boolean; reads: number }> {
    const before = loads;
    const allowed = await call();
    return { allowed, reads: loads - before };
  }

  it('decides once, answers from memory until ttlMs has passed, then decides again', async () => {
    now = 0;
    const stream = access({ ttlMs: 1000 });
    const first = await readsOf(() => stream.allows('org-a', 'org.read'));
    expect(first.reads).toBeGreaterThan(0);
    now = 999;
    expect(await readsOf(() => stream.allows('org-a', 'org.read'))).toEqual({ allowed: first.allowed, reads: 0 });
    now = 1001;
    expect((await readsOf(() => stream.allows('org-a', 'org.read'))).reads).toBeGreaterThan(0);
  });

  it('keeps at most maxEntries answers, dropping the oldest decided', async () => {
    now = 0;
    const stream = access({ ttlMs: 60_000, maxEntries: 1 });
    await stream.allows('org-a', 'org.read');
    expect((await readsOf(() => stream.allows('org-a', 'org.read'))).reads).toBe(0);
    await stream.allows('org-b', 'org.read');
    expect((await readsOf(() => stream.allows('org-a', 'org.read'))).reads).toBeGreaterThan(0);
  });

  it('refuses a ttl that would never expire', () => {
    expect(() => access({ ttlMs: 0 })).toThrow(RangeError);
  });
});
