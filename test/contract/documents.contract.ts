import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DuplicateKeyError,
  IndexConflictError,
  InvalidCursorError,
  InvalidDocumentError,
  InvalidQueryError,
  SortValueError,
  UpdateConflictError,
} from '../../infra/documents/errors.ts';
import type { DocumentStore, Filter, FindOptions, JsonDocument, SortField, UpdateOps } from '../../infra/documents/port.ts';
import { normalizeSort } from '../../infra/documents/validation.ts';
import { compareDocuments, matchesFilter } from '../../infra/documents/semantics.ts';
import { required } from '../../domain/shared/required.ts';
import { FILTER_FIXTURES, SORT_ASCENDING, SORT_DOCUMENTS, generatedDocuments, generatedFilter } from './documents.cases.ts';
import { seededRandom } from '../../bench/seeded-random.ts';

export interface DocumentStoreContractOptions {
  /** Runs after the store is closed (e.g. drop a test database). */
  cleanup?: () => Promise<void>;
}

/**
 * The DocumentStore port's contract. Every adapter runs it. Collections are named per run, so it also works
 * against a shared server; each is dropped at the end.
 */
export function describeDocumentStoreContract(adapterName: string, open: () => Promise<DocumentStore>, options: DocumentStoreContractOptions = {}): void {
  describe(`DocumentStore contract: ${adapterName}`, () => {
    let store: DocumentStore;
    const run = randomUUID().replaceAll('-', '').slice(0, 8);
    const created = new Set<string>();
    const collection = (name: string) => {
      const full = `ct_${run}_${name}`;
      created.add(full);
      return full;
    };

    beforeAll(async () => {
      store = await open();
    });
    afterAll(async () => {
      if (store) {
        for (const name of created) await store.dropCollection(name);
        await store.close();
      }
      await options.cleanup?.();
    });

    /** Every document of a find, page after page. */
    async function findAll(name: string, find: Omit<FindOptions, 'limit' | 'after'>, limit = 1000): Promise<JsonDocument[]> {
      const found: JsonDocument[] = [];
      let after: string | null = null;
      for (let pages = 0; pages < 10_000; pages += 1) {
        const page = await store.find(name, { ...find, limit, after });
        found.push(...page.items);
        if (!page.hasMore) return found;
        expect(page.endCursor).not.toBeNull();
        after = page.endCursor;
      }
      throw new Error('pagination did not end');
    }
    const ids = (documents: readonly JsonDocument[]) => documents.map((document) => document._id);
    const sortedIds = (documents: readonly JsonDocument[]) => ids(documents).sort();

    describe('documents', () => {
      it('upserts, reads back, replaces the whole document, and deletes', async () => {
        const name = collection('crud');
        const first = { _id: 'org-1', name: 'Acme', tags: ['a', 'b'], nested: { deep: { n: 1.5, flag: true, nothing: null } } };
        await store.upsert(name, first);
        expect(await store.get(name, 'org-1')).toEqual(first);

        await store.upsert(name, { _id: 'org-1', name: 'Acme 2' });
        expect(await store.get(name, 'org-1')).toEqual({ _id: 'org-1', name: 'Acme 2' });
        expect(await store.count(name)).toBe(1);

        expect(await store.delete(name, 'org-1')).toBe(true);
        expect(await store.delete(name, 'org-1')).toBe(false);
        expect(await store.get(name, 'org-1')).toBeUndefined();
        expect(await store.count(name)).toBe(0);
      });

      it('keeps what it stores apart from the caller’s objects', async () => {
        const name = collection('copies');
        const document = { _id: 'x', list: [1, 2], inner: { a: 1 } };
        await store.upsert(name, document);
        document.list.push(3);
        document.inner.a = 2;
        const read = await store.get(name, 'x');
        expect(read).toEqual({ _id: 'x', list: [1, 2], inner: { a: 1 } });
        (required(read, 'the stored document').list as number[]).push(9);
        expect(await store.get(name, 'x')).toEqual({ _id: 'x', list: [1, 2], inner: { a: 1 } });
      });

      it('stores unusual but valid ids, keys and strings', async () => {
        const name = collection('unusual');
        const document = {
          _id: 'a/b c?d=é😀',
          'key-with-dash': 1,
          'key with space': 'x',
          '0': 'numeric key',
          émoji: 'ü😀\u0000nul',
          negativeZero: -0,
          big: 2 ** 52,
          tiny: 1e-300,
        };
        await store.upsert(name, document);
        expect(await store.get(name, document._id)).toEqual({ ...document, negativeZero: 0 });
      });

      it('refuses documents that are not JSON documents, and writes nothing', async () => {
        const name = collection('invalid');
        const refused: unknown[] = [
          { name: 'no id' },
          { _id: 42 },
          { _id: '' },
          { _id: 'x', $where: 'sleep(1000)' },
          { _id: 'x', nested: { $gt: 1 } },
          { _id: 'x', 'a.b': 1 },
          { _id: 'x', n: Number.NaN },
          { _id: 'x', n: Number.POSITIVE_INFINITY },
          { _id: 'x', u: undefined },
          { _id: 'x', d: new Date(0) },
          { _id: 'x', f: () => 1 },
          { _id: 'x', big: 10n },
          { _id: 'x', bad: 'lone \ud800 surrogate' },
          JSON.parse('{"_id": "x", "__proto__": {"polluted": true}}'),
          { _id: 'x', deep: JSON.parse(`${'['.repeat(40)}1${']'.repeat(40)}`) },
          { _id: 'x', huge: 'x'.repeat(1024 * 1024 + 1) },
          ['not', 'an', 'object'],
          null,
        ];
        for (const document of refused) {
          await expect(store.upsert(name, document as JsonDocument), JSON.stringify(String(document)).slice(0, 60)).rejects.toBeInstanceOf(
            InvalidDocumentError,
          );
        }
        expect(await store.count(name)).toBe(0);
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      });

      it('refuses collection names that are not identifiers', async () => {
        for (const bad of ['', 'has-dash', 'has.dot', '$cmd', 'system.profile', '1abc', 'a'.repeat(65)]) {
          await expect(store.get(bad, 'x'), bad).rejects.toBeInstanceOf(InvalidQueryError);
          await expect(store.upsert(bad, { _id: 'x' }), bad).rejects.toBeInstanceOf(InvalidQueryError);
        }
      });

      it('reads many ids at once, in their order, undefined where missing', async () => {
        const name = collection('many');
        for (const id of ['a', 'b', 'c']) await store.upsert(name, { _id: id, n: id });
        const found = await store.getMany(name, ['c', 'missing', 'a', 'c']);
        expect(found).toEqual([{ _id: 'c', n: 'c' }, undefined, { _id: 'a', n: 'a' }, { _id: 'c', n: 'c' }]);
        expect(await store.getMany(name, [])).toEqual([]);
        await expect(
          store.getMany(
            name,
            Array.from({ length: 1001 }, (_, n) => `id${n}`),
          ),
        ).rejects.toBeInstanceOf(InvalidQueryError);
      });

      it('answers reads and deletes on a collection that does not exist', async () => {
        const name = collection('nothing');
        expect(await store.get(name, 'x')).toBeUndefined();
        expect(await store.getMany(name, ['x'])).toEqual([undefined]);
        expect(await store.find(name, { limit: 10 })).toEqual({ items: [], endCursor: null, hasMore: false });
        expect(await store.count(name)).toBe(0);
        expect(await store.count(name, { field: 'a', op: 'eq', value: 1 })).toBe(0);
        expect(await store.delete(name, 'x')).toBe(false);
        expect(await store.deleteMany(name, { field: 'a', op: 'eq', value: 1 })).toBe(0);
        expect(await store.update(name, 'x', { set: { a: 1 } })).toBe(false);
        expect(await store.updateMany(name, { field: 'a', op: 'eq', value: 1 }, { set: { a: 2 } })).toBe(0);
        await store.dropCollection(name);
      });
    });

    describe('filters', () => {
      for (const fixture of FILTER_FIXTURES) {
        describe(`fixture ${fixture.name}`, () => {
          const name = `filters_${fixture.name}`;
          beforeAll(async () => {
            for (const document of fixture.documents) await store.upsert(collection(name), document);
          });
          for (const testCase of fixture.cases) {
            it(testCase.name, async () => {
              const found = await findAll(collection(name), { filter: testCase.filter });
              expect(sortedIds(found)).toEqual([...testCase.expected].sort());
              expect(await store.count(collection(name), testCase.filter)).toBe(testCase.expected.length);
            });
          }
          it('gives the same answers with an index on the filtered fields', async () => {
            const fields = [...new Set(fixture.cases.flatMap((testCase) => fieldsOf(testCase.filter)))].filter((field) => field !== '_id');
            for (const [index, field] of fields.entries()) {
              await store.ensureIndex(collection(name), { name: `by_${index}`, fields: [{ field, direction: 'asc' }] });
            }
            for (const testCase of fixture.cases) {
              const found = await findAll(collection(name), { filter: testCase.filter });
              expect(sortedIds(found), testCase.name).toEqual([...testCase.expected].sort());
            }
          });
        });
      }

      it('matches an operator-looking value only as that literal string', async () => {
        const name = collection('hostile');
        await store.upsert(name, { _id: 'literal', name: '{"$gt": ""}' });
        await store.upsert(name, { _id: 'other', name: 'zzz' });
        await store.upsert(name, { _id: 'empty', name: '' });
        const filter: Filter = { field: 'name', op: 'eq', value: '{"$gt": ""}' };
        expect(ids((await store.find(name, { filter, limit: 10 })).items)).toEqual(['literal']);
        for (const value of ["' OR 1=1 --", '") OR 1=1 --', '.*', '^', '$where', 'this.name', '\\', "'; DROP TABLE x; --"]) {
          expect(await store.count(name, { field: 'name', op: 'eq', value })).toBe(0);
          expect(await store.count(name, { field: 'name', op: 'prefix', value })).toBe(0);
        }
        expect(await store.count(name)).toBe(3);
      });

      it('refuses filters outside the language with a typed error', async () => {
        const name = collection('refused');
        await store.upsert(name, { _id: 'x', a: 1 });
        const refused: unknown[] = [
          { field: 'a.$where', op: 'eq', value: 1 },
          { field: '$where', op: 'eq', value: 'sleep(1000)' },
          { field: 'a..b', op: 'eq', value: 1 },
          { field: '.a', op: 'eq', value: 1 },
          { field: 'a.', op: 'eq', value: 1 },
          { field: 'a.0', op: 'eq', value: 1 },
          { field: '1a', op: 'eq', value: 1 },
          { field: 'a b', op: 'eq', value: 1 },
          { field: '', op: 'eq', value: 1 },
          { field: '__proto__', op: 'eq', value: 1 },
          { field: Array.from({ length: 11 }, () => 'a').join('.'), op: 'eq', value: 1 },
          { field: 'a', op: 'eq', value: { $gt: '' } },
          { field: 'a', op: 'eq', value: [1] },
          { field: 'a', op: 'eq', value: Number.NaN },
          { field: 'a', op: 'eq', value: Number.POSITIVE_INFINITY },
          { field: 'a', op: 'eq', value: 'x'.repeat(1025) },
          { field: 'a', op: 'eq', value: 'lone \udc00' },
          { field: 'a', op: 'gt', value: true },
          { field: 'a', op: 'gt', value: null },
          { field: 'a', op: 'in', value: 1 },
          { field: 'a', op: 'in', value: Array.from({ length: 101 }, (_, n) => n) },
          { field: 'a', op: 'in', value: [{ $gt: 1 }] },
          { field: 'a', op: 'exists', value: 1 },
          { field: 'a', op: 'prefix', value: 'x'.repeat(257) },
          { field: 'a', op: 'prefix', value: 'nul\u0000' },
          { field: 'a', op: 'prefix', value: 1 },
          { field: 'a', op: 'regex', value: '.*' },
          { field: 'a', op: '$where', value: 'true' },
          { field: 'a', op: 'eq', value: 1, $where: 'true' },
          { field: 'a', op: 'eq' },
          { $where: 'sleep(100)' },
          { a: 1 },
          { a: { $gt: 0 } },
          { and: [] },
          { and: { field: 'a', op: 'eq', value: 1 } },
          { and: [{ field: 'a', op: 'eq', value: 1 }], or: [{ field: 'a', op: 'eq', value: 1 }] },
          { not: [{ field: 'a', op: 'eq', value: 1 }] },
          { and: Array.from({ length: 101 }, () => ({ field: 'a', op: 'eq', value: 1 })) },
          nest({ field: 'a', op: 'eq', value: 1 }, 9),
          nest({ field: 'a', op: 'eq', value: 1 }, 100_000),
          'a = 1',
          [],
        ];
        for (const [index, filter] of refused.entries()) {
          const label = `refused filter #${index}`;
          await expect(store.count(name, filter as Filter), label).rejects.toBeInstanceOf(InvalidQueryError);
          await expect(store.find(name, { filter: filter as Filter, limit: 10 }), label).rejects.toBeInstanceOf(InvalidQueryError);
          await expect(store.deleteMany(name, filter as Filter), label).rejects.toBeInstanceOf(InvalidQueryError);
        }
        expect(await store.count(name)).toBe(1);
        const error = await store.count(name, { field: 'a.$where', op: 'eq', value: 1 }).catch((caught: unknown) => caught);
        expect(error).toBeInstanceOf(InvalidQueryError);
        expect(error).toMatchObject({ code: 'invalid_query', issues: expect.arrayContaining([expect.objectContaining({ path: 'filter.field' })]) });
        // Nesting up to the limit is fine.
        expect(await store.count(name, nest({ field: 'a', op: 'eq', value: 1 }, 8))).toBe(1);
      });

      it('agrees with the reference evaluator on generated documents and filters (arrays everywhere)', async () => {
        await checkAgainstReference(collection('generated_arrays'), generatedDocuments(7, 160, true), 11, 300);
      });

      it('agrees with the reference evaluator on generated documents without arrays', async () => {
        await checkAgainstReference(collection('generated_plain'), generatedDocuments(8, 160, false), 12, 200);
      });

      async function checkAgainstReference(name: string, documents: JsonDocument[], seed: number, filters: number) {
        for (const document of documents) await store.upsert(name, document);
        const random = seededRandom(seed);
        const mismatches: string[] = [];
        for (let n = 0; n < filters; n += 1) {
          const filter = generatedFilter(random);
          const expected = documents.filter((document) => matchesFilter(document, filter)).map((document) => document._id);
          const found = sortedIds(await findAll(name, { filter }));
          if (JSON.stringify(found) !== JSON.stringify(expected)) {
            const extra = found.filter((id) => !expected.includes(id));
            const lacking = expected.filter((id) => !found.includes(id));
            mismatches.push(`${JSON.stringify(filter)}: extra ${extra.join(',')} missing ${lacking.join(',')}`);
          }
        }
        expect(mismatches.slice(0, 5)).toEqual([]);
        expect(await store.count(name)).toBe(documents.length);
      }
    });

    describe('sort and cursor pagination', () => {
      const name = () => collection('paged');
      const documents: JsonDocument[] = Array.from({ length: 250 }, (_, i) => {
        const document: JsonDocument = { _id: `p${String((i * 37) % 250).padStart(3, '0')}`, s: `g${i % 3}`, meta: { rank: i % 4 } };
        if (i % 7 !== 0) document.n = i % 11 === 0 ? null : i % 5;
        if (i % 13 === 0) document.meta = 'scalar';
        return document;
      });
      beforeAll(async () => {
        for (const document of documents) await store.upsert(name(), document);
      });

      const sorts: Array<readonly SortField[]> = [
        [{ field: 'n', direction: 'asc' }],
        [{ field: 'n', direction: 'desc' }],
        [
          { field: 'n', direction: 'asc' },
          { field: 's', direction: 'desc' },
        ],
        [
          { field: 's', direction: 'desc' },
          { field: 'n', direction: 'asc' },
          { field: '_id', direction: 'asc' },
        ],
        [{ field: 'meta.rank', direction: 'desc' }],
        [{ field: '_id', direction: 'desc' }],
        [],
      ];
      for (const sort of sorts) {
        it(`pages through 250 documents 7 at a time, each exactly once, in order: ${JSON.stringify(sort)}`, async () => {
          const found = await findAll(name(), { sort }, 7);
          const expected = [...documents].sort((a, b) => compareDocuments(a, b, normalizeSort(sort)));
          expect(ids(found)).toEqual(ids(expected));
          expect(new Set(ids(found)).size).toBe(250);
        });
      }

      it('descending is exactly ascending reversed, ties included', async () => {
        const ascending = await findAll(name(), { sort: [{ field: 'n', direction: 'asc' }] }, 7);
        const descending = await findAll(name(), { sort: [{ field: 'n', direction: 'desc' }] }, 7);
        expect(ids(descending)).toEqual(ids(ascending).reverse());
      });

      it('pages through a filtered result', async () => {
        const filter: Filter = {
          or: [
            { field: 'n', op: 'gte', value: 3 },
            { field: 'n', op: 'eq', value: null },
          ],
        };
        const sort: SortField[] = [{ field: 'n', direction: 'desc' }];
        const found = await findAll(name(), { filter, sort }, 7);
        const expected = documents.filter((document) => matchesFilter(document, filter)).sort((a, b) => compareDocuments(a, b, normalizeSort(sort)));
        expect(ids(found)).toEqual(ids(expected));
      });

      it('reports the end: hasMore false, endCursor of the last item, an empty page after it', async () => {
        const sort: SortField[] = [{ field: 'n', direction: 'asc' }];
        const first = await store.find(name(), { sort, limit: 250 });
        expect(first.items).toHaveLength(250);
        expect(first.hasMore).toBe(false);
        const after = await store.find(name(), { sort, limit: 5, after: first.endCursor });
        expect(after).toEqual({ items: [], endCursor: null, hasMore: false });
        const exact = await store.find(name(), { sort, limit: 249 });
        expect(exact.hasMore).toBe(true);
      });

      it('neither repeats nor skips documents when others are written between pages', async () => {
        const own = collection('paged_moving');
        for (let i = 0; i < 30; i += 1) await store.upsert(own, { _id: `m${String(i).padStart(2, '0')}`, n: i });
        const sort: SortField[] = [{ field: 'n', direction: 'asc' }];
        const first = await store.find(own, { sort, limit: 10 });
        await store.upsert(own, { _id: 'before', n: -1 });
        await store.delete(own, 'm15');
        await store.upsert(own, { _id: 'later', n: 100 });
        let after = first.endCursor;
        const seen = ids(first.items);
        for (;;) {
          const page = await store.find(own, { sort, limit: 10, after });
          seen.push(...ids(page.items));
          if (!page.hasMore) break;
          after = page.endCursor;
        }
        const expected = [...Array.from({ length: 30 }, (_, i) => `m${String(i).padStart(2, '0')}`).filter((id) => id !== 'm15'), 'later'];
        expect(seen).toEqual(expected);
      });

      it('orders mixed types: missing = null < numbers < strings (by code point) < booleans', async () => {
        const own = collection('sort_types');
        for (const document of SORT_DOCUMENTS) await store.upsert(own, document);
        const filter: Filter = { field: 'other', op: 'exists', value: false };
        const ascending = await findAll(own, { filter, sort: [{ field: 'k', direction: 'asc' }] }, 3);
        expect(ids(ascending)).toEqual(SORT_ASCENDING);
        const descending = await findAll(own, { filter, sort: [{ field: 'k', direction: 'desc' }] }, 4);
        expect(ids(descending)).toEqual([...SORT_ASCENDING].reverse());
      });

      it('refuses a page holding a document whose sort field is an object or array', async () => {
        const own = collection('sort_refused');
        for (const document of SORT_DOCUMENTS) await store.upsert(own, document);
        await expect(store.find(own, { sort: [{ field: 'k', direction: 'asc' }], limit: 100 })).rejects.toBeInstanceOf(SortValueError);
        await store.upsert(own, { _id: 'arr', list: [1, 2] });
        await expect(
          store.find(own, { filter: { field: '_id', op: 'eq', value: 'arr' }, sort: [{ field: 'list', direction: 'asc' }], limit: 5 }),
        ).rejects.toMatchObject({
          name: 'SortValueError',
          field: 'list',
          documentId: 'arr',
        });
      });

      it('refuses cursors it did not issue, or issued for another sort or collection', async () => {
        const sort: SortField[] = [{ field: 'n', direction: 'asc' }];
        const page = await store.find(name(), { sort, limit: 3 });
        const cursor = page.endCursor ?? '';
        const tampered = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')), k: [{ $gt: '' }] })).toString(
          'base64url',
        );
        for (const bad of ['garbage!', 'e30', cursor.slice(0, -4), tampered, Buffer.from('[1,2]').toString('base64url')]) {
          await expect(store.find(name(), { sort, limit: 3, after: bad }), bad).rejects.toBeInstanceOf(InvalidCursorError);
        }
        await expect(store.find(name(), { sort: [{ field: 'n', direction: 'desc' }], limit: 3, after: cursor })).rejects.toBeInstanceOf(InvalidCursorError);
        await expect(store.find(collection('paged_moving'), { sort, limit: 3, after: cursor })).rejects.toBeInstanceOf(InvalidCursorError);
      });

      it('refuses invalid page sizes and sorts', async () => {
        for (const limit of [0, -1, 1001, 1.5, Number.NaN]) {
          await expect(store.find(name(), { limit })).rejects.toBeInstanceOf(InvalidQueryError);
        }
        const refused: unknown[] = [
          [{ field: 'a.$x', direction: 'asc' }],
          [{ field: 'n', direction: 'up' }],
          [{ field: 'n', direction: 1 }],
          [
            { field: 'n', direction: 'asc' },
            { field: 'n', direction: 'desc' },
          ],
          [
            { field: 'meta', direction: 'asc' },
            { field: 'meta.rank', direction: 'asc' },
          ],
          [
            { field: '_id', direction: 'asc' },
            { field: 'n', direction: 'asc' },
          ],
          Array.from({ length: 5 }, (_, n) => ({ field: `f${n}`, direction: 'asc' })),
          { n: 1 },
        ];
        for (const sort of refused) {
          await expect(store.find(name(), { sort: sort as SortField[], limit: 5 }), JSON.stringify(sort)).rejects.toBeInstanceOf(InvalidQueryError);
        }
      });
    });

    describe('unique indexes', () => {
      it('refuses a duplicate on upsert and on update with DuplicateKeyError naming the index; nothing changes', async () => {
        const name = collection('unique');
        await store.ensureIndex(name, { name: 'by_slug', fields: [{ field: 'slug', direction: 'asc' }], unique: true });
        await store.upsert(name, { _id: 'a', slug: 'acme' });
        await store.upsert(name, { _id: 'b', slug: 'globex' });

        const duplicate = await store.upsert(name, { _id: 'c', slug: 'acme' }).catch((error: unknown) => error);
        expect(duplicate).toBeInstanceOf(DuplicateKeyError);
        expect(duplicate).toMatchObject({ index: 'by_slug', collection: name });
        expect(await store.get(name, 'c')).toBeUndefined();

        // Replacing a document with its own key is no duplicate.
        await store.upsert(name, { _id: 'a', slug: 'acme', more: true });

        await expect(store.update(name, 'b', { set: { slug: 'acme' } })).rejects.toMatchObject({ name: 'DuplicateKeyError', index: 'by_slug' });
        expect(await store.get(name, 'b')).toEqual({ _id: 'b', slug: 'globex' });
        await expect(store.upsert(name, { _id: 'b', slug: 'acme' })).rejects.toBeInstanceOf(DuplicateKeyError);
        expect(await store.get(name, 'b')).toEqual({ _id: 'b', slug: 'globex' });

        await expect(store.updateMany(name, { field: '_id', op: 'in', value: ['a', 'b'] }, { set: { slug: 'same' } })).rejects.toBeInstanceOf(
          DuplicateKeyError,
        );
        expect(await store.get(name, 'b')).toMatchObject({ slug: expect.any(String) });
      });

      it('treats missing and null as one key, numbers by value, and types apart', async () => {
        const name = collection('unique_null');
        await store.ensureIndex(name, { name: 'by_code', fields: [{ field: 'code', direction: 'asc' }], unique: true });
        await store.upsert(name, { _id: 'missing' });
        await expect(store.upsert(name, { _id: 'missing2' })).rejects.toBeInstanceOf(DuplicateKeyError);
        await expect(store.upsert(name, { _id: 'null', code: null })).rejects.toBeInstanceOf(DuplicateKeyError);
        await store.upsert(name, { _id: 'one', code: 1 });
        await store.upsert(name, { _id: 'oneString', code: '1' });
        await store.upsert(name, { _id: 'true', code: true });
        await expect(store.upsert(name, { _id: 'oneFloat', code: 1.0 })).rejects.toBeInstanceOf(DuplicateKeyError);
        expect(await store.count(name)).toBe(4);
      });

      it('enforces compound unique keys', async () => {
        const name = collection('unique_compound');
        await store.ensureIndex(name, {
          name: 'org_slug',
          fields: [
            { field: 'orgId', direction: 'asc' },
            { field: 'meta.slug', direction: 'desc' },
          ],
          unique: true,
        });
        await store.upsert(name, { _id: '1', orgId: 'o1', meta: { slug: 'x' } });
        await store.upsert(name, { _id: '2', orgId: 'o2', meta: { slug: 'x' } });
        await store.upsert(name, { _id: '3', orgId: 'o1', meta: { slug: 'y' } });
        await expect(store.upsert(name, { _id: '4', orgId: 'o1', meta: { slug: 'x' } })).rejects.toMatchObject({ index: 'org_slug' });
      });

      it('keeps uniquely indexed fields scalar', async () => {
        const name = collection('unique_shapes');
        await store.ensureIndex(name, { name: 'by_key', fields: [{ field: 'a.key', direction: 'asc' }], unique: true });
        await store.upsert(name, { _id: 'ok', a: { key: 'k1' }, other: [1] });
        for (const document of [
          { _id: 'arr', a: { key: ['k2'] } },
          { _id: 'obj', a: { key: { k: 1 } } },
          { _id: 'along', a: [{ key: 'k3' }] },
        ]) {
          await expect(store.upsert(name, document), document._id).rejects.toBeInstanceOf(InvalidDocumentError);
        }
        await store.upsert(name, { _id: 'scalarParent', a: 5 });
        const breaking: UpdateOps[] = [
          { set: { 'a.key': ['x'] } },
          { set: { a: { key: { deep: 1 } } } },
          { set: { a: [{ key: 'x' }] } },
          { push: { 'a.key': 'x' } },
          { push: { a: 'x' } },
          { set: { 'a.key.deeper': 1 } },
          { inc: { 'a.key.n': 1 } },
        ];
        for (const ops of breaking) {
          await expect(store.update(name, 'ok', ops), JSON.stringify(ops)).rejects.toBeInstanceOf(InvalidDocumentError);
        }
        expect(await store.get(name, 'ok')).toEqual({ _id: 'ok', a: { key: 'k1' }, other: [1] });
        expect(await store.update(name, 'ok', { set: { a: { key: 'k9', extra: [1] } }, push: { other: 2 } })).toBe(true);

        const later = collection('unique_shapes_later');
        await store.upsert(later, { _id: 'x', tags: ['a'] });
        await expect(store.ensureIndex(later, { name: 'by_tags', fields: [{ field: 'tags', direction: 'asc' }], unique: true })).rejects.toBeInstanceOf(
          InvalidDocumentError,
        );
      });

      it('is idempotent and refuses conflicting definitions', async () => {
        const name = collection('index_defs');
        const spec = { name: 'by_a', fields: [{ field: 'a', direction: 'asc' as const }] };
        await store.ensureIndex(name, spec);
        await store.ensureIndex(name, spec);
        await expect(store.ensureIndex(name, { ...spec, unique: true })).rejects.toBeInstanceOf(IndexConflictError);
        await expect(store.ensureIndex(name, { ...spec, fields: [{ field: 'b', direction: 'asc' }] })).rejects.toMatchObject({
          name: 'IndexConflictError',
          index: 'by_a',
        });
        await expect(store.ensureIndex(name, { ...spec, name: 'same_as_by_a' })).rejects.toBeInstanceOf(IndexConflictError);
        // Same fields, unique: a different index.
        await store.ensureIndex(name, { name: 'by_a_unique', fields: spec.fields, unique: true });
      });

      it('refuses to build a unique index over existing duplicates', async () => {
        const name = collection('unique_late');
        await store.upsert(name, { _id: '1', k: 'same' });
        await store.upsert(name, { _id: '2', k: 'same' });
        await expect(store.ensureIndex(name, { name: 'by_k', fields: [{ field: 'k', direction: 'asc' }], unique: true })).rejects.toMatchObject({
          name: 'DuplicateKeyError',
          index: 'by_k',
        });
        await store.upsert(name, { _id: '3', k: 'same' });
        expect(await store.count(name)).toBe(3);
      });

      it('refuses invalid index definitions', async () => {
        const name = collection('index_refused');
        const refused: unknown[] = [
          { name: 'bad-name', fields: [{ field: 'a', direction: 'asc' }] },
          { name: '_id_', fields: [{ field: 'a', direction: 'asc' }] },
          { name: 'x', fields: [] },
          { name: 'x', fields: [{ field: '_id', direction: 'asc' }] },
          { name: 'x', fields: [{ field: 'a.$b', direction: 'asc' }] },
          { name: 'x', fields: [{ field: 'a', direction: 'sideways' }] },
          {
            name: 'x',
            fields: [
              { field: 'a', direction: 'asc' },
              { field: 'a', direction: 'desc' },
            ],
          },
          { name: 'x', fields: [{ field: 'a', direction: 'asc' }], unique: 'yes' },
          { name: 'x', fields: [{ field: 'a', direction: 'asc' }], sparse: true },
        ];
        for (const spec of refused) {
          await expect(store.ensureIndex(name, spec as never), JSON.stringify(spec)).rejects.toBeInstanceOf(InvalidQueryError);
        }
      });

      it('forgets indexes with the collection', async () => {
        const name = collection('dropped');
        await store.ensureIndex(name, { name: 'by_k', fields: [{ field: 'k', direction: 'asc' }], unique: true });
        await store.upsert(name, { _id: '1', k: 1 });
        await store.dropCollection(name);
        expect(await store.count(name)).toBe(0);
        await store.upsert(name, { _id: '1', k: 1 });
        await store.upsert(name, { _id: '2', k: 1 });
        await store.ensureIndex(name, { name: 'by_k', fields: [{ field: 'k', direction: 'desc' }] });
        expect(await store.count(name)).toBe(2);
      });
    });

    describe('update operators', () => {
      const base = (): JsonDocument => ({
        _id: 'u',
        name: 'Acme',
        n: 1,
        tags: ['a', 'b', 'a', 1, '1'],
        nested: { x: 1, keep: true },
        scalar: 5,
        nothing: null,
        list: [{ k: 1 }],
      });
      let name = '';
      const reset = async () => {
        name = collection('updates');
        await store.upsert(name, base());
      };

      it('set replaces or creates, through missing objects', async () => {
        await reset();
        expect(await store.update(name, 'u', { set: { name: 'Initech', 'nested.x': 2, 'created.deep.value': [1, { a: null }] } })).toBe(true);
        expect(await store.get(name, 'u')).toEqual({
          ...base(),
          name: 'Initech',
          nested: { x: 2, keep: true },
          created: { deep: { value: [1, { a: null }] } },
        });
      });

      it('unset removes, and ignores what does not exist', async () => {
        await reset();
        await store.update(name, 'u', { unset: ['name', 'nested.x', 'absent', 'scalar.inner', 'list.k', 'nothing.x'] });
        const { name: _name, ...rest } = base();
        expect(await store.get(name, 'u')).toEqual({ ...rest, nested: { keep: true } });
      });

      it('inc adds, and starts a missing field at the increment', async () => {
        await reset();
        await store.update(name, 'u', { inc: { n: 2.5, 'counters.views': 3, scalar: -5 } });
        expect(await store.get(name, 'u')).toMatchObject({ n: 3.5, counters: { views: 3 }, scalar: 0 });
      });

      it('push appends one value, and starts a missing array', async () => {
        await reset();
        await store.update(name, 'u', { push: { tags: ['x', 'y'], 'fresh.list': { id: 1 }, list: { k: 2 } } });
        expect(await store.get(name, 'u')).toMatchObject({
          tags: ['a', 'b', 'a', 1, '1', ['x', 'y']],
          fresh: { list: [{ id: 1 }] },
          list: [{ k: 1 }, { k: 2 }],
        });
      });

      it('pull removes every equal element, types apart, and ignores a missing field', async () => {
        await reset();
        await store.update(name, 'u', { pull: { tags: 'a', absent: 1, 'nested.absent': 'x' } });
        expect((await store.get(name, 'u'))?.tags).toEqual(['b', 1, '1']);
        await store.update(name, 'u', { pull: { tags: 1 } });
        expect((await store.get(name, 'u'))?.tags).toEqual(['b', '1']);
      });

      it('refuses operators that do not apply to what the field holds, changing nothing', async () => {
        await reset();
        const conflicting: UpdateOps[] = [
          { inc: { name: 1 } },
          { inc: { nothing: 1 } },
          { inc: { tags: 1 } },
          { push: { name: 'x' } },
          { push: { nothing: 'x' } },
          { pull: { name: 'x' } },
          { set: { 'scalar.inner': 1 } },
          { set: { 'nothing.inner': 1 } },
          { set: { 'list.k': 1 } },
          { inc: { 'scalar.n': 1 } },
          { push: { 'tags.more': 1 } },
          { pull: { 'scalar.inner': 1 } },
          { pull: { 'nothing.inner': 1 } },
          { pull: { 'list.k': 1 } },
          { set: { fine: 1 }, inc: { name: 1 } },
        ];
        for (const ops of conflicting) {
          await expect(store.update(name, 'u', ops), JSON.stringify(ops)).rejects.toBeInstanceOf(UpdateConflictError);
          expect(await store.get(name, 'u'), JSON.stringify(ops)).toEqual(base());
        }
      });

      it('refuses invalid updates before touching anything', async () => {
        await reset();
        const refused: unknown[] = [
          {},
          { set: {} },
          { $set: { name: 'x' } },
          { set: { $where: 1 } },
          { set: { 'a.$b': 1 } },
          { set: { _id: 'other' } },
          { unset: ['_id'] },
          { set: { 'nested.x': 1 }, unset: ['nested'] },
          { set: { a: 1 }, inc: { a: 1 } },
          { unset: ['a', 'a'] },
          { inc: { n: '1' } },
          { inc: { n: Number.NaN } },
          { pull: { tags: { $in: ['a'] } } },
          { pull: { tags: ['a'] } },
          { unset: 'name' },
          { replace: { name: 'x' } },
          'set name = 1',
        ];
        for (const ops of refused) {
          await expect(store.update(name, 'u', ops as never), JSON.stringify(ops)).rejects.toBeInstanceOf(InvalidQueryError);
        }
        for (const ops of [
          { push: { tags: { $each: ['x'] } } },
          { set: { name: { $gt: '' } } },
          { set: { name: { 'a.b': 1 } } },
          { push: { tags: Number.NaN } },
        ]) {
          await expect(store.update(name, 'u', ops as never), JSON.stringify(ops)).rejects.toBeInstanceOf(InvalidDocumentError);
        }
        expect(await store.get(name, 'u')).toEqual(base());
      });

      it('answers false for a missing id', async () => {
        await reset();
        expect(await store.update(name, 'nobody', { set: { a: 1 } })).toBe(false);
        expect(await store.get(name, 'nobody')).toBeUndefined();
      });

      it('updateMany and deleteMany act on exactly the matching documents', async () => {
        const many = collection('many_updates');
        for (let i = 0; i < 20; i += 1) await store.upsert(many, { _id: `d${i}`, n: i, group: i % 2 === 0 ? 'even' : 'odd', tags: [] });
        const even: Filter = { field: 'group', op: 'eq', value: 'even' };
        expect(await store.updateMany(many, even, { inc: { n: 100 }, push: { tags: 'touched' } })).toBe(10);
        expect(await store.count(many, { field: 'n', op: 'gte', value: 100 })).toBe(10);
        expect(await store.count(many, { field: 'tags', op: 'contains', value: 'touched' })).toBe(10);
        expect(await store.updateMany(many, { field: 'group', op: 'eq', value: 'none' }, { set: { x: 1 } })).toBe(0);
        expect(
          await store.deleteMany(many, {
            and: [
              { field: 'group', op: 'eq', value: 'odd' },
              { field: 'n', op: 'lt', value: 9 },
            ],
          }),
        ).toBe(4);
        expect(await store.count(many)).toBe(16);
        expect(sortedIds(await findAll(many, { filter: { field: 'group', op: 'eq', value: 'odd' } }))).toEqual(['d11', 'd13', 'd15', 'd17', 'd19', 'd9']);
      });
    });
  });
}

function nest(filter: Filter, depth: number): Filter {
  let nested = filter;
  for (let level = 0; level < depth; level += 1) nested = { not: nested };
  return nested;
}

function fieldsOf(filter: Filter): string[] {
  if ('and' in filter) return filter.and.flatMap(fieldsOf);
  if ('or' in filter) return filter.or.flatMap(fieldsOf);
  if ('not' in filter) return fieldsOf(filter.not);
  return [filter.field];
}
