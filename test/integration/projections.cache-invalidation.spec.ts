import { describe, expect, it } from 'vitest';
import { required } from '../../domain/shared/required.ts';
import { MemoryCache } from '../../infra/cache/memory.ts';
import { SqliteDocumentStore } from '../../infra/documents/sqlite.ts';
import { cacheKeys } from '../../projections/read-models/cache-keys.ts';
import { readModelProjections } from '../../projections/read-models/all.ts';
import { ProjectionRunner } from '../../projections/runner.ts';
import { ok } from '../support/governance-fixtures.ts';
import { LogConsumer } from '../../infra/log-consumer/log-consumer.ts';
import { governedStore } from '../support/governed-store.ts';

describe('hot-path caches', () => {
  it('learn slug -> org id from the log and drop cached effective roles when the roster changes', async () => {
    const { store, registry, g } = governedStore();
    const cache = new MemoryCache();
    const runner = new ProjectionRunner(new LogConsumer(store), new SqliteDocumentStore({ path: ':memory:' }), registry, readModelProjections, cache);
    await runner.start();

    const orgId = await g.registerOrg('cached');
    const subject = await g.registerSubject('cached-subject');
    ok(await g.defineRole(orgId, { name: 'writer' }));
    await runner.waitFor(await store.headPosition());
    expect(await cache.get(cacheKeys.orgBySlug('cached'))).toBe(orgId);

    await cache.set(cacheKeys.effectiveRoles(orgId, subject, null), JSON.stringify({ roles: [] }));
    await cache.set(cacheKeys.effectiveRoles('other-org', subject, null), 'untouched');
    const granted = ok(await g.grant(orgId, subject, 'writer'));
    await runner.waitFor(required(granted.position, 'the position of the grant'));
    expect(await cache.get(cacheKeys.effectiveRoles(orgId, subject, null))).toBeNull();
    expect(await cache.get(cacheKeys.effectiveRoles('other-org', subject, null))).toBe('untouched');
    await runner.stop();
  });
});
