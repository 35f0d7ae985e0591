import { MongoNetworkError, MongoServerError } from 'mongodb';
import { describe, expect, it } from 'vitest';
import {
  DocumentStoreUnavailableError,
  DuplicateKeyError,
  IndexConflictError,
  InvalidDocumentError,
  InvalidQueryError,
  UpdateConflictError,
} from '../../infra/documents/errors.ts';
import {
  afterCursorFilter,
  duplicateKeyIndex,
  escapeRegex,
  fromMongoDocument,
  mapMongoError,
  toMongoFilter,
  toMongoIndexKeys,
  toMongoSort,
  toMongoUpdate,
  uniqueShapeViolationFilter,
} from '../../infra/documents/mongodb.ts';
import type { Filter } from '../../infra/documents/port.ts';
import { normalizeSort } from '../../infra/documents/validation.ts';
import { FILTER_FIXTURES, generatedFilter } from '../contract/documents.cases.ts';
import { seededRandom } from '../../bench/seeded-random.ts';

const missingOrNull = (path: string) => ({ $or: [{ [path]: { $exists: false } }, { [path]: { $type: 'null' } }] });

/** Every key of a translated filter/update that starts with `$`, and every other key. */
function keysOf(value: unknown, found: { operators: Set<string>; fields: Set<string> } = { operators: new Set(), fields: new Set() }) {
  if (Array.isArray(value)) {
    for (const item of value) keysOf(item, found);
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, child] of Object.entries(value)) {
      (key.startsWith('$') ? found.operators : found.fields).add(key);
      keysOf(child, found);
    }
  }
  return found;
}

const OUR_OPERATORS = new Set(['$and', '$or', '$nor', '$eq', '$ne', '$in', '$nin', '$gt', '$gte', '$lt', '$lte', '$exists', '$type', '$regex', '$elemMatch']);

describe('toMongoFilter', () => {
  it('translates each predicate', () => {
    const cases: Array<[Filter, object]> = [
      [{ field: 'name', op: 'eq', value: 'acme' }, { name: { $eq: 'acme' } }],
      [{ field: 'a.b', op: 'eq', value: 5 }, { 'a.b': { $eq: 5 } }],
      [{ field: 'flag', op: 'eq', value: false }, { flag: { $eq: false } }],
      [{ field: 'a', op: 'ne', value: 'x' }, { a: { $ne: 'x' } }],
      [{ field: 'a', op: 'in', value: [1, 'x', true] }, { a: { $in: [1, 'x', true] } }],
      [{ field: 'a', op: 'in', value: [] }, { a: { $in: [] } }],
      [{ field: 'a', op: 'nin', value: [1, 'x'] }, { a: { $nin: [1, 'x'] } }],
      [{ field: 'a', op: 'nin', value: [] }, { a: { $nin: [] } }],
      [{ field: 'n', op: 'gt', value: 1 }, { n: { $gt: 1 } }],
      [{ field: 'n', op: 'gte', value: -1.5 }, { n: { $gte: -1.5 } }],
      [{ field: 's', op: 'lt', value: 'm' }, { s: { $lt: 'm' } }],
      [{ field: 's', op: 'lte', value: '' }, { s: { $lte: '' } }],
      [{ field: 'a', op: 'exists', value: true }, { a: { $exists: true } }],
      [{ field: 'a', op: 'exists', value: false }, { a: { $exists: false } }],
      [{ field: 'slug', op: 'prefix', value: 'acme-' }, { slug: { $regex: '^acme\\-' } }],
      [{ field: 'tags', op: 'contains', value: 'x' }, { tags: { $elemMatch: { $eq: 'x' } } }],
      [{ field: 'tags', op: 'contains', value: null }, { tags: { $elemMatch: { $eq: null } } }],
    ];
    for (const [filter, expected] of cases) expect(toMongoFilter(filter), JSON.stringify(filter)).toEqual(expected);
  });

  it('pins eq null to "no value, or a null value" with $exists/$type, never {f: null}', () => {
    expect(toMongoFilter({ field: 'a.b', op: 'eq', value: null })).toEqual(missingOrNull('a.b'));
    expect(toMongoFilter({ field: 'a', op: 'ne', value: null })).toEqual({ $nor: [missingOrNull('a')] });
    expect(toMongoFilter({ field: 'a', op: 'in', value: [null] })).toEqual(missingOrNull('a'));
    expect(toMongoFilter({ field: 'a', op: 'in', value: [1, null, 'x'] })).toEqual({ $or: [{ a: { $in: [1, 'x'] } }, missingOrNull('a')] });
    expect(toMongoFilter({ field: 'a', op: 'nin', value: [1, null] })).toEqual({ $nor: [{ $or: [{ a: { $in: [1] } }, missingOrNull('a')] }] });
    // No translated filter ever compares with a null value.
    const random = seededRandom(3);
    for (let n = 0; n < 500; n += 1) {
      // (`contains null` is `$elemMatch: {$eq: null}`: element-wise, where null means null.)
      const json = JSON.stringify(toMongoFilter(generatedFilter(random))).replaceAll('"$elemMatch":{"$eq":null}', '');
      expect(json).not.toMatch(/"\$(eq|ne|in|nin)":(null|\[[^\]]*null)/);
    }
  });

  it('nests and/or/not', () => {
    const filter: Filter = {
      and: [
        { or: [{ field: 'a', op: 'eq', value: 1 }, { not: { field: 'b', op: 'exists', value: true } }] },
        { not: { and: [{ field: 'c', op: 'gt', value: 2 }] } },
      ],
    };
    expect(toMongoFilter(filter)).toEqual({
      $and: [{ $or: [{ a: { $eq: 1 } }, { $nor: [{ b: { $exists: true } }] }] }, { $nor: [{ $and: [{ c: { $gt: 2 } }] }] }],
    });
  });

  it('escapes every regex metacharacter of a prefix and anchors it', () => {
    const hostile = '.*+?^${}()|[]\\/-#&~ \n\t"\'';
    const { s } = toMongoFilter({ field: 's', op: 'prefix', value: hostile }) as { s: { $regex: string } };
    expect(s.$regex.startsWith('^')).toBe(true);
    // Letters, digits and non-ASCII stay; every ASCII punctuation, space or control character is backslash-escaped.
    expect(escapeRegex('aZ9é😀')).toBe('aZ9é😀');
    for (const character of hostile) expect(escapeRegex(character)).toBe(`\\${character}`);
    // As a (non-unicode) JavaScript regex, which treats escaped punctuation as PCRE does, it matches only the literal prefix.
    const regex = new RegExp(s.$regex);
    expect(regex.test(`${hostile}tail`)).toBe(true);
    expect(regex.test(`x${hostile}`)).toBe(false);
    expect(regex.test('anything')).toBe(false);
    expect(new RegExp(toMongoFilter({ field: 's', op: 'prefix', value: 'a.b' }).s.$regex as string).test('axb')).toBe(false);
  });

  it('puts user strings only in value positions: every $-key is one of ours', () => {
    const hostileStrings = ['$where', '{"$gt": ""}', '$gt', 'a.$b', "'; drop", '\\', '.*'];
    for (const value of hostileStrings) {
      for (const op of ['eq', 'ne', 'in', 'nin', 'gt', 'lt', 'prefix', 'contains'] as const) {
        const filter = (op === 'in' || op === 'nin' ? { field: 'name', op, value: [value] } : { field: 'name', op, value }) as Filter;
        const translated = toMongoFilter(filter);
        const { operators, fields } = keysOf(translated);
        for (const operator of operators) expect(OUR_OPERATORS.has(operator), operator).toBe(true);
        expect([...fields]).toEqual(['name']);
      }
    }
    const random = seededRandom(4);
    for (let n = 0; n < 500; n += 1) {
      const { operators, fields } = keysOf(toMongoFilter(generatedFilter(random)));
      for (const operator of operators) expect(OUR_OPERATORS.has(operator), operator).toBe(true);
      for (const field of fields) expect(field).toMatch(/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/);
    }
    // None of $where, $expr, $function, $accumulator, $jsonSchema, $text can ever appear.
    expect(JSON.stringify(FILTER_FIXTURES.flatMap((fixture) => fixture.cases.map((c) => toMongoFilter(c.filter))))).not.toMatch(
      /\$(where|expr|function|accumulator|jsonSchema|text)"/,
    );
  });

  it('validates before translating: a field path like a.$where is a typed error', () => {
    for (const bad of [
      { field: 'a.$where', op: 'eq', value: 1 },
      { field: '$where', op: 'eq', value: 'x' },
      { field: 'a', op: 'eq', value: { $gt: '' } },
      { field: 'a', op: 'in', value: [/x/] },
      { field: 'a', op: 'eq', value: 1, extra: true },
      { $or: [] },
      { a: 1 },
    ]) {
      expect(() => toMongoFilter(bad as Filter), JSON.stringify(bad)).toThrow(InvalidQueryError);
    }
  });
});

describe('toMongoUpdate', () => {
  it('translates each operator', () => {
    expect(
      toMongoUpdate({
        set: { name: 'x', 'a.b': { c: [1, null] } },
        unset: ['old', 'x.y'],
        inc: { n: 2, 'stats.views': -1.5 },
        push: { tags: 'new', lists: ['as', 'one'] },
        pull: { roles: 'admin', nums: 3 },
      }),
    ).toEqual({
      $set: { name: 'x', 'a.b': { c: [1, null] } },
      $unset: { old: '', 'x.y': '' },
      $inc: { n: 2, 'stats.views': -1.5 },
      $push: { tags: 'new', lists: ['as', 'one'] },
      $pull: { roles: 'admin', nums: 3 },
    });
    expect(toMongoUpdate({ set: {}, inc: { n: 1 } })).toEqual({ $inc: { n: 1 } });
  });

  it('refuses anything that MongoDB would read as an operator or a condition', () => {
    expect(() => toMongoUpdate({ push: { tags: { $each: ['a', 'b'] } } } as never)).toThrow(InvalidDocumentError);
    expect(() => toMongoUpdate({ set: { a: { $where: 'x' } } } as never)).toThrow(InvalidDocumentError);
    expect(() => toMongoUpdate({ pull: { tags: { $in: ['a'] } } } as never)).toThrow(InvalidQueryError);
    expect(() => toMongoUpdate({ set: { $where: 1 } } as never)).toThrow(InvalidQueryError);
    expect(() => toMongoUpdate({ $set: { a: 1 } } as never)).toThrow(InvalidQueryError);
    expect(() => toMongoUpdate({ set: { _id: 'x' } })).toThrow(InvalidQueryError);
    expect(() => toMongoUpdate({ set: { a: 1 }, unset: ['a.b'] })).toThrow(InvalidQueryError);
    expect(() => toMongoUpdate({})).toThrow(InvalidQueryError);
  });
});

describe('sort, cursor and index translation', () => {
  it('sorts by the keys then _id in the last key’s direction', () => {
    expect(
      toMongoSort(
        normalizeSort([
          { field: 'a.b', direction: 'desc' },
          { field: 'c', direction: 'asc' },
        ]),
      ),
    ).toEqual({ 'a.b': -1, c: 1, _id: 1 });
    expect(
      Object.keys(
        toMongoSort(
          normalizeSort([
            { field: 'z', direction: 'desc' },
            { field: 'a', direction: 'desc' },
          ]),
        ),
      ),
    ).toEqual(['z', 'a', '_id']);
    expect(
      toMongoSort(
        normalizeSort([
          { field: 'n', direction: 'desc' },
          { field: '_id', direction: 'asc' },
        ]),
      ),
    ).toEqual({ n: -1, _id: 1 });
    expect(toMongoSort(normalizeSort([]))).toEqual({ _id: 1 });
  });

  it('continues after a cursor position through the type order', () => {
    const asc = normalizeSort([{ field: 'k', direction: 'asc' }]);
    const desc = normalizeSort([{ field: 'k', direction: 'desc' }]);
    const idAfter = { _id: { $gt: 'id1' } };
    const idBefore = { _id: { $lt: 'id1' } };
    expect(afterCursorFilter(asc, { values: [5], id: 'id1' })).toEqual({
      $or: [{ $or: [{ k: { $gt: 5 } }, { k: { $type: ['string', 'object', 'array', 'bool'] } }] }, { $and: [{ k: { $eq: 5 } }, idAfter] }],
    });
    expect(afterCursorFilter(asc, { values: [null], id: 'id1' })).toEqual({
      $or: [{ k: { $type: ['number', 'string', 'object', 'array', 'bool'] } }, { $and: [missingOrNull('k'), idAfter] }],
    });
    expect(afterCursorFilter(asc, { values: [true], id: 'id1' })).toEqual({
      $or: [{ k: { $gt: true } }, { $and: [{ k: { $eq: true } }, idAfter] }],
    });
    expect(afterCursorFilter(desc, { values: ['m'], id: 'id1' })).toEqual({
      $or: [{ $or: [{ k: { $lt: 'm' } }, { k: { $type: ['number'] } }, missingOrNull('k')] }, { $and: [{ k: { $eq: 'm' } }, idBefore] }],
    });
    expect(afterCursorFilter(desc, { values: [null], id: 'id1' })).toEqual({ $and: [missingOrNull('k'), idBefore] });
    expect(afterCursorFilter(normalizeSort([]), { values: [], id: 'id1' })).toEqual(idAfter);
  });

  it('chains several keys lexicographically', () => {
    const sort = normalizeSort([
      { field: 'a', direction: 'asc' },
      { field: 'b', direction: 'desc' },
    ]);
    expect(afterCursorFilter(sort, { values: ['x', 2], id: 'id9' })).toEqual({
      $or: [
        { $or: [{ a: { $gt: 'x' } }, { a: { $type: ['object', 'array', 'bool'] } }] },
        { $and: [{ a: { $eq: 'x' } }, { $or: [{ b: { $lt: 2 } }, missingOrNull('b')] }] },
        { $and: [{ a: { $eq: 'x' } }, { b: { $eq: 2 } }, { _id: { $lt: 'id9' } }] },
      ],
    });
  });

  it('builds index keys (with _id for non-unique indexes) and the unique-shape check', () => {
    expect(toMongoIndexKeys({ name: 'i', fields: [{ field: 'a', direction: 'desc' }], unique: false })).toEqual({ a: -1, _id: -1 });
    expect(
      toMongoIndexKeys({
        name: 'i',
        fields: [
          { field: 'a', direction: 'asc' },
          { field: 'b.c', direction: 'desc' },
        ],
        unique: true,
      }),
    ).toEqual({
      a: 1,
      'b.c': -1,
    });
    expect(uniqueShapeViolationFilter([{ field: 'a.b', direction: 'asc' }])).toEqual({
      $or: [{ a: { $type: 'array' } }, { 'a.b': { $type: 'array' } }, { 'a.b': { $type: 'object' } }],
    });
  });
});

describe('MongoDB errors and documents', () => {
  const serverError = (code: number, errmsg: string) => new MongoServerError({ code, errmsg });

  it('maps E11000 to DuplicateKeyError with the index name', () => {
    const error = serverError(11000, 'E11000 duplicate key error collection: test.orgs index: by_slug dup key: { slug: "acme" }');
    expect(duplicateKeyIndex(error)).toBe('by_slug');
    const mapped = mapMongoError(error, 'orgs', 'write');
    expect(mapped).toBeInstanceOf(DuplicateKeyError);
    expect(mapped).toMatchObject({ collection: 'orgs', index: 'by_slug', cause: error });
    expect(duplicateKeyIndex(serverError(11000, 'E11000 duplicate key error collection: t.c index: _id_ dup key: { _id: "x" }'))).toBe('_id_');
    expect(duplicateKeyIndex(serverError(2, 'index: x dup key'))).toBeUndefined();
    expect(duplicateKeyIndex(new Error('E11000 index: x dup key'))).toBeUndefined();
  });

  it('maps update conflicts, index conflicts and connection loss', () => {
    expect(mapMongoError(serverError(14, 'Cannot apply $inc to a value of non-numeric type'), 'c', 'update')).toBeInstanceOf(UpdateConflictError);
    expect(mapMongoError(serverError(2, 'The field must be an array'), 'c', 'update')).toBeInstanceOf(UpdateConflictError);
    expect(mapMongoError(serverError(28, 'Cannot create field'), 'c', 'update')).toBeInstanceOf(UpdateConflictError);
    expect(mapMongoError(serverError(2, 'BadValue'), 'c', 'read')).toBeInstanceOf(MongoServerError);
    expect(mapMongoError(serverError(85, 'Index already exists with a different name'), 'c', 'index')).toBeInstanceOf(IndexConflictError);
    expect(mapMongoError(serverError(86, 'different key'), 'c', 'index')).toBeInstanceOf(IndexConflictError);
    expect(mapMongoError(new MongoNetworkError('connection reset'), 'c', 'read')).toBeInstanceOf(DocumentStoreUnavailableError);
    const other = new Error('other');
    expect(mapMongoError(other, 'c', 'read')).toBe(other);
  });

  it('reads back only JSON documents', () => {
    expect(fromMongoDocument({ _id: 'x', a: [1, { b: null }], s: 'é' })).toEqual({ _id: 'x', a: [1, { b: null }], s: 'é' });
    expect(() => fromMongoDocument({ _id: 'x', when: new Date() })).toThrow(InvalidDocumentError);
    expect(() => fromMongoDocument({ _id: 1 })).toThrow(InvalidDocumentError);
  });
});
