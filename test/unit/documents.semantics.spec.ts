import { describe, expect, it } from 'vitest';
import { InvalidCursorError, InvalidDocumentError, UpdateConflictError } from '../../infra/documents/errors.ts';
import type { JsonDocument, UpdateOps } from '../../infra/documents/port.ts';
import { decodeCursor, encodeCursor, normalizeSort } from '../../infra/documents/validation.ts';
import {
  applyUpdate,
  assertUniqueShapes,
  compareDocuments,
  compareSortValues,
  compareStrings,
  matchesFilter,
  prefixUpperBound,
  sortValueAt,
  updateShapeViolation,
  valuesAt,
} from '../../infra/documents/semantics.ts';
import { FILTER_FIXTURES, SORT_ASCENDING, SORT_DOCUMENTS } from '../contract/documents.cases.ts';
import { seededRandom } from '../../bench/seeded-random.ts';

describe('reference evaluator', () => {
  for (const fixture of FILTER_FIXTURES) {
    describe(`fixture ${fixture.name}`, () => {
      for (const testCase of fixture.cases) {
        it(testCase.name, () => {
          const found = fixture.documents.filter((document) => matchesFilter(document, testCase.filter)).map((document) => document._id);
          expect(found.sort()).toEqual([...testCase.expected].sort());
        });
      }
    });
  }

  it('reaches values like MongoDB: through objects and arrays of objects, one array level', () => {
    expect(valuesAt({ a: { b: 1 } }, ['a', 'b'])).toEqual([1]);
    expect(valuesAt({ a: [{ b: 1 }, { c: 2 }, { b: [3] }, 4, [{ b: 5 }]] }, ['a', 'b'])).toEqual([1, [3]]);
    expect(valuesAt({ a: 5 }, ['a', 'b'])).toEqual([]);
    expect(valuesAt({ a: null }, ['a'])).toEqual([null]);
    expect(valuesAt({}, ['a'])).toEqual([]);
  });
});

const utf8Order = (a: string, b: string) => Math.sign(Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8')));

function randomString(random: () => number): string {
  const alphabet = ['a', 'b', 'z', '\u00e9', '\ud7ff', '\ue000', '\uffff', '😀', '\u{10000}', '\u{10ffff}', '\u0000', ''];
  return Array.from({ length: Math.floor(random() * 4) }, () => alphabet[Math.floor(random() * alphabet.length)] ?? '').join('');
}

describe('strings', () => {
  it('compare by code point, as UTF-8 bytes do (not as JavaScript < does)', () => {
    expect('a😀' < 'a\uffff').toBe(true);
    expect(compareStrings('a😀', 'a\uffff')).toBeGreaterThan(0);
    const random = seededRandom(5);
    for (let n = 0; n < 5000; n += 1) {
      const a = randomString(random);
      const b = randomString(random);
      expect(Math.sign(compareStrings(a, b)), `${JSON.stringify(a)} vs ${JSON.stringify(b)}`).toBe(utf8Order(a, b));
    }
  });

  it('bound a prefix range exactly', () => {
    expect(prefixUpperBound('a')).toBe('b');
    expect(prefixUpperBound('')).toBeUndefined();
    expect(prefixUpperBound('a\ud7ff')).toBe('a\ue000');
    expect(prefixUpperBound('a\uffff')).toBe('a\u{10000}');
    expect(prefixUpperBound('a\u{10ffff}')).toBe('b');
    expect(prefixUpperBound('\u{10ffff}\u{10ffff}')).toBeUndefined();
    const random = seededRandom(6);
    for (let n = 0; n < 5000; n += 1) {
      const prefix = randomString(random);
      const value = random() < 0.3 ? prefix + randomString(random) : randomString(random);
      const upper = prefixUpperBound(prefix);
      const inRange = compareStrings(value, prefix) >= 0 && (upper === undefined || compareStrings(value, upper) < 0);
      expect(inRange, `${JSON.stringify(value)} / ${JSON.stringify(prefix)}`).toBe(value.startsWith(prefix));
    }
  });
});

describe('sorting', () => {
  it('orders missing = null < numbers < strings < booleans', () => {
    const sortable = SORT_DOCUMENTS.filter((document) => !('other' in document));
    const ascending = [...sortable].sort((a, b) => compareDocuments(a, b, normalizeSort([{ field: 'k', direction: 'asc' }])));
    expect(ascending.map((document) => document._id)).toEqual(SORT_ASCENDING);
    const descending = [...sortable].sort((a, b) => compareDocuments(a, b, normalizeSort([{ field: 'k', direction: 'desc' }])));
    expect(descending.map((document) => document._id)).toEqual([...SORT_ASCENDING].reverse());
    expect(compareSortValues(null, -1e300)).toBeLessThan(0);
    expect(compareSortValues(1e300, '')).toBeLessThan(0);
    expect(compareSortValues('\u{10ffff}', false)).toBeLessThan(0);
    expect(compareSortValues(1, 1.0)).toBe(0);
  });

  it('reads sort values through objects only', () => {
    expect(sortValueAt({ a: { b: 2 } }, 'a.b')).toBe(2);
    expect(sortValueAt({ a: 'x' }, 'a.b')).toBeNull();
    expect(sortValueAt({}, 'a')).toBeNull();
    expect(sortValueAt({ a: [1] }, 'a')).toBeUndefined();
    expect(sortValueAt({ a: [{ b: 1 }] }, 'a.b')).toBeUndefined();
    expect(sortValueAt({ a: { b: {} } }, 'a.b')).toBeUndefined();
  });

  it('round-trips cursors and refuses them for another sort or collection', () => {
    const sort = normalizeSort([
      { field: 'a', direction: 'asc' },
      { field: 'b', direction: 'desc' },
    ]);
    const position = { values: ['x😀', null], id: 'id-1' };
    const cursor = encodeCursor('orgs', sort, position);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor('orgs', sort, cursor)).toEqual(position);
    expect(() => decodeCursor('other', sort, cursor)).toThrow(InvalidCursorError);
    expect(() => decodeCursor('orgs', normalizeSort([{ field: 'a', direction: 'asc' }]), cursor)).toThrow(InvalidCursorError);
    expect(() => decodeCursor('orgs', sort, `${cursor}x`)).toThrow(InvalidCursorError);
  });
});

describe('update operators', () => {
  const document = (): JsonDocument => ({ _id: 'd', n: 1, s: 'x', nil: null, list: [1, 'a', 1, [1]], nested: { a: 1 }, objs: [{ k: 1 }] });
  const apply = (ops: UpdateOps) => applyUpdate(document(), ops, 'c');

  it('applies set, unset, inc, push and pull without touching the input', () => {
    const input = document();
    const output = applyUpdate(
      input,
      {
        set: { 'nested.b': [1], 'new.deep': 'v' },
        unset: ['s', 'nested.a', 'nope.x', 's.x', 'objs.k'],
        inc: { n: 1.5, 'c.d': 2 },
        push: { list: { o: 1 } },
        pull: { 'nested.none': 1 },
      },
      'c',
    );
    expect(output).toEqual({
      _id: 'd',
      n: 2.5,
      nil: null,
      list: [1, 'a', 1, [1], { o: 1 }],
      nested: { b: [1] },
      objs: [{ k: 1 }],
      new: { deep: 'v' },
      c: { d: 2 },
    });
    expect(input).toEqual(document());
    expect(apply({ pull: { list: 1 } }).list).toEqual(['a', [1]]);
    expect(apply({ pull: { list: 'a' } }).list).toEqual([1, 1, [1]]);
    expect(apply({ pull: { missing: 1 } })).toEqual(document());
  });

  it('refuses operators that do not fit the field', () => {
    const refused: UpdateOps[] = [
      { inc: { s: 1 } },
      { inc: { nil: 1 } },
      { push: { n: 1 } },
      { pull: { n: 1 } },
      { set: { 'n.x': 1 } },
      { set: { 'objs.k': 1 } },
      { inc: { 'nil.x': 1 } },
      { pull: { 'n.x': 1 } },
      { pull: { 'objs.k': 1 } },
    ];
    for (const ops of refused) expect(() => apply(ops), JSON.stringify(ops)).toThrow(UpdateConflictError);
    expect(() => applyUpdate({ _id: 'big', n: Number.MAX_VALUE }, { inc: { n: Number.MAX_VALUE } }, 'c')).toThrow(UpdateConflictError);
  });
});

describe('unique index shapes', () => {
  it('accepts scalars and missing values, refuses arrays and objects at or arrays along the path', () => {
    expect(() => assertUniqueShapes({ _id: 'x', a: { b: 'k' } }, ['a.b'])).not.toThrow();
    expect(() => assertUniqueShapes({ _id: 'x', a: 5 }, ['a.b'])).not.toThrow();
    expect(() => assertUniqueShapes({ _id: 'x' }, ['a.b'])).not.toThrow();
    for (const document of [
      { _id: 'x', a: { b: [1] } },
      { _id: 'x', a: { b: {} } },
      { _id: 'x', a: [{ b: 1 }] },
    ]) {
      expect(() => assertUniqueShapes(document, ['a.b'])).toThrow(InvalidDocumentError);
    }
  });

  it('decides from the operators whether an update could break them', () => {
    const fields = ['a.b'];
    expect(updateShapeViolation({ set: { 'a.b': 'x', c: [1] }, push: { d: 1 }, inc: { 'a.c': 1 } }, fields)).toBeUndefined();
    expect(updateShapeViolation({ set: { a: { b: 1, c: [1] } } }, fields)).toBeUndefined();
    expect(updateShapeViolation({ set: { a: 5 } }, fields)).toBeUndefined();
    expect(updateShapeViolation({ unset: ['a'], pull: { 'a.b': 1 } }, fields)).toBeUndefined();
    const breaking: UpdateOps[] = [
      { set: { 'a.b': [1] } },
      { set: { 'a.b': { c: 1 } } },
      { set: { a: [] } },
      { set: { a: { b: [] } } },
      { set: { 'a.b.c': 1 } },
      { inc: { 'a.b.c': 1 } },
      { push: { 'a.b': 1 } },
      { push: { a: 1 } },
      { push: { 'a.b.c': 1 } },
    ];
    for (const ops of breaking) {
      expect(updateShapeViolation(ops, fields), JSON.stringify(ops)).toBe('a.b');
    }
  });
});
