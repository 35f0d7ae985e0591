import { describe, expect, it } from 'vitest';
import { CacheUnavailableError } from '../../infra/cache/errors.ts';
import { DocumentStoreUnavailableError } from '../../infra/documents/errors.ts';
import { SqliteDocumentStore } from '../../infra/documents/sqlite.ts';
import type { Projection } from '../../projections/projection.ts';
import { ProjectionRunner } from '../../projections/runner.ts';
import { ok } from '../support/governance-fixtures.ts';
import { LogConsumer } from '../../infra/log-consumer/log-consumer.ts';
import { governedStore } from '../support/governed-store.ts';

/** A projection whose dependency is down until `restore()`: every apply of a RoleGranted fails with `outage()` meanwhile. */
function dependentProjection(outage: () => Error) {
  let down = true;
  const applied: string[] = [];
  let attempts = 0;
  const projection: Projection = {
    name: 'dependent',
    version: 1,
    eventTypes: ['RoleGranted'],
    collections: [],
    async setup() {},
    async apply(event) {
      attempts += 1;
      if (down) throw outage();
      applied.push(event.eventId);
    },
  };
  return {
    projection,
    applied,
    attempts: () => attempts,
    restore: () => {
      down = false;
    },
  };
}

async function logWithGrants() {
  const { store, registry, g } = governedStore();
  const orgId = await g.registerOrg('outage');
  const alice = await g.registerSubject('alice');
  ok(await g.defineRole(orgId, { name: 'writer' }));
  ok(await g.grant(orgId, alice, 'writer'));
  return { store, registry };
}

describe('a projection whose dependency is unavailable', () => {
  for (const [dependency, outage] of [
    ['cache', () => new CacheUnavailableError('Redis is unavailable: Command timed out')],
    ['documents', () => new DocumentStoreUnavailableError('MongoDB is unavailable')],
    // Wrapped: the outage is found through `cause`.
    ['cache', () => new Error('invalidation failed', { cause: new CacheUnavailableError('Connection is closed.') })],
  ] as const) {
    it(`waits (${dependency}: ${outage().message}), reports it, and applies the same event once it answers`, async () => {
      const { store, registry } = await logWithGrants();
      const docs = new SqliteDocumentStore({ path: ':memory:' });
      const fixture = dependentProjection(outage);
      const runner = new ProjectionRunner(new LogConsumer(store), docs, registry, [fixture.projection], undefined, { retry: { minMs: 1, maxMs: 20 } });
      await runner.start();
      await expect.poll(async () => (await runner.status())[0]?.state, { timeout: 5000 }).toBe('waiting');
      await expect.poll(() => fixture.attempts(), { timeout: 5000 }).toBeGreaterThan(3);
      const [waiting] = await runner.status();
      expect(waiting).toMatchObject({ state: 'waiting', failure: null, waiting: { dependency } });

      fixture.restore();
      expect(await runner.waitFor(await store.headPosition(), 5000)).toBe(true);
      const [after] = await runner.status();
      expect(after).toMatchObject({ state: 'live', failure: null, waiting: null });
      expect(fixture.applied).toHaveLength(1);
      await runner.stop();
      await docs.close();
      await store.close();
    });
  }

  it('stops on anything else: a poison event is not retried forever', async () => {
    const { store, registry } = await logWithGrants();
    const docs = new SqliteDocumentStore({ path: ':memory:' });
    const fixture = dependentProjection(() => new TypeError('cannot read properties of undefined'));
    const runner = new ProjectionRunner(new LogConsumer(store), docs, registry, [fixture.projection], undefined, { retry: { minMs: 1, maxMs: 20 } });
    await runner.start();
    await expect.poll(async () => (await runner.status())[0]?.state, { timeout: 5000 }).toBe('failed');
    expect(fixture.attempts()).toBe(1);
    await runner.stop();
    await docs.close();
    await store.close();
  });
});
