import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { DuplicateKeyError } from '../../infra/documents/errors.ts';
import { SqliteDocumentStore } from '../../infra/documents/sqlite.ts';
import { required } from '../../domain/shared/required.ts';
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
  /** The query plan of a recorded statement, which `what` names (a test failure if it was not recorded). */
  const plan = (store: SqliteDocumentStore, call: { sql: string; params: unknown } | undefined, what: string) => {
    const { sql, params } = required(call, what);
    return (connectionOf(store).prepare(`EXPLAIN QUERY PLAN ${sql}`).all(params) as Array<{ detail: string }>).map((row) => row.detail).join(' | ');
  };
  /** Records the statements the store runs, with their parameters, until `stop`. */
  const recordStatements = (store: SqliteDocumentStore) => {
    const db = connectionOf(store);
    const statements: Array<{ sql: string; params: unknown }> = [];
    const prepare = db.prepare.bind(db);
    db.prepare = ((source: string) => {
      const statement = prepare(source);
      const all = statement.all.bind(statement);
      statement.all = ((params: unknown) => {
        statements.push({ sql: source, params });
        return all(params);
      }) as typeof statement.all;
      return statement;
    }) as typeof db.prepare;
    return {
      statements,
      stop: () => {
        db.prepare = prepare;
      },
    };
  };

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

    const calls = recordStatements(store);
    try {
      expect((await store.find('orgs', { filter: { field: 'slug', op: 'eq', value: 'org-7' }, limit: 5 })).items.map((d) => d._id)).toEqual(['o7']);
      const page = await store.find('orgs', { sort: [{ field: 'meta.created', direction: 'desc' }], limit: 3 });
      expect(page.items.map((d) => d._id)).toEqual(['o49', 'o48', 'o47']);
      const next = await store.find('orgs', { sort: [{ field: 'meta.created', direction: 'desc' }], limit: 3, after: page.endCursor });
      expect(next.items.map((d) => d._id)).toEqual(['o46', 'o45', 'o44']);
    } finally {
      calls.stop();
    }
    const [byslug, sorted, after] = calls.statements.filter((call) => call.sql.startsWith('SELECT') && call.sql.includes('docs_orgs'));
    expect(plan(store, byslug, 'the query by slug')).toMatch(/USING INDEX "?ix\$orgs\$by_slug/);
    expect(plan(store, sorted, 'the sorted query')).toMatch(/SCAN d USING INDEX "?ix\$orgs\$by_created/);
    // After a cursor, every branch seeks in the index (SEARCH, never a SCAN from its start) and reads it in order;
    // only the merge of the branches' pages (at most a page each) is sorted.
    const afterPlan = plan(store, after, 'the query after a cursor');
    expect(afterPlan.match(/SEARCH d USING INDEX "?ix\$orgs\$by_created/g)).toHaveLength(3);
    expect(afterPlan).not.toMatch(/SCAN d/);
    expect(afterPlan.match(/TEMP B-TREE/g)).toHaveLength(1);
    // `tags` holds arrays: filters on it go through json_each, and still answer.
    expect(await store.count('orgs', { field: 'tags', op: 'eq', value: 'x' })).toBe(50);
  });

  it('answers a page far into a collection after a cursor with the same index work as the first page', async () => {
    const store = open();
    await store.ensureIndex('jobs', {
      name: 'by_org_submitted',
      fields: [
        { field: 'orgId', direction: 'asc' },
        { field: 'submittedAt', direction: 'desc' },
      ],
    });
    await store.ensureIndex('jobs', {
      name: 'by_org_status',
      fields: [
        { field: 'orgId', direction: 'asc' },
        { field: 'status', direction: 'asc' },
      ],
    });
    const base = Date.now();
    for (let n = 0; n < 400; n += 1) {
      await store.upsert('jobs', {
        _id: `j${String(n).padStart(3, '0')}`,
        orgId: n % 2 === 0 ? 'a' : 'b',
        status: n % 3 === 0 ? 'open' : 'done',
        submittedAt: new Date(base - n * 1000).toISOString(),
      });
    }
    const sort = [{ field: 'submittedAt', direction: 'desc' as const }];
    const filter = { field: 'orgId', op: 'eq' as const, value: 'a' };
    // Recorded from the start: the store prepares the statement of a page after a cursor once (the second page).
    const calls = recordStatements(store);
    try {
      let after: string | null = null;
      for (let page = 0; page < 5; page += 1) after = (await store.find('jobs', { filter, sort, limit: 20, after })).endCursor;
      const deep = await store.find('jobs', { filter, sort, limit: 20, after });
      expect(deep.items.map((d) => d._id)).toEqual(Array.from({ length: 20 }, (_, index) => `j${String((100 + index) * 2).padStart(3, '0')}`));
    } finally {
      calls.stop();
    }
    const deep = calls.statements.filter((call) => call.sql.startsWith('SELECT') && call.sql.includes('docs_jobs')).at(-1);
    const deepPlan = plan(store, deep, 'the deep page query');
    expect(deepPlan.match(/SEARCH d USING INDEX "?ix\$jobs\$by_org_submitted/g)).toHaveLength(3);
    expect(deepPlan).not.toMatch(/SCAN d/);
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
    await expect(store.updateMany('orgs', { field: 'slug', op: 'in', value: ['a', 'b'] }, { set: { slug: 'same' } })).rejects.toBeInstanceOf(DuplicateKeyError);
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
