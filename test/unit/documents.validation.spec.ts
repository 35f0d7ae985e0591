import { describe, expect, it } from 'vitest';
import { InvalidDocumentError, InvalidQueryError } from '../../infra/documents/errors.ts';
import type { Filter } from '../../infra/documents/port.ts';
import {
  LIMITS,
  normalizeSort,
  parseCollectionName,
  parseFieldPath,
  parseFilter,
  parseFindOptions,
  parseIndexSpec,
  parseUpdateOps,
  validateDocument,
} from '../../infra/documents/validation.ts';

function caught(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

describe('field paths', () => {
  it('accepts dot-separated identifiers', () => {
    for (const path of ['a', '_id', 'a.b', 'A_1.b2._c', `${'x'.repeat(64)}.y`, Array.from({ length: 10 }, () => 'a').join('.')]) {
      expect(parseFieldPath(path)).toBe(path);
    }
  });

  it('refuses $, empty segments, indexes, oddities and excess with a typed error', () => {
    for (const path of [
      'a.$where',
      '$where',
      '$',
      'a.$',
      'a..b',
      '.a',
      'a.',
      'a.0',
      '0',
      '1a',
      'a-b',
      'a b',
      'é',
      '',
      'a\u0000',
      '__proto__',
      'a.__proto__',
      'x'.repeat(65),
      Array.from({ length: 11 }, () => 'a').join('.'),
      5,
      null,
    ]) {
      const error = caught(() => parseFieldPath(path));
      expect(error, String(path)).toBeInstanceOf(InvalidQueryError);
    }
  });
});

describe('filters', () => {
  it('returns a fresh copy holding only the AST', () => {
    const input = { and: [{ field: 'a', op: 'in', value: [1, 'x', null, true] }, { not: { field: 'b', op: 'prefix', value: 'p' } }] };
    const parsed = parseFilter(input);
    expect(parsed).toEqual(input);
    expect(parsed).not.toBe(input);
    const withNullPrototype = Object.assign(Object.create(null) as object, { field: 'a', op: 'eq', value: 1 });
    expect(parseFilter(withNullPrototype)).toEqual({ field: 'a', op: 'eq', value: 1 });
  });

  it('reports where a nested filter is wrong', () => {
    const error = caught(() => parseFilter({ and: [{ field: 'a', op: 'eq', value: 1 }, { or: [{ field: 'a.$where', op: 'eq', value: 1 }] }] }));
    expect(error).toBeInstanceOf(InvalidQueryError);
    expect((error as InvalidQueryError).issues).toEqual([expect.objectContaining({ path: 'filter.and.1.or.0.field' })]);
  });

  it('bounds size and nesting before walking deeper, so hostile input cannot exhaust the stack', () => {
    let deep: unknown = { field: 'a', op: 'eq', value: 1 };
    for (let level = 0; level < 200_000; level += 1) deep = { not: deep };
    expect(caught(() => parseFilter(deep))).toBeInstanceOf(InvalidQueryError);
    let deepArray: unknown = { field: 'a', op: 'eq', value: 1 };
    for (let level = 0; level < 200_000; level += 1) deepArray = { and: [deepArray] };
    expect(caught(() => parseFilter(deepArray))).toBeInstanceOf(InvalidQueryError);
    const wide = {
      or: Array.from({ length: 50 }, () => ({
        and: [
          { field: 'a', op: 'eq', value: 1 },
          { field: 'b', op: 'eq', value: 1 },
        ],
      })),
    };
    expect(caught(() => parseFilter(wide))).toBeInstanceOf(InvalidQueryError);
    const justUnder: Filter = { or: Array.from({ length: 49 }, () => ({ field: 'a', op: 'eq', value: 1 })) };
    expect(parseFilter(justUnder)).toEqual(justUnder);
    expect(LIMITS.filterNodes).toBe(100);
  });

  it('accepts the limits and refuses one past them', () => {
    expect(parseFilter({ field: 'a', op: 'in', value: Array.from({ length: 100 }, (_, n) => n) })).toBeTruthy();
    expect(parseFilter({ field: 'a', op: 'eq', value: 'x'.repeat(1024) })).toBeTruthy();
    expect(parseFilter({ field: 'a', op: 'prefix', value: 'x'.repeat(256) })).toBeTruthy();
    expect(caught(() => parseFilter({ field: 'a', op: 'in', value: Array.from({ length: 101 }, (_, n) => n) }))).toBeInstanceOf(InvalidQueryError);
    expect(caught(() => parseFilter({ field: 'a', op: 'prefix', value: 'x'.repeat(257) }))).toBeInstanceOf(InvalidQueryError);
  });
});

describe('documents', () => {
  it('copies and normalizes', () => {
    const input = { _id: 'x', n: -0, list: [{ a: 1 }], nested: { deep: { s: 'é' } } };
    const output = validateDocument(input);
    expect(output).toEqual({ _id: 'x', n: 0, list: [{ a: 1 }], nested: { deep: { s: 'é' } } });
    expect(Object.is(output.n, 0)).toBe(true);
    expect(output.list).not.toBe(input.list);
  });

  it('lists what is wrong', () => {
    const error = caught(() => validateDocument({ _id: 'x', $set: 1, nested: { 'a.b': 1 }, n: Number.NaN }));
    expect(error).toBeInstanceOf(InvalidDocumentError);
    expect((error as InvalidDocumentError).issues.map((issue) => issue.path)).toEqual(['', 'nested', 'n']);
  });
});

describe('updates, sorts, pages and indexes', () => {
  it('normalizes update operators and lists their paths', () => {
    expect(parseUpdateOps({ set: { a: 1 }, unset: ['b'], inc: { c: 1 }, push: { d: [1] }, pull: { e: null } })).toEqual({
      set: { a: 1 },
      unset: ['b'],
      inc: { c: 1 },
      push: { d: [1] },
      pull: { e: null },
      paths: [
        { op: 'set', path: 'a' },
        { op: 'inc', path: 'c' },
        { op: 'push', path: 'd' },
        { op: 'pull', path: 'e' },
        { op: 'unset', path: 'b' },
      ],
    });
  });

  it('refuses overlapping update paths', () => {
    for (const ops of [{ set: { a: 1 }, unset: ['a.b'] }, { inc: { 'a.b': 1 }, push: { a: 1 } }, { set: { a: 1, 'a.b': 2 } }]) {
      expect(
        caught(() => parseUpdateOps(ops)),
        JSON.stringify(ops),
      ).toBeInstanceOf(InvalidQueryError);
    }
    expect(parseUpdateOps({ set: { ab: 1, 'a.b': 2 } })).toBeTruthy();
  });

  it('normalizes sorts: _id last, in the last field’s direction by default', () => {
    expect(normalizeSort([])).toEqual({ keys: [], idDirection: 'asc' });
    expect(normalizeSort([{ field: 'a', direction: 'desc' }])).toEqual({ keys: [{ field: 'a', direction: 'desc' }], idDirection: 'desc' });
    expect(
      normalizeSort([
        { field: 'a', direction: 'desc' },
        { field: '_id', direction: 'asc' },
      ]),
    ).toEqual({
      keys: [{ field: 'a', direction: 'desc' }],
      idDirection: 'asc',
    });
  });

  it('parses find options, treating null as absent', () => {
    expect(parseFindOptions('c', { limit: 5, filter: null, sort: null, after: null })).toEqual({
      filter: undefined,
      sort: { keys: [], idDirection: 'asc' },
      limit: 5,
      after: undefined,
    });
    expect(caught(() => parseFindOptions('c', { limit: 5, offset: 10 }))).toBeInstanceOf(InvalidQueryError);
  });

  it('parses index specs and collection names', () => {
    expect(parseIndexSpec({ name: 'by_a', fields: [{ field: 'a', direction: 'asc' }] })).toEqual({
      name: 'by_a',
      fields: [{ field: 'a', direction: 'asc' }],
      unique: false,
    });
    expect(parseCollectionName('read_model_1')).toBe('read_model_1');
    expect(caught(() => parseCollectionName('read-model'))).toBeInstanceOf(InvalidQueryError);
  });
});
