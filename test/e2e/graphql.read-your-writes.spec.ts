import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestServer } from '../support/api-server.ts';
import type { Filter, JsonDocument, UpdateOps } from '../../infra/documents/port.ts';
import { SqliteDocumentStore } from '../../infra/documents/sqlite.ts';
import { ForwardingDocumentStore } from '../support/forwarding-documents.ts';
import { cacheKeys } from '../../projections/read-models/cache-keys.ts';
import { codes, gql, graphqlServer, readModelsCaughtUp } from './graphql.client.ts';
import { waitFor } from '../support/async.ts';

/** The real store; writes to the held collections wait until released, so the projections fall behind on demand. */
class GatedDocumentStore extends ForwardingDocumentStore {
  private held: ReadonlySet<string> | 'all' | null = null;
  private gate: Promise<void> = Promise.resolve();
  private open: () => void = () => undefined;

  hold(collections: readonly string[] | 'all' = 'all'): void {
    this.held = collections === 'all' ? 'all' : new Set(collections);
    this.gate = new Promise((resolve) => {
      this.open = resolve;
    });
  }

  release(): void {
    this.held = null;
    this.open();
  }

  private async pass(collection: string): Promise<void> {
    while (this.held === 'all' || this.held?.has(collection)) await this.gate;
  }

  override async upsert(collection: string, document: JsonDocument): Promise<void> {
    await this.pass(collection);
    return this.inner.upsert(collection, document);
  }
  override async update(collection: string, id: string, ops: UpdateOps): Promise<boolean> {
    await this.pass(collection);
    return this.inner.update(collection, id, ops);
  }
  override async updateMany(collection: string, filter: Filter, ops: UpdateOps): Promise<number> {
    await this.pass(collection);
    return this.inner.updateMany(collection, filter, ops);
  }
  override async delete(collection: string, id: string): Promise<boolean> {
    await this.pass(collection);
    return this.inner.delete(collection, id);
  }
  override async deleteMany(collection: string, filter: Filter): Promise<number> {
    await this.pass(collection);
    return this.inner.deleteMany(collection, filter);
  }
}

const roleNames = `query($orgId: ID!) { org(id: $orgId) { roles { edges { node { name } } } } }`;
type RoleNames = { org: { roles: { edges: Array<{ node: { name: string } }> } } | null };
const names = (answer: { data: RoleNames | null }) => answer.data?.org?.roles.edges.map((edge) => edge.node.name);

describe('GraphQL read-your-writes', () => {
  const docs = new GatedDocumentStore(new SqliteDocumentStore({ path: ':memory:' }));
  // The wait is bounded at 5 s by default; 1 s here keeps the test short.
  const { server, api } = useTestServer(graphqlServer(docs, { readYourWritesTimeoutMs: 1000 }));
  let orgId: string;
  let subject: string;

  beforeAll(async () => {
    orgId = await api.registerOrg('consistent');
    await api.defineRole(orgId, { name: 'member' });
    subject = await api.registerSubject('Reader');
    await api.expectStatus(await api.grant(orgId, subject, 'member'), 201);
    await readModelsCaughtUp(server);
  });

  afterAll(async () => {
    docs.release();
  });

  it('waits for the position a command returned (header or argument) and then sees the write', async () => {
    docs.hold();
    try {
      const defined = await api.defineRole(orgId, { name: 'writer' });
      expect(typeof defined.position).toBe('string');
      // Without asking, the answer may be stale: the projections are held behind the write.
      expect(names(await gql<RoleNames>(server, roleNames, { orgId }))).toEqual(['member']);

      const started = Date.now();
      setTimeout(() => docs.release(), 300);
      const viaHeader = gql<RoleNames>(server, roleNames, { orgId }, { headers: { 'x-min-position': defined.position } });
      const viaArgument = gql<RoleNames>(
        server,
        `query($orgId: ID!, $position: String) { org(id: $orgId, minPosition: $position) { roles { edges { node { name } } } } }`,
        { orgId, position: defined.position },
      );
      const [header, argument] = await Promise.all([viaHeader, viaArgument]);
      expect(Date.now() - started).toBeGreaterThanOrEqual(250);
      expect(header.errors).toEqual([]);
      expect(names(header)).toEqual(['member', 'writer']);
      expect(names(argument)).toEqual(['member', 'writer']);
    } finally {
      docs.release();
    }
  });

  it('answers READ_MODEL_BEHIND rather than stale data when the position is not reached in time', async () => {
    docs.hold();
    try {
      const defined = await api.defineRole(orgId, { name: 'late' });
      const started = Date.now();
      const answer = await gql<RoleNames>(server, roleNames, { orgId }, { headers: { 'x-min-position': defined.position } });
      expect(Date.now() - started).toBeGreaterThanOrEqual(950);
      expect(answer.data).toEqual({ org: null });
      expect(codes(answer)).toEqual(['READ_MODEL_BEHIND']);
      const details = answer.errors[0]?.extensions?.details ?? {};
      expect(details.position).toBe(defined.position);
      expect(BigInt(String(details.reached))).toBeLessThan(BigInt(defined.position));
      expect(details.waitedMs).toBeGreaterThanOrEqual(950);
    } finally {
      docs.release();
    }
    await readModelsCaughtUp(server);
  });

  it('refuses a malformed or impossible position', async () => {
    expect(codes(await gql(server, roleNames, { orgId }, { headers: { 'x-min-position': 'latest' } }))).toEqual(['INVALID_HEADER']);
    expect(codes(await gql(server, `{ org(id: "${orgId}", minPosition: "-1") { id } }`))).toEqual(['VALIDATION_FAILED']);
    const beyond = await gql(server, roleNames, { orgId }, { headers: { 'x-min-position': '99999999' } });
    expect(codes(beyond)).toEqual(['READ_MODEL_BEHIND']);
    expect(beyond.errors[0]?.extensions?.details).toMatchObject({ position: '99999999', head: String(await server.platform.store.headPosition()) });
  });

  it('serves effective roles from the cache, invalidated by roster events, never older than the position asked', async () => {
    const query = `query($orgId: ID!, $subject: ID!) { effectiveRoles(orgId: $orgId, subjectId: $subject) { roles source position } }`;
    type Answer = { effectiveRoles: { roles: string[]; source: string; position: string } };
    await readModelsCaughtUp(server);
    const first = await gql<Answer>(server, query, { orgId, subject });
    expect(first.data?.effectiveRoles).toMatchObject({ roles: ['member'], source: 'READ_MODEL' });
    const second = await gql<Answer>(server, query, { orgId, subject });
    expect(second.data?.effectiveRoles).toMatchObject({ roles: ['member'], source: 'CACHE', position: first.data?.effectiveRoles.position });
    expect(await server.platform.cache.get(cacheKeys.effectiveRoles(orgId, subject, null))).not.toBeNull();

    const granted = await api.expectStatus(await api.grant(orgId, subject, 'writer'), 201);
    const fresh = await gql<Answer>(server, query, { orgId, subject }, { headers: { 'x-min-position': granted.position } });
    expect(fresh.data?.effectiveRoles.roles).toEqual(['member', 'writer']);
    expect(BigInt(fresh.data?.effectiveRoles.position ?? '0')).toBeGreaterThanOrEqual(BigInt(granted.position));
  });

  it('does not keep a cache fill that raced an invalidation', async () => {
    const query = `query($orgId: ID!, $subject: ID!) { effectiveRoles(orgId: $orgId, subjectId: $subject) { roles source } }`;
    type Answer = { effectiveRoles: { roles: string[]; source: string } };
    const other = await api.registerSubject('Racer');
    await api.expectStatus(await api.grant(orgId, other, 'member'), 201);
    await readModelsCaughtUp(server);

    // The roster read model falls behind a grant whose cache invalidation has already run...
    docs.hold(['associations']);
    let granted: { position: string };
    try {
      granted = await api.expectStatus(await api.grant(orgId, other, 'writer'), 201);
      const invalidated = async () => (await server.platform.projections.status()).find((projection) => projection.name === 'cache-invalidation')?.position;
      await waitFor(async () => BigInt((await invalidated()) ?? '0') >= BigInt(granted.position), 5000, 'the cache to be invalidated');
      // ...so this answer is computed from the stale read model (allowed: it asked for no position)...
      const stale = await gql<Answer>(server, query, { orgId, subject: other });
      expect(stale.data?.effectiveRoles).toEqual({ roles: ['member'], source: 'READ_MODEL' });
    } finally {
      docs.release();
    }
    // ...and must not survive in the cache once the read model has caught up.
    await readModelsCaughtUp(server);
    const after = await gql<Answer>(server, query, { orgId, subject: other });
    expect(after.data?.effectiveRoles.roles).toEqual(['member', 'writer']);
  });

  it('resolves an org by slug through the cache and falls back to the read model on a miss', async () => {
    const query = `{ orgBySlug(slug: "consistent") { id } }`;
    expect(await server.platform.cache.get(cacheKeys.orgBySlug('consistent'))).toBe(orgId);
    await server.platform.cache.delete(cacheKeys.orgBySlug('consistent'));
    expect((await gql<{ orgBySlug: { id: string } }>(server, query)).data?.orgBySlug.id).toBe(orgId);
    expect(await server.platform.cache.get(cacheKeys.orgBySlug('consistent'))).toBe(orgId);
    // A garbage entry is never trusted.
    await server.platform.cache.set(cacheKeys.orgBySlug('consistent'), 'not-an-id');
    expect((await gql<{ orgBySlug: { id: string } }>(server, query)).data?.orgBySlug.id).toBe(orgId);
  });
});
