import type { Filter, JsonDocument, JsonScalar } from '../../infra/documents/port.ts';
import type { JsonValue } from '../../domain/shared/json-value.ts';
import { seededRandom } from '../../bench/seeded-random.ts';

/**
 * Fixtures and hand-computed expectations for the DocumentStore filter semantics. The contract suite runs them
 * against every adapter; test/unit/documents.semantics.spec.ts runs them against the reference evaluator, so the
 * expectations, the reference and the adapters all agree.
 */

export interface FilterCase {
  name: string;
  filter: Filter;
  /** Ids of the matching documents (any order). */
  expected: readonly string[];
}

export interface FilterFixture {
  name: string;
  documents: readonly JsonDocument[];
  cases: readonly FilterCase[];
}

const all = (documents: readonly JsonDocument[]) => documents.map((document) => document._id);
const except = (documents: readonly JsonDocument[], excluded: readonly string[]) => all(documents).filter((id) => !excluded.includes(id));

/** One field `v` holding every shape: scalars of each type, arrays, nested arrays, objects, arrays of objects. */
const VALUES: JsonDocument[] = [
  { _id: 'missing' },
  { _id: 'null', v: null },
  { _id: 'zero', v: 0 },
  { _id: 'five', v: 5 },
  { _id: 'fiveHalf', v: 5.5 },
  { _id: 'minus', v: -3 },
  { _id: 'str', v: 'apple' },
  { _id: 'strFive', v: '5' },
  { _id: 'strEmpty', v: '' },
  { _id: 'true', v: true },
  { _id: 'false', v: false },
  { _id: 'hostile', v: '{"$gt": ""}' },
  { _id: 'arrMixed', v: [1, 'apple', null] },
  { _id: 'arrNums', v: [3, 7] },
  { _id: 'arrEmpty', v: [] },
  { _id: 'arrNested', v: [[5]] },
  { _id: 'obj', v: { w: 5 } },
  { _id: 'objNull', v: { w: null } },
  { _id: 'objs', v: [{ w: 5 }, { w: 'x' }, {}] },
  { _id: 'objsNull', v: [{ w: null }, { w: 1 }] },
  { _id: 'objsArr', v: [{ w: [5, 6] }] },
  { _id: 'nestedObjs', v: [[{ w: 5 }]] },
];

const strings = (ids: string[]) => ids;
const STRING_IDS = strings(['str', 'strFive', 'strEmpty', 'hostile', 'arrMixed']);

const VALUE_CASES: FilterCase[] = [
  // eq: same type only, arrays match by element (one level), objects never equal a scalar.
  { name: 'eq number', filter: { field: 'v', op: 'eq', value: 5 }, expected: ['five'] },
  { name: 'eq numeric string is a string', filter: { field: 'v', op: 'eq', value: '5' }, expected: ['strFive'] },
  { name: 'eq string matches a scalar and an array element', filter: { field: 'v', op: 'eq', value: 'apple' }, expected: ['str', 'arrMixed'] },
  { name: 'eq true is not 1', filter: { field: 'v', op: 'eq', value: true }, expected: ['true'] },
  { name: 'eq 1 is not true', filter: { field: 'v', op: 'eq', value: 1 }, expected: ['arrMixed'] },
  { name: 'eq 0 is not false', filter: { field: 'v', op: 'eq', value: 0 }, expected: ['zero'] },
  { name: 'eq false', filter: { field: 'v', op: 'eq', value: false }, expected: ['false'] },
  { name: 'eq empty string', filter: { field: 'v', op: 'eq', value: '' }, expected: ['strEmpty'] },
  {
    name: 'eq null: missing, null, or an array holding null (not [])',
    filter: { field: 'v', op: 'eq', value: null },
    expected: ['missing', 'null', 'arrMixed'],
  },
  { name: 'eq an operator-looking string is that literal string', filter: { field: 'v', op: 'eq', value: '{"$gt": ""}' }, expected: ['hostile'] },
  { name: 'ne is the exact negation of eq (missing included)', filter: { field: 'v', op: 'ne', value: 5 }, expected: except(VALUES, ['five']) },
  { name: 'ne null', filter: { field: 'v', op: 'ne', value: null }, expected: except(VALUES, ['missing', 'null', 'arrMixed']) },
  // in / nin
  { name: 'in', filter: { field: 'v', op: 'in', value: [5, 'apple'] }, expected: ['five', 'str', 'arrMixed'] },
  { name: 'in with null', filter: { field: 'v', op: 'in', value: [null, 7] }, expected: ['missing', 'null', 'arrMixed', 'arrNums'] },
  { name: 'in with booleans', filter: { field: 'v', op: 'in', value: [false, 'x'] }, expected: ['false'] },
  { name: 'in nothing', filter: { field: 'v', op: 'in', value: [] }, expected: [] },
  { name: 'nin', filter: { field: 'v', op: 'nin', value: [5, 'apple', null] }, expected: except(VALUES, ['five', 'str', 'arrMixed', 'missing', 'null']) },
  { name: 'nin nothing', filter: { field: 'v', op: 'nin', value: [] }, expected: all(VALUES) },
  // comparisons: same type only
  { name: 'gt number skips strings and booleans', filter: { field: 'v', op: 'gt', value: 4 }, expected: ['five', 'fiveHalf', 'arrNums'] },
  { name: 'gte number', filter: { field: 'v', op: 'gte', value: 5 }, expected: ['five', 'fiveHalf', 'arrNums'] },
  { name: 'lt negative', filter: { field: 'v', op: 'lt', value: 0 }, expected: ['minus'] },
  { name: 'lte zero', filter: { field: 'v', op: 'lte', value: 0 }, expected: ['zero', 'minus'] },
  { name: 'lt matches an array element, not false', filter: { field: 'v', op: 'lt', value: 3 }, expected: ['zero', 'minus', 'arrMixed'] },
  { name: 'gt string', filter: { field: 'v', op: 'gt', value: 'a' }, expected: ['str', 'arrMixed', 'hostile'] },
  { name: 'lt string', filter: { field: 'v', op: 'lt', value: 'b' }, expected: ['str', 'arrMixed', 'strFive', 'strEmpty'] },
  { name: 'lte empty string', filter: { field: 'v', op: 'lte', value: '' }, expected: ['strEmpty'] },
  { name: 'gte empty string is every string', filter: { field: 'v', op: 'gte', value: '' }, expected: STRING_IDS },
  // exists
  { name: 'exists: null and [] exist', filter: { field: 'v', op: 'exists', value: true }, expected: except(VALUES, ['missing']) },
  { name: 'exists false', filter: { field: 'v', op: 'exists', value: false }, expected: ['missing'] },
  // prefix
  { name: 'prefix', filter: { field: 'v', op: 'prefix', value: 'app' }, expected: ['str', 'arrMixed'] },
  { name: 'empty prefix is every string', filter: { field: 'v', op: 'prefix', value: '' }, expected: STRING_IDS },
  { name: 'prefix of operator characters', filter: { field: 'v', op: 'prefix', value: '{"$' }, expected: ['hostile'] },
  // contains: arrays only
  { name: 'contains a number', filter: { field: 'v', op: 'contains', value: 3 }, expected: ['arrNums'] },
  { name: 'contains a string', filter: { field: 'v', op: 'contains', value: 'apple' }, expected: ['arrMixed'] },
  { name: 'contains null', filter: { field: 'v', op: 'contains', value: null }, expected: ['arrMixed'] },
  { name: 'contains ignores scalars and nested arrays', filter: { field: 'v', op: 'contains', value: 5 }, expected: [] },
  // dotted paths through objects and arrays of objects
  { name: 'path through an object and arrays of objects', filter: { field: 'v.w', op: 'eq', value: 5 }, expected: ['obj', 'objs', 'objsArr'] },
  { name: 'path eq string', filter: { field: 'v.w', op: 'eq', value: 'x' }, expected: ['objs'] },
  {
    name: 'path eq null: no value reached, or a null reached (an element lacking the field does not count)',
    filter: { field: 'v.w', op: 'eq', value: null },
    expected: except(VALUES, ['obj', 'objs', 'objsArr']),
  },
  { name: 'path ne', filter: { field: 'v.w', op: 'ne', value: 5 }, expected: except(VALUES, ['obj', 'objs', 'objsArr']) },
  { name: 'path exists', filter: { field: 'v.w', op: 'exists', value: true }, expected: ['obj', 'objNull', 'objs', 'objsNull', 'objsArr'] },
  {
    name: 'path exists false',
    filter: { field: 'v.w', op: 'exists', value: false },
    expected: except(VALUES, ['obj', 'objNull', 'objs', 'objsNull', 'objsArr']),
  },
  { name: 'path contains', filter: { field: 'v.w', op: 'contains', value: 6 }, expected: ['objsArr'] },
  { name: 'path gt', filter: { field: 'v.w', op: 'gt', value: 0 }, expected: ['obj', 'objs', 'objsNull', 'objsArr'] },
  { name: 'path in', filter: { field: 'v.w', op: 'in', value: ['x', 1] }, expected: ['objs', 'objsNull'] },
  { name: 'path through a scalar or null reaches nothing', filter: { field: 'v.w.z', op: 'exists', value: true }, expected: [] },
  // and / or / not
  {
    name: 'and: each condition may be met by a different element',
    filter: {
      and: [
        { field: 'v', op: 'gt', value: 0 },
        { field: 'v', op: 'lt', value: 6 },
      ],
    },
    expected: ['five', 'fiveHalf', 'arrMixed', 'arrNums'],
  },
  {
    name: 'or',
    filter: {
      or: [
        { field: 'v', op: 'eq', value: 'apple' },
        { field: 'v', op: 'eq', value: true },
      ],
    },
    expected: ['str', 'arrMixed', 'true'],
  },
  { name: 'not', filter: { not: { field: 'v', op: 'eq', value: 5 } }, expected: except(VALUES, ['five']) },
  {
    name: 'not of or',
    filter: {
      not: {
        or: [
          { field: 'v', op: 'exists', value: false },
          { field: 'v', op: 'eq', value: null },
        ],
      },
    },
    expected: except(VALUES, ['missing', 'null', 'arrMixed']),
  },
  {
    name: 'nested and/or/not',
    filter: {
      and: [
        {
          or: [
            { field: 'v', op: 'eq', value: 5 },
            { field: 'v', op: 'eq', value: '5' },
            { field: 'v.w', op: 'eq', value: 5 },
          ],
        },
        { not: { field: 'v', op: 'eq', value: '5' } },
        { not: { not: { field: '_id', op: 'prefix', value: 'o' } } },
      ],
    },
    expected: ['obj', 'objs', 'objsArr'],
  },
  // _id
  { name: '_id eq', filter: { field: '_id', op: 'eq', value: 'five' }, expected: ['five'] },
  { name: '_id in', filter: { field: '_id', op: 'in', value: ['five', 'zero', 'nope'] }, expected: ['five', 'zero'] },
  { name: '_id prefix', filter: { field: '_id', op: 'prefix', value: 'arr' }, expected: ['arrMixed', 'arrNums', 'arrEmpty', 'arrNested'] },
  { name: '_id gt', filter: { field: '_id', op: 'gt', value: 'true' }, expected: ['zero'] },
  { name: '_id is never a number', filter: { field: '_id', op: 'eq', value: 5 }, expected: [] },
];

/** Strings for prefix escaping and code point order. */
const STRINGS: JsonDocument[] = [
  { _id: 'app', s: 'app' },
  { _id: 'apple', s: 'apple' },
  { _id: 'apricot', s: 'apricot' },
  { _id: 'APP', s: 'APP' },
  { _id: 'dotted', s: 'a.b' },
  { _id: 'adjacent', s: 'ab' },
  { _id: 'star', s: 'a*' },
  { _id: 'aa', s: 'aa' },
  { _id: 'backslash', s: 'a\\b' },
  { _id: 'paren', s: '(a' },
  { _id: 'caret', s: '^a' },
  { _id: 'dollar', s: 'a$' },
  { _id: 'astral', s: 'a😀' },
  { _id: 'bmpTop', s: 'a\uffff' },
  { _id: 'empty', s: '' },
  { _id: 'number', s: 1 },
  { _id: 'tags', s: ['xapp', 'apple2'] },
  { _id: 'newline', s: 'line\nnext' },
];

const A_PREFIXED = ['app', 'apple', 'apricot', 'dotted', 'adjacent', 'star', 'aa', 'backslash', 'dollar', 'astral', 'bmpTop', 'tags'];

const STRING_CASES: FilterCase[] = [
  { name: 'prefix matches elements too', filter: { field: 's', op: 'prefix', value: 'app' }, expected: ['app', 'apple', 'tags'] },
  { name: 'prefix: . is literal', filter: { field: 's', op: 'prefix', value: 'a.' }, expected: ['dotted'] },
  { name: 'prefix: * is literal', filter: { field: 's', op: 'prefix', value: 'a*' }, expected: ['star'] },
  { name: 'prefix: backslash is literal', filter: { field: 's', op: 'prefix', value: 'a\\' }, expected: ['backslash'] },
  { name: 'prefix: an unbalanced parenthesis is literal', filter: { field: 's', op: 'prefix', value: '(' }, expected: ['paren'] },
  { name: 'prefix: ^ is literal', filter: { field: 's', op: 'prefix', value: '^' }, expected: ['caret'] },
  { name: 'prefix: $ is literal', filter: { field: 's', op: 'prefix', value: 'a$' }, expected: ['dollar'] },
  { name: 'prefix: regex syntax is literal', filter: { field: 's', op: 'prefix', value: '.*' }, expected: [] },
  { name: 'prefix is case-sensitive and includes characters above U+FFFF', filter: { field: 's', op: 'prefix', value: 'a' }, expected: A_PREFIXED },
  { name: 'prefix upper case', filter: { field: 's', op: 'prefix', value: 'APP' }, expected: ['APP'] },
  { name: 'prefix with a newline', filter: { field: 's', op: 'prefix', value: 'line\n' }, expected: ['newline'] },
  { name: 'prefix ending in U+FFFF', filter: { field: 's', op: 'prefix', value: 'a\uffff' }, expected: ['bmpTop'] },
  { name: 'prefix ending in an astral character', filter: { field: 's', op: 'prefix', value: 'a😀' }, expected: ['astral'] },
  { name: 'empty prefix: strings only', filter: { field: 's', op: 'prefix', value: '' }, expected: except(STRINGS, ['number']) },
  {
    name: 'strings compare by code point (U+1F600 > U+FFFF)',
    filter: { field: 's', op: 'gt', value: 'a\uffff' },
    expected: ['astral', 'newline', 'tags'],
  },
  {
    name: 'a range over strings',
    filter: {
      and: [
        { field: 's', op: 'gte', value: 'a' },
        { field: 's', op: 'lt', value: 'a\uffff' },
      ],
    },
    expected: A_PREFIXED.filter((id) => id !== 'astral' && id !== 'bmpTop'),
  },
];

/** Arrays for `contains` and element equality. */
const ARRAYS: JsonDocument[] = [
  { _id: 'ab', tags: ['a', 'b'] },
  { _id: 'scalar', tags: 'a' },
  { _id: 'nested', tags: [['a']] },
  { _id: 'empty', tags: [] },
  { _id: 'withNull', tags: [null, 'c'] },
  { _id: 'numbers', tags: [1, 2] },
  { _id: 'mixed', tags: ['1', true] },
  { _id: 'none' },
  { _id: 'items', items: [{ tags: ['x'] }, { tags: 'y' }, { tags: [['z']] }] },
];

const ARRAY_CASES: FilterCase[] = [
  { name: 'contains', filter: { field: 'tags', op: 'contains', value: 'a' }, expected: ['ab'] },
  { name: 'contains null', filter: { field: 'tags', op: 'contains', value: null }, expected: ['withNull'] },
  { name: 'contains a number, not its string', filter: { field: 'tags', op: 'contains', value: 1 }, expected: ['numbers'] },
  { name: 'contains a string, not its number', filter: { field: 'tags', op: 'contains', value: '1' }, expected: ['mixed'] },
  { name: 'contains true', filter: { field: 'tags', op: 'contains', value: true }, expected: ['mixed'] },
  { name: 'eq matches a scalar or an element', filter: { field: 'tags', op: 'eq', value: 'a' }, expected: ['ab', 'scalar'] },
  { name: 'eq null on arrays', filter: { field: 'tags', op: 'eq', value: null }, expected: ['none', 'items', 'withNull'] },
  { name: 'exists', filter: { field: 'tags', op: 'exists', value: true }, expected: except(ARRAYS, ['none', 'items']) },
  { name: 'contains through an array of objects', filter: { field: 'items.tags', op: 'contains', value: 'x' }, expected: ['items'] },
  { name: 'contains: a scalar reached is not an array', filter: { field: 'items.tags', op: 'contains', value: 'y' }, expected: [] },
  { name: 'contains: nested arrays are not entered', filter: { field: 'items.tags', op: 'contains', value: 'z' }, expected: [] },
  { name: 'eq through an array of objects', filter: { field: 'items.tags', op: 'eq', value: 'y' }, expected: ['items'] },
  { name: 'eq element through an array of objects', filter: { field: 'items.tags', op: 'eq', value: 'x' }, expected: ['items'] },
  { name: 'eq: nested arrays are not entered', filter: { field: 'items.tags', op: 'eq', value: 'z' }, expected: [] },
];

export const FILTER_FIXTURES: readonly FilterFixture[] = [
  { name: 'values', documents: VALUES, cases: VALUE_CASES },
  { name: 'strings', documents: STRINGS, cases: STRING_CASES },
  { name: 'arrays', documents: ARRAYS, cases: ARRAY_CASES },
];

/** Mixed-type sort keys and their ascending order (missing = null, numbers, strings by code point, booleans). */
export const SORT_DOCUMENTS: readonly JsonDocument[] = [
  { _id: 's1', k: 'b' },
  { _id: 's2', k: 'a' },
  { _id: 's3', k: 10 },
  { _id: 's4', k: 2 },
  { _id: 's5', k: true },
  { _id: 's6', k: false },
  { _id: 's7', k: null },
  { _id: 's8' },
  { _id: 's9', k: 2.5 },
  { _id: 's10', k: '' },
  { _id: 's11', k: -1 },
  { _id: 's12', k: 'a\uffff' },
  { _id: 's13', k: 'a😀' },
  { _id: 's14', k: 2 },
  { _id: 's15', k: { nested: 1 }, other: 1 },
];
export const SORT_ASCENDING = ['s7', 's8', 's11', 's14', 's4', 's9', 's3', 's10', 's2', 's12', 's13', 's1', 's6', 's5'];

// ---------------------------------------------------------------------------------------------------------------
// Generated documents and filters for the differential test against the reference evaluator.
// ---------------------------------------------------------------------------------------------------------------

const pick = <T>(random: () => number, items: readonly T[]): T => {
  const item = items[Math.floor(random() * items.length)];
  if (item === undefined) throw new Error('empty list');
  return item;
};

export const GENERATED_SCALARS: readonly JsonScalar[] = [null, 0, 1, 2, -1, 1.5, '', 'a', 'ab', 'b', 'B', 'a😀', 'a\uffff', true, false];
const GENERATED_FIELDS = ['a', 'b', 'c', 'a.x', 'a.y', 'b.x', 'a.x.y', 'c.x', '_id'];

function generatedValue(random: () => number, depth: number, arrays: boolean): JsonValue {
  const roll = random();
  if (depth >= 3 || roll < 0.5) return pick(random, GENERATED_SCALARS);
  if (arrays && roll < 0.75) return Array.from({ length: Math.floor(random() * 4) }, () => generatedValue(random, depth + 1, arrays));
  const object: { [key: string]: JsonValue } = {};
  for (const key of ['x', 'y']) if (random() < 0.6) object[key] = generatedValue(random, depth + 1, arrays);
  return object;
}

export function generatedDocuments(seed: number, count: number, arrays: boolean): JsonDocument[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, (_, index) => {
    const document: JsonDocument = { _id: `g${String(index).padStart(3, '0')}` };
    for (const key of ['a', 'b', 'c']) if (random() < 0.8) document[key] = generatedValue(random, 0, arrays);
    return document;
  });
}

function generatedPredicate(random: () => number): Filter {
  const field = pick(random, GENERATED_FIELDS);
  const scalar = () => (field === '_id' ? pick(random, ['g001', 'g010', 'g1', 'h', '']) : pick(random, GENERATED_SCALARS));
  const comparable = () => {
    const value = scalar();
    return typeof value === 'string' || typeof value === 'number' ? value : 1;
  };
  const op = pick(random, ['eq', 'eq', 'ne', 'in', 'nin', 'gt', 'gte', 'lt', 'lte', 'exists', 'prefix', 'contains'] as const);
  switch (op) {
    case 'eq':
    case 'ne':
    case 'contains':
      return { field, op, value: scalar() };
    case 'in':
    case 'nin':
      return { field, op, value: Array.from({ length: Math.floor(random() * 4) }, scalar) };
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte':
      return { field, op, value: comparable() };
    case 'exists':
      return { field, op, value: random() < 0.5 };
    case 'prefix':
      return { field, op, value: pick(random, ['', 'a', 'ab', 'a\uffff', 'a😀', 'B', 'g0']) };
  }
}

export function generatedFilter(random: () => number, depth = 0): Filter {
  const roll = random();
  if (depth >= 3 || roll < 0.55) return generatedPredicate(random);
  if (roll < 0.7) return { not: generatedFilter(random, depth + 1) };
  const operands = Array.from({ length: 1 + Math.floor(random() * 3) }, () => generatedFilter(random, depth + 1));
  return roll < 0.85 ? { and: operands } : { or: operands };
}
