import { MongoServerError, type Document } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { DuplicateKeyError, IndexConflictError, InvalidDocumentError, InvalidQueryError, UpdateConflictError } from '../../infra/documents/errors.ts';
import { MongoDocumentStore } from '../../infra/documents/mongodb.ts';

/**
 * The MongoDB adapter's plumbing against a recording stand-in for the driver's Db/Collection (no server here): which
 * driver calls it makes, with which arguments, and how it maps their answers and errors. The semantics are the
 * contract suite's business (test/contract/documents.mongodb.spec.ts, with MONGODB_URL).
 */

interface Call {
  method: string;
  collection: string;
  args: unknown[];
}

const serverError = (code: number, errmsg: string) => new MongoServerError({ code, errmsg });

function fakeDriver(script: {
  indexes?: Document[] | MongoServerError;
  found?: Document[];
  findOne?: Document | null;
  failures?: Partial<Record<string, unknown[]>>;
  counts?: { matched?: number; deleted?: number; documents?: number };
}) {
  const calls: Call[] = [];
  const failures = Object.fromEntries(Object.entries(script.failures ?? {}).map(([method, errors]) => [method, [...(errors ?? [])]]));
  const record = (collection: string, method: string, args: unknown[]) => {
    calls.push({ method, collection, args });
    const next = failures[method]?.shift();
    if (next) throw next;
  };
  /** Records the call (which may fail, as scripted), then answers `value`. */
  const answer = <T>(collection: string, method: string, args: unknown[], value: T): T => {
    record(collection, method, args);
    return value;
  };
  const collection = (name: string) => ({
    replaceOne: async (...args: unknown[]) => answer(name, 'replaceOne', args, { matchedCount: 1 }),
    updateOne: async (...args: unknown[]) => answer(name, 'updateOne', args, { matchedCount: script.counts?.matched ?? 1 }),
    updateMany: async (...args: unknown[]) => answer(name, 'updateMany', args, { matchedCount: script.counts?.matched ?? 3 }),
    deleteOne: async (...args: unknown[]) => answer(name, 'deleteOne', args, { deletedCount: script.counts?.deleted ?? 1 }),
    deleteMany: async (...args: unknown[]) => answer(name, 'deleteMany', args, { deletedCount: script.counts?.deleted ?? 2 }),
    countDocuments: async (...args: unknown[]) => answer(name, 'countDocuments', args, script.counts?.documents ?? 7),
    findOne: async (...args: unknown[]) => answer(name, 'findOne', args, script.findOne ?? null),
    createIndex: async (...args: unknown[]) => answer(name, 'createIndex', args, 'name'),
    find: (...args: unknown[]) => ({
      toArray: async () => answer(name, 'find', args, script.found ?? []),
    }),
    listIndexes: () => ({
      toArray: async () => {
        record(name, 'listIndexes', []);
        if (script.indexes instanceof Error) throw script.indexes;
        return script.indexes ?? [{ name: '_id_', key: { _id: 1 } }];
      },
    }),
  });
  const db = {
    collection,
    dropCollection: async (name: string) => answer(name, 'dropCollection', [name], true),
  };
  const client = { close: async () => calls.push({ method: 'close', collection: '', args: [] }) };
  const Store = MongoDocumentStore as unknown as new (client: unknown, db: unknown) => MongoDocumentStore;
  return { store: new Store(client, db), calls };
}

describe('MongoDB adapter plumbing', () => {
  it('upserts by _id with the document minus _id, after checking unique-index shapes', async () => {
    const { store, calls } = fakeDriver({
      indexes: [
        { name: '_id_', key: { _id: 1 } },
        { name: 'by_slug', key: { slug: 1 }, unique: true },
      ],
    });
    await store.upsert('orgs', { _id: 'o1', slug: 'acme', n: -0 });
    expect(calls.map((call) => call.method)).toEqual(['listIndexes', 'replaceOne']);
    expect(calls[1]?.args).toEqual([{ _id: 'o1' }, { slug: 'acme', n: 0 }, { upsert: true }]);
    await expect(store.upsert('orgs', { _id: 'o2', slug: ['a'] })).rejects.toBeInstanceOf(InvalidDocumentError);
    await expect(store.upsert('orgs', { _id: 'o2', $bad: 1 } as never)).rejects.toBeInstanceOf(InvalidDocumentError);
    await expect(store.upsert('bad-name', { _id: 'o2' })).rejects.toBeInstanceOf(InvalidQueryError);
    // The unique fields were read once (cached), and nothing else reached the driver.
    expect(calls.map((call) => call.method)).toEqual(['listIndexes', 'replaceOne']);
  });

  it('treats a collection that does not exist yet as having no indexes', async () => {
    const { store, calls } = fakeDriver({ indexes: serverError(26, 'ns does not exist') });
    await store.upsert('fresh', { _id: 'x', tags: ['a'] });
    expect(calls.map((call) => call.method)).toEqual(['listIndexes', 'replaceOne']);
  });

  it('retries an upsert once when it races another on the _id index, and maps other duplicates', async () => {
    const idRace = serverError(11000, 'E11000 duplicate key error collection: t.orgs index: _id_ dup key: { _id: "x" }');
    const slug = serverError(11000, 'E11000 duplicate key error collection: t.orgs index: by_slug dup key: { slug: "acme" }');
    const { store, calls } = fakeDriver({ failures: { replaceOne: [idRace, slug] } });
    await expect(store.upsert('orgs', { _id: 'x', slug: 'acme' })).rejects.toMatchObject({ name: 'DuplicateKeyError', index: 'by_slug', collection: 'orgs' });
    expect(calls.filter((call) => call.method === 'replaceOne')).toHaveLength(2);
    await store.upsert('orgs', { _id: 'x', slug: 'acme' });
  });

  it('updates through translated operators and maps operator conflicts', async () => {
    const { store, calls } = fakeDriver({ failures: { updateOne: [serverError(14, 'Cannot apply $inc to a value of non-numeric type')] } });
    await expect(store.update('orgs', 'x', { inc: { name: 1 } })).rejects.toBeInstanceOf(UpdateConflictError);
    expect(await store.update('orgs', 'x', { set: { 'a.b': 1 }, unset: ['c'], push: { tags: 'x' } })).toBe(true);
    expect(calls.filter((call) => call.method === 'updateOne').at(-1)?.args).toEqual([
      { _id: 'x' },
      { $set: { 'a.b': 1 }, $unset: { c: '' }, $push: { tags: 'x' } },
    ]);
    expect(await store.updateMany('orgs', { field: 'n', op: 'gt', value: 1 }, { inc: { n: 1 } })).toBe(3);
    expect(calls.at(-1)?.args).toEqual([{ n: { $gt: 1 } }, { $inc: { n: 1 } }]);
    await expect(store.update('orgs', 'x', { set: { _id: 'y' } })).rejects.toBeInstanceOf(InvalidQueryError);
  });

  it('answers false when nothing matched or was deleted', async () => {
    const { store } = fakeDriver({ counts: { matched: 0, deleted: 0 } });
    expect(await store.update('orgs', 'nobody', { set: { a: 1 } })).toBe(false);
    expect(await store.delete('orgs', 'nobody')).toBe(false);
    expect(await store.deleteMany('orgs', { field: 'a', op: 'exists', value: true })).toBe(0);
  });

  it('finds with the translated filter, the sort, limit + 1, and builds the page and cursor', async () => {
    const found = [
      { _id: 'a', n: 1 },
      { _id: 'b', n: 2 },
      { _id: 'c', n: 3 },
    ];
    const { store, calls } = fakeDriver({ found });
    const sort = [{ field: 'n', direction: 'desc' as const }];
    const page = await store.find('orgs', { filter: { field: 'n', op: 'gte', value: 1 }, sort, limit: 2 });
    expect(page.items).toEqual(found.slice(0, 2));
    expect(page.hasMore).toBe(true);
    expect(calls.at(-1)?.args).toEqual([{ n: { $gte: 1 } }, { sort: { n: -1, _id: -1 }, limit: 3 }]);

    await store.find('orgs', { filter: { field: 'n', op: 'gte', value: 1 }, sort, limit: 2, after: page.endCursor });
    expect(calls.at(-1)?.args).toEqual([
      {
        $and: [
          { n: { $gte: 1 } },
          {
            $or: [
              { $or: [{ n: { $lt: 2 } }, { $or: [{ n: { $exists: false } }, { n: { $type: 'null' } }] }] },
              { $and: [{ n: { $eq: 2 } }, { _id: { $lt: 'b' } }] },
            ],
          },
        ],
      },
      { sort: { n: -1, _id: -1 }, limit: 3 },
    ]);
    await store.find('orgs', { limit: 5 });
    expect(calls.at(-1)?.args).toEqual([{}, { sort: { _id: 1 }, limit: 6 }]);
  });

  it('refuses documents MongoDB returns that are not JSON documents, and unsortable pages', async () => {
    await expect(fakeDriver({ found: [{ _id: 'a', when: new Date() }] }).store.find('orgs', { limit: 5 })).rejects.toBeInstanceOf(InvalidDocumentError);
    await expect(
      fakeDriver({ found: [{ _id: 'a', n: [1, 2] }] }).store.find('orgs', { sort: [{ field: 'n', direction: 'asc' }], limit: 5 }),
    ).rejects.toMatchObject({ name: 'SortValueError', field: 'n', documentId: 'a' });
  });

  it('reads one, many and counts', async () => {
    const { store, calls } = fakeDriver({ findOne: { _id: 'a', n: 1 }, found: [{ _id: 'b' }, { _id: 'a' }] });
    expect(await store.get('orgs', 'a')).toEqual({ _id: 'a', n: 1 });
    expect(calls.at(-1)?.args).toEqual([{ _id: 'a' }]);
    expect(await store.getMany('orgs', ['a', 'x', 'b', 'a'])).toEqual([{ _id: 'a' }, undefined, { _id: 'b' }, { _id: 'a' }]);
    expect(calls.at(-1)?.args).toEqual([{ _id: { $in: ['a', 'x', 'b'] } }]);
    expect(await store.count('orgs', { field: 'a', op: 'eq', value: null })).toBe(7);
    expect(calls.at(-1)?.args).toEqual([{ $or: [{ a: { $exists: false } }, { a: { $type: 'null' } }] }]);
    expect(await store.count('orgs')).toBe(7);
    expect(calls.at(-1)?.args).toEqual([{}]);
  });

  it('creates indexes with _id appended to non-unique keys, checks shapes first, and maps conflicts', async () => {
    const { store, calls } = fakeDriver({ failures: { createIndex: [serverError(85, 'Index already exists with a different name: by_a')] } });
    await expect(store.ensureIndex('orgs', { name: 'other', fields: [{ field: 'a', direction: 'asc' }] })).rejects.toMatchObject({
      name: 'IndexConflictError',
      index: 'other',
      collection: 'orgs',
    });
    await store.ensureIndex('orgs', { name: 'by_a', fields: [{ field: 'a', direction: 'desc' }] });
    expect(calls.at(-1)).toMatchObject({ method: 'createIndex', args: [{ a: -1, _id: -1 }, { name: 'by_a' }] });
    await store.ensureIndex('orgs', { name: 'by_slug', fields: [{ field: 'm.slug', direction: 'asc' }], unique: true });
    expect(calls.slice(-2)).toMatchObject([
      {
        method: 'findOne',
        args: [{ $or: [{ m: { $type: 'array' } }, { 'm.slug': { $type: 'array' } }, { 'm.slug': { $type: 'object' } }] }, { projection: { _id: 1 } }],
      },
      { method: 'createIndex', args: [{ 'm.slug': 1 }, { name: 'by_slug', unique: true }] },
    ]);
  });

  it('refuses a unique index over unfit documents and maps a build over duplicates', async () => {
    await expect(
      fakeDriver({ findOne: { _id: 'bad' } }).store.ensureIndex('orgs', { name: 'u', fields: [{ field: 'a', direction: 'asc' }], unique: true }),
    ).rejects.toBeInstanceOf(InvalidDocumentError);
    const duplicates = serverError(11000, 'E11000 duplicate key error collection: t.orgs index: u dup key: { a: 1 }');
    await expect(
      fakeDriver({ failures: { createIndex: [duplicates] } }).store.ensureIndex('orgs', {
        name: 'u',
        fields: [{ field: 'a', direction: 'asc' }],
        unique: true,
      }),
    ).rejects.toMatchObject({ name: 'DuplicateKeyError', index: 'u' });
    const keys = serverError(86, 'An existing index has the same name as the requested index but a different key');
    await expect(
      fakeDriver({ failures: { createIndex: [keys] } }).store.ensureIndex('orgs', { name: 'u', fields: [{ field: 'a', direction: 'asc' }] }),
    ).rejects.toBeInstanceOf(IndexConflictError);
  });

  it('reloads unique fields after its own ensureIndex', async () => {
    const { store, calls } = fakeDriver({});
    await store.upsert('orgs', { _id: 'a' });
    await store.ensureIndex('orgs', { name: 'by_a', fields: [{ field: 'a', direction: 'asc' }] });
    await store.upsert('orgs', { _id: 'b' });
    expect(calls.filter((call) => call.method === 'listIndexes')).toHaveLength(2);
  });

  it('drops a collection, whether or not it exists, and closes the client', async () => {
    const { store, calls } = fakeDriver({ failures: { dropCollection: [serverError(26, 'ns not found')] } });
    await store.dropCollection('orgs');
    await store.dropCollection('orgs');
    await store.close();
    expect(calls.map((call) => call.method)).toEqual(['dropCollection', 'dropCollection', 'close']);
    const failing = fakeDriver({ failures: { dropCollection: [serverError(13, 'unauthorized')] } });
    await expect(failing.store.dropCollection('orgs')).rejects.toBeInstanceOf(MongoServerError);
  });

  it('maps a duplicate key on update and updateMany', async () => {
    const duplicate = serverError(11000, 'E11000 duplicate key error collection: t.orgs index: by_slug dup key: { slug: "x" }');
    const { store } = fakeDriver({ failures: { updateOne: [duplicate], updateMany: [duplicate] } });
    await expect(store.update('orgs', 'a', { set: { slug: 'x' } })).rejects.toBeInstanceOf(DuplicateKeyError);
    await expect(store.updateMany('orgs', { field: 'a', op: 'exists', value: true }, { set: { slug: 'x' } })).rejects.toBeInstanceOf(DuplicateKeyError);
  });
});
