import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { required } from '../../domain/shared/required.ts';
import { SqliteDocumentStore } from '../../infra/documents/sqlite.ts';
import type { Projection } from '../../projections/projection.ts';
import { readModelProjections } from '../../projections/read-models/all.ts';
import { ProjectionRunner } from '../../projections/runner.ts';
import { asSubject, ok, refused } from '../support/governance-fixtures.ts';
import { LogConsumer } from '../../infra/log-consumer/log-consumer.ts';
import { collectionsDump } from '../support/projection-runs.ts';
import { governedStore } from '../support/governed-store.ts';

const docsStore = () => new SqliteDocumentStore({ path: join(mkdtempSync(join(tmpdir(), 'ag-docs-')), 'read-models.db') });

async function history() {
  const { store, registry, g } = governedStore();
  const orgId = await g.registerOrg('projected');
  const alice = await g.registerSubject('alice', [{ name: 'writing', level: 5 }]);
  const bob = await g.registerSubject('bob');
  ok(await g.defineRole(orgId, { name: 'editor', maxHolders: 1 }));
  ok(await g.defineRole(orgId, { name: 'writer' }));
  ok(await g.grant(orgId, alice, 'editor'));
  ok(await g.grant(orgId, bob, 'writer'));
  refused(await g.updateOrg(orgId, 'not allowed', asSubject(bob)));
  await g.publishPolicy(orgId, [{ id: 'editors-grant', effect: 'permit', actions: ['roster.role.grant'], roles: ['editor'], reason: 'editors staff' }]);
  ok(await g.updateOrg(orgId, 'a lab'));
  return { store, registry, orgId, alice, bob, g };
}

const allCollections = readModelProjections.flatMap((projection) => projection.collections);

describe('the projection runner', () => {
  it('builds the read models from the log and reaches the head', async () => {
    const { store, registry, orgId, alice } = await history();
    const docs = docsStore();
    const runner = new ProjectionRunner(new LogConsumer(store), docs, registry, readModelProjections);
    await runner.start();
    expect(await runner.waitFor(await store.headPosition())).toBe(true);
    expect(await docs.get('orgs', orgId)).toMatchObject({ slug: 'projected', description: 'a lab', status: 'active' });
    const editors = await docs.find('associations', {
      filter: {
        and: [
          { field: 'orgId', op: 'eq', value: orgId },
          { field: 'role', op: 'eq', value: 'editor' },
        ],
      },
      limit: 10,
    });
    expect(editors.items.map((item) => item.subjectId)).toEqual([alice]);
    const denied = await docs.find('decisions', {
      filter: {
        and: [
          { field: 'orgId', op: 'eq', value: orgId },
          { field: 'outcome', op: 'eq', value: 'not-permitted' },
        ],
      },
      limit: 10,
    });
    expect(denied.items).toHaveLength(1);
    expect(await docs.count('policy_versions', { field: 'status', op: 'eq', value: 'published' })).toBe(1);
    const status = await runner.status();
    expect(status.every((projection) => projection.state === 'live' && projection.lag === 0)).toBe(true);
    await runner.stop();
  });

  it('is idempotent: replaying the log over existing read models changes nothing, and a rebuild equals them', async () => {
    const { store, registry } = await history();
    const docs = docsStore();
    const first = new ProjectionRunner(new LogConsumer(store), docs, registry, readModelProjections);
    await first.start();
    await first.waitFor(await store.headPosition());
    await first.stop();
    const built = await collectionsDump(docs, allCollections);

    // Forget the checkpoints but keep the documents: every event is applied a second time.
    await docs.dropCollection('_projections');
    const replay = new ProjectionRunner(new LogConsumer(store), docs, registry, readModelProjections);
    await replay.start();
    await replay.waitFor(await store.headPosition());
    expect(await collectionsDump(docs, allCollections)).toEqual(built);

    for (const name of replay.names()) await replay.rebuild(name);
    await replay.waitFor(await store.headPosition());
    expect(await collectionsDump(docs, allCollections)).toEqual(built);
    await replay.stop();
  });

  it('follows new events live, and tells read-your-writes when a position is reached', async () => {
    const { store, registry, orgId, g } = await history();
    const docs = docsStore();
    const runner = new ProjectionRunner(new LogConsumer(store), docs, registry, readModelProjections);
    await runner.start();
    const updated = ok(await g.updateOrg(orgId, 'changed live'));
    expect(await runner.waitFor(required(updated.position, 'the position of the update'))).toBe(true);
    expect(await docs.get('orgs', orgId)).toMatchObject({ description: 'changed live' });
    await runner.stop();
  });

  it('stops at an event its projection cannot apply, reports it, and does not skip it', async () => {
    const { store, registry } = await history();
    const docs = docsStore();
    const failing: Projection = {
      name: 'fragile',
      version: 1,
      eventTypes: ['RoleGranted'],
      collections: ['fragile'],
      async setup() {},
      async apply(event) {
        throw new Error(`cannot handle ${event.type}`);
      },
    };
    const runner = new ProjectionRunner(new LogConsumer(store), docs, registry, [failing]);
    await runner.start();
    await expect.poll(async () => (await runner.status())[0]?.state, { timeout: 3000 }).toBe('failed');
    const [status] = await runner.status();
    expect(status).toMatchObject({ state: 'failed', failure: { type: 'RoleGranted', message: 'cannot handle RoleGranted' } });
    const firstGrant = [];
    for await (const event of store.readAll({ filter: { eventTypes: ['RoleGranted'] }, maxCount: 1 })) firstGrant.push(event);
    expect(status?.position).toBe((required(firstGrant[0], 'the first grant').position - 1n).toString());
    expect(await runner.waitFor(await store.headPosition(), 200)).toBe(false);
    await runner.stop();
  });
});
