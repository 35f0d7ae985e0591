import { beforeAll, describe, expect, it } from 'vitest';
import { useTestServer } from '../support/api-server.ts';
import type { FindOptions, JsonDocument, Page } from '../../infra/documents/port.ts';
import { SqliteDocumentStore } from '../../infra/documents/sqlite.ts';
import { ForwardingDocumentStore } from '../support/forwarding-documents.ts';
import { gql, graphqlServer, readModelsCaughtUp } from './graphql.client.ts';

/** The real store, with every read recorded (wrapping, not mocking: every call goes through to SQLite). */
class CountingDocumentStore extends ForwardingDocumentStore {
  readonly calls: Array<{ method: 'get' | 'getMany' | 'find'; collection: string; ids?: readonly string[] }> = [];
  recording = false;

  override get(collection: string, id: string): Promise<JsonDocument | undefined> {
    if (this.recording) this.calls.push({ method: 'get', collection });
    return this.inner.get(collection, id);
  }
  override getMany(collection: string, ids: readonly string[]): Promise<Array<JsonDocument | undefined>> {
    if (this.recording) this.calls.push({ method: 'getMany', collection, ids: [...ids] });
    return this.inner.getMany(collection, ids);
  }
  override find(collection: string, options: FindOptions): Promise<Page> {
    if (this.recording) this.calls.push({ method: 'find', collection });
    return this.inner.find(collection, options);
  }

  /** Reads a query makes, from the moment recording starts (projections write, the API reads). */
  async during<T>(run: () => Promise<T>): Promise<T> {
    this.calls.length = 0;
    this.recording = true;
    try {
      return await run();
    } finally {
      this.recording = false;
    }
  }

  of(method: 'get' | 'getMany' | 'find', collection: string) {
    return this.calls.filter((call) => call.method === method && call.collection === collection);
  }
}

describe('GraphQL batching (no N+1)', () => {
  const docs = new CountingDocumentStore(new SqliteDocumentStore({ path: ':memory:' }));
  const { server, api } = useTestServer(graphqlServer(docs));
  let orgId: string;
  const subjects: string[] = [];

  beforeAll(async () => {
    orgId = await api.registerOrg('batched');
    await api.defineRole(orgId, { name: 'member' });
    await api.defineRole(orgId, { name: 'agent', inherits: ['member'] });
    for (let index = 0; index < 50; index += 1) {
      const subject = await api.registerSubject(`Agent ${String(index).padStart(2, '0')}`);
      subjects.push(subject);
      await api.expectStatus(await api.grant(orgId, subject, index % 2 === 0 ? 'member' : 'agent'), 201);
    }
    await readModelsCaughtUp(server);
  }, 60_000);

  it('lists 50 associations with their subjects, roles and org in one getMany per collection', async () => {
    const answer = await docs.during(() =>
      gql<{
        associations: { edges: Array<{ node: { subject: { id: string; displayName: string }; roleDefinition: { name: string }; org: { slug: string } } }> };
      }>(
        server,
        `query($orgId: ID!) { associations(orgId: $orgId, first: 50) { edges { node {
          subject { id displayName } roleDefinition { name } org { slug }
        } } } }`,
        { orgId },
      ),
    );
    expect(answer.errors).toEqual([]);
    const nodes = answer.data?.associations.edges.map((edge) => edge.node) ?? [];
    expect(nodes).toHaveLength(50);
    expect(new Set(nodes.map((node) => node.subject.id))).toEqual(new Set(subjects));
    expect(nodes.every((node) => node.org.slug === 'batched')).toBe(true);

    const subjectBatches = docs.of('getMany', 'subjects');
    expect(subjectBatches).toHaveLength(1);
    expect(new Set(subjectBatches[0]?.ids)).toEqual(new Set(subjects));
    expect(docs.of('get', 'subjects')).toHaveLength(0);
    // Two role names among 50 associations: one batch with each name once; one org, fetched once.
    expect(docs.of('getMany', 'roles')).toHaveLength(1);
    expect(docs.of('getMany', 'roles')[0]?.ids).toHaveLength(2);
    expect(docs.of('getMany', 'orgs')).toHaveLength(1);
    expect(docs.of('find', 'associations')).toHaveLength(1);
  });

  it('fetches a document once per request however many fields point at it', async () => {
    const answer = await docs.during(() =>
      gql(
        server,
        `query($orgId: ID!, $subject: ID!) {
          a: subject(id: $subject) { displayName }
          b: subject(id: $subject) { displayName }
          associations(orgId: $orgId, filter: { subjectId: $subject }) { edges { node { subject { displayName } org { slug } } } }
          org(id: $orgId) { slug roles { edges { node { name inheritedRoles { name } } } } }
        }`,
        { orgId, subject: subjects[1] },
      ),
    );
    expect(answer.errors).toEqual([]);
    const subjectIds = docs.of('getMany', 'subjects').flatMap((call) => call.ids ?? []);
    expect(subjectIds).toEqual([subjects[1]]);
    expect(docs.of('getMany', 'orgs').flatMap((call) => call.ids ?? [])).toEqual([orgId]);
    // Roles listed by Org.roles are primed into the loader: `inheritedRoles` costs no read.
    expect(docs.of('getMany', 'roles')).toHaveLength(0);
  });

  it('batches relations of every parent in a list of lists into one read per level', async () => {
    const answer = await docs.during(() =>
      gql<{ org: { roles: { edges: Array<{ node: { holders: { edges: Array<{ node: { subject: { id: string } } }> } } }> } } }>(
        server,
        `query($orgId: ID!) { org(id: $orgId) { roles { edges { node { name holders(first: 30) { edges { node { subject { id } } } } } } } } }`,
        { orgId },
      ),
    );
    expect(answer.errors).toEqual([]);
    const holders = answer.data?.org.roles.edges.flatMap((edge) => edge.node.holders.edges.map((holder) => holder.node.subject.id)) ?? [];
    expect(new Set(holders)).toEqual(new Set(subjects));
    // One connection per role (two roles); the subjects behind them in one batch per connection at most (with the
    // embedded store both connections complete in the same tick: a single batch), never one read per subject.
    const batches = docs.of('getMany', 'subjects');
    expect(batches.length).toBeLessThanOrEqual(2);
    expect(batches.flatMap((call) => call.ids ?? []).sort()).toEqual([...subjects].sort());
  });
});
