import { describe, expect, it } from 'vitest';
import { createLoaders } from '../../api/graphql/batch.ts';
import { effectiveRolesOf, type HotPathDeps } from '../../api/graphql/hot-paths.ts';
import { MemoryCache } from '../../infra/cache/memory.ts';
import { SqliteDocumentStore } from '../../infra/documents/sqlite.ts';
import { cacheKeys } from '../../projections/read-models/cache-keys.ts';
import type { ProjectionStatus } from '../../projections/runner.ts';

const orgId = '00000000-0000-4000-8000-000000000001';
const subjectId = '00000000-0000-4000-8000-000000000002';

/**
 * The runner as the hot path sees it: where the roster read model is (and the last roster change it applied), and
 * where the cache invalidations are.
 */
function projectionsAt(
  roster: { position: bigint; lastChange: bigint },
  invalidation: bigint,
  invalidationState: ProjectionStatus['state'] = 'live',
): HotPathDeps['projections'] {
  const status = (name: string, position: bigint, lastApplied: bigint, state: ProjectionStatus['state']): ProjectionStatus => ({
    name,
    version: 1,
    state,
    position: position.toString(),
    lastApplied: lastApplied.toString(),
    head: roster.position.toString(),
    lag: 0,
    failure: null,
    waiting: null,
  });
  return {
    position: roster.position,
    status: async () => [
      status('roster', roster.position, roster.lastChange, 'live'),
      status('cache-invalidation', invalidation, invalidation, invalidationState),
    ],
  };
}

/** The subject's effective roles in the org, read now through the hot path with no position to wait for. */
function effectiveRolesNow(docs: SqliteDocumentStore, cache: MemoryCache, projections: HotPathDeps['projections']) {
  return effectiveRolesOf({ docs, cache, projections }, createLoaders(docs), {
    orgId,
    subjectId,
    jobSpace: null,
    now: new Date().toISOString(),
    minPosition: 0n,
  });
}

describe('effective roles from the cache', () => {
  async function withEntry(projections: HotPathDeps['projections']) {
    const docs = new SqliteDocumentStore({ path: ':memory:' });
    const cache = new MemoryCache();
    // Written before a roster change the roster read model has applied since (it no longer holds "writer").
    await cache.setJson(cacheKeys.effectiveRoles(orgId, subjectId, null), { v: 1, position: '5', roles: ['writer'], groups: [] });
    const view = await effectiveRolesNow(docs, cache, projections);
    await docs.close();
    return view;
  }

  it('is served once the invalidations have passed the last roster change, however far other events have gone', async () => {
    expect(await withEntry(projectionsAt({ position: 9n, lastChange: 9n }, 9n))).toMatchObject({ source: 'CACHE', roles: ['writer'] });
    expect(await withEntry(projectionsAt({ position: 90n, lastChange: 7n }, 8n))).toMatchObject({ source: 'CACHE', roles: ['writer'] });
  });

  it('is not served while the invalidation of a roster change is pending (a cache outage being waited out): the read model answers', async () => {
    expect(await withEntry(projectionsAt({ position: 9n, lastChange: 7n }, 6n, 'waiting'))).toMatchObject({ source: 'READ_MODEL', roles: [] });
  });
});

describe('filling the cache after a read-model answer', () => {
  /** The runner seen twice: when the read starts, and after the entry is written. */
  function projectionsMoving(
    before: { position: bigint; invalidationApplied: bigint },
    after: { position: bigint; invalidationApplied: bigint },
  ): HotPathDeps['projections'] {
    const status = (name: string, position: bigint, lastApplied: bigint): ProjectionStatus => ({
      name,
      version: 1,
      state: 'live',
      position: position.toString(),
      lastApplied: lastApplied.toString(),
      head: position.toString(),
      lag: 0,
      failure: null,
      waiting: null,
    });
    let calls = 0;
    return {
      position: before.position,
      status: async () => {
        const at = calls++ === 0 ? before : after;
        return [status('roster', at.position, 3n), status('cache-invalidation', at.position, at.invalidationApplied)];
      },
    };
  }

  async function fillWith(projections: HotPathDeps['projections']) {
    const docs = new SqliteDocumentStore({ path: ':memory:' });
    const cache = new MemoryCache();
    const view = await effectiveRolesNow(docs, cache, projections);
    const kept = await cache.get(cacheKeys.effectiveRoles(orgId, subjectId, null));
    await docs.close();
    return { view, kept: kept !== null };
  }

  it('keeps the entry when only unrelated events passed meanwhile (steady traffic must not starve the cache)', async () => {
    const { view, kept } = await fillWith(projectionsMoving({ position: 10n, invalidationApplied: 3n }, { position: 50n, invalidationApplied: 3n }));
    expect(view.source).toBe('READ_MODEL');
    expect(kept).toBe(true);
  });

  it('drops the entry when a roster change newer than the read was invalidated meanwhile (the write may have followed it)', async () => {
    expect((await fillWith(projectionsMoving({ position: 10n, invalidationApplied: 3n }, { position: 50n, invalidationApplied: 12n }))).kept).toBe(false);
  });
});
