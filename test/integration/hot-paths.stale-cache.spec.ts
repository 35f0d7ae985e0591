import { describe, expect, it } from 'vitest';
import { createLoaders } from '../../api/graphql/batch.ts';
import { effectiveRolesOf, type HotPathDeps } from '../../api/graphql/hot-paths.ts';
import { MemoryCache } from '../../infra/cache/memory.ts';
import { SqliteDocumentStore } from '../../infra/documents/sqlite.ts';
import { cacheKeys } from '../../projections/read-models/cache-keys.ts';
import type { ProjectionStatus } from '../../projections/runner.ts';

const orgId = '00000000-0000-4000-8000-000000000001';
const subjectId = '00000000-0000-4000-8000-000000000002';

/** The runner as the hot path sees it: where the roster read model and the cache invalidations are. */
function projectionsAt(roster: bigint, invalidation: bigint, invalidationState: ProjectionStatus['state'] = 'live'): HotPathDeps['projections'] {
  const status = (name: string, position: bigint, state: ProjectionStatus['state']): ProjectionStatus => ({
    name,
    version: 1,
    state,
    position: position.toString(),
    head: roster.toString(),
    lag: 0,
    failure: null,
    waiting: null,
  });
  return {
    position: roster,
    status: async () => [status('roster', roster, 'live'), status('cache-invalidation', invalidation, invalidationState)],
  };
}

describe('effective roles from the cache', () => {
  async function withEntry(projections: HotPathDeps['projections']) {
    const docs = new SqliteDocumentStore({ path: ':memory:' });
    const cache = new MemoryCache();
    // Written before a roster change the roster read model has applied since (it no longer holds "writer").
    await cache.setJson(cacheKeys.effectiveRoles(orgId, subjectId, null), { v: 1, position: '5', roles: ['writer'], groups: [] });
    const view = await effectiveRolesOf({ docs, cache, projections }, createLoaders(docs), { orgId, subjectId, jobSpace: null, now: new Date().toISOString(), minPosition: 0n });
    await docs.close();
    return view;
  }

  it('is served while the invalidation projection has caught up with the roster read model', async () => {
    expect(await withEntry(projectionsAt(9n, 9n))).toMatchObject({ source: 'CACHE', roles: ['writer'] });
  });

  it('is not served while invalidations lag the roster read model (a cache outage being waited out): the read model answers', async () => {
    expect(await withEntry(projectionsAt(9n, 6n, 'waiting'))).toMatchObject({ source: 'READ_MODEL', roles: [] });
  });
});
