import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { DuplicateKeyError } from '../../infra/documents/errors.ts';
import { SqliteDocumentStore } from '../../infra/documents/sqlite.ts';
import { describeDocumentStoreContract } from './documents.contract.ts';

const dbFile = () => join(mkdtempSync(join(tmpdir(), 'ag-docs-')), 'read-models.db');

describeDocumentStoreContract('embedded SQLite (file, WAL)', async () => new SqliteDocumentStore({ path: dbFile() }));

describe('embedded SQLite document store', () => {
  const opened: SqliteDocumentStore[] = [];
  const open = (path = dbFile()) => {
    const store = new SqliteDocumentStore({ path });
    opened.push(store);
    return store;
  };
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((store) => store.close()));
  });
  /** The store's connection, for what a test needs to look at (the adapter keeps it private). */
  const connectionOf = (store: SqliteDocumentStore) => (store as unknown as { db: Database.Database }).db;
  const plan = (store: SqliteDocumentStore, sql: string) =>
    (connectionOf(store).prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as Array<{ detail: string }>).map((row) => row.detail).join(' | ');

  it('keeps one WAL-mode file', async () => {
    const path = dbFile();
    const store = open(path);
    await store.upsert('orgs', { _id: 'o1' });
    expect(connectionOf(store).pragma('journal_mode', { simple: true })).toBe('wal');
    const other = new Database(path, { readonly: true });
    try {
      expect(other.prepare('SELECT count(*) AS n FROM docs_orgs').get()).toEqual({ n: 1 });
    } finally {
      other.close();
    }
  });

  it('serves equality filters and sorted pages from the expression index while no document holds an array there', async () => {
    const store = open();
    await store.ensureIndex('orgs', { name: 'by_slug', fields: [{ field: 'slug', direction: 'asc' }], unique: true });
    await store.ensureIndex('orgs', { name: 'by_created', fields: [{ field: 'meta.created', direction: 'desc' }] });
    for (let n = 0; n < 50; n += 1) await store.upsert('orgs', { _id: `o${n}`, slug: `org-${n}`, meta: { created: n }, tags: ['x'] });

    const db = connectionOf(store);
    const calls: string[] = [];
    const prepare = db.prepare.bind(db);
    db.prepare = ((source: string) => {
      calls.push(source);
      return prepare(source);
    }) as typeof db.prepare;
    try {
      expect((await store.find('orgs', { filter: { field: 'slug', op: 'eq', value: 'org-7' }, limit: 5 })).items.map((d) => d._id)).toEqual(['o7']);
      const page = await store.find('orgs', { sort: [{ field: 'meta.created', direction: 'desc' }], limit: 3 });
      expect(page.items.map((d) => d._id)).toEqual(['o49', 'o48', 'o47']);
      const next = await store.find('orgs', { sort: [{ field: 'meta.created', direction: 'desc' }], limit: 3, after: page.endCursor });
      expect(next.items.map((d) => d._id)).toEqual(['o46', 'o45', 'o44']);
    } finally {
      db.prepare = prepare;
    }
    const [byslug, sorted, after] = calls.filter((sql) => sql.startsWith('SELECT d.id'));
    expect(plan(store, (byslug ?? '').replace('@p0', "'org-7'").replace('@p1', '6'))).toMatch(/USING INDEX "?ix\$orgs\$by_slug/);
    expect(plan(store, (sorted ?? '').replace('@p0', '4'))).toMatch(/SCAN d USING INDEX "?ix\$orgs\$by_created/);
    const afterPlan = plan(store, (after ?? '').replace('@p0', '1').replace('@p1', '47').replace('@p2', "'o47'").replace('@p3', '4'));
    expect(afterPlan).toMatch(/USING INDEX "?ix\$orgs\$by_created/);
    expect(afterPlan).not.toMatch(/TEMP B-TREE/);
    // `tags` holds arrays: filters on it go through json_each, and still answer.
    expect(await store.count('orgs', { field: 'tags', op: 'eq', value: 'x' })).toBe(50);
  });

  it('switches a path to array semantics as soon as one document holds an array there, also for another connection', async () => {
    const path = dbFile();
    const writer = open(path);
    const reader = open(path);
    await writer.upsert('subjects', { _id: 's1', role: 'admin' });
    await writer.upsert('subjects', { _id: 's2', role: 'viewer' });
    expect(await reader.count('subjects', { field: 'role', op: 'eq', value: 'admin' })).toBe(1);
    expect(await reader.count('subjects', { field: 'role', op: 'contains', value: 'admin' })).toBe(0);

    await writer.upsert('subjects', { _id: 's3', role: ['admin', 'auditor'] });
    expect(await reader.count('subjects', { field: 'role', op: 'eq', value: 'admin' })).toBe(2);
    expect(await reader.count('subjects', { field: 'role', op: 'contains', value: 'admin' })).toBe(1);

    // Also when the array arrives through an update.
    await writer.upsert('subjects', { _id: 's4', profile: { team: 'a' } });
    expect(await reader.count('subjects', { field: 'profile.team', op: 'eq', value: 'b' })).toBe(0);
    await writer.update('subjects', 's4', { set: { profile: [{ team: 'b' }] } });
    expect(await reader.count('subjects', { field: 'profile.team', op: 'eq', value: 'b' })).toBe(1);
  });

  it('lets exactly one of two connections take a unique key', async () => {
    const path = dbFile();
    const a = open(path);
    const b = open(path);
    await a.ensureIndex('orgs', { name: 'by_slug', fields: [{ field: 'slug', direction: 'asc' }], unique: true });
    const outcomes = await Promise.allSettled([a.upsert('orgs', { _id: 'x', slug: 's' }), b.upsert('orgs', { _id: 'y', slug: 's' })]);
    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
    const failure = outcomes.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
    expect(failure?.reason).toBeInstanceOf(DuplicateKeyError);
    expect(failure?.reason).toMatchObject({ collection: 'orgs', index: 'by_slug' });
  });

  it('rolls back a failing updateMany as a whole', async () => {
    const store = open();
    await store.ensureIndex('orgs', { name: 'by_slug', fields: [{ field: 'slug', direction: 'asc' }], unique: true });
    await store.upsert('orgs', { _id: 'a', slug: 'a' });
    await store.upsert('orgs', { _id: 'b', slug: 'b' });
    await expect(store.updateMany('orgs', { field: 'slug', op: 'in', value: ['a', 'b'] }, { set: { slug: 'same' } })).rejects.toBeInstanceOf(
      DuplicateKeyError,
    );
    expect(await store.getMany('orgs', ['a', 'b'])).toEqual([
      { _id: 'a', slug: 'a' },
      { _id: 'b', slug: 'b' },
    ]);
  });

  it('refuses use after close', async () => {
    const store = new SqliteDocumentStore({ path: dbFile() });
    await store.close();
    await expect(store.get('orgs', 'x')).rejects.toMatchObject({ name: 'DocumentStoreUnavailableError' });
    await store.close();
  });
});
