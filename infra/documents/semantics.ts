import { InvalidDocumentError, SortValueError, UpdateConflictError } from './errors.ts';
import type { FieldPredicate, Filter, JsonDocument, JsonScalar, Page, UpdateOps } from './port.ts';
import { encodeCursor, type NormalizedSort, type ParsedFindOptions } from './validation.ts';
import type { JsonObject, JsonValue } from '../json-value.ts';

/**
 * The port's semantics as plain functions: the reference every adapter is tested against, plus the pieces the
 * adapters share (update operators, sort keys, unique-index shapes). Pure: no I/O.
 */

export function isJsonObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The values at a path, as MongoDB reaches them: through objects, and through arrays into each element that is an
 * object (one level: an array directly inside an array is not entered). A value that is an array is returned as is.
 */
export function valuesAt(document: JsonObject, segments: readonly string[]): JsonValue[] {
  const found: JsonValue[] = [];
  const visit = (container: JsonObject, index: number): void => {
    const segment = segments[index];
    if (segment === undefined || !Object.hasOwn(container, segment)) return;
    const child = container[segment];
    if (child === undefined) return;
    if (index === segments.length - 1) {
      found.push(child);
    } else if (Array.isArray(child)) {
      for (const element of child) if (isJsonObject(element)) visit(element, index + 1);
    } else if (isJsonObject(child)) {
      visit(child, index + 1);
    }
  };
  visit(document, 0);
  return found;
}

/** What comparisons look at: the values at the path, each array replaced by its elements (one level). */
export function comparedValues(reached: readonly JsonValue[]): JsonValue[] {
  return reached.flatMap((value) => (Array.isArray(value) ? value : [value]));
}

/** Code point order (= UTF-8 byte order, MongoDB's and SQLite's), not JavaScript's UTF-16 code unit order. */
export function compareStrings(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let index = 0; index < length; index += 1) {
    const x = a.charCodeAt(index);
    const y = b.charCodeAt(index);
    if (x !== y) return fixUp(x) - fixUp(y);
  }
  return a.length - b.length;
}

/** Moves surrogates (characters above U+FFFF) above U+E000..U+FFFF, so code units compare as code points. */
function fixUp(unit: number): number {
  if (unit >= 0xe000) return unit - 0x800;
  if (unit >= 0xd800) return unit + 0x2000;
  return unit;
}

function equalsScalar(reached: readonly JsonValue[], value: JsonScalar): boolean {
  if (value === null) return reached.length === 0 || comparedValues(reached).some((candidate) => candidate === null);
  // Primitives compare with ===: numerically for numbers (1 === 1.0), never across types. Arrays and objects never
  // equal a scalar.
  return comparedValues(reached).some((candidate) => candidate === value);
}

function compares(candidate: JsonValue, value: string | number): number | undefined {
  if (typeof value === 'number') return typeof candidate === 'number' ? candidate - value : undefined;
  return typeof candidate === 'string' ? compareStrings(candidate, value) : undefined;
}

export function matchesPredicate(document: JsonObject, predicate: FieldPredicate): boolean {
  const reached = valuesAt(document, predicate.field.split('.'));
  const some = (test: (order: number) => boolean, value: string | number) =>
    comparedValues(reached).some((candidate) => {
      const order = compares(candidate, value);
      return order !== undefined && test(order);
    });
  switch (predicate.op) {
    case 'eq':
      return equalsScalar(reached, predicate.value);
    case 'ne':
      return !equalsScalar(reached, predicate.value);
    case 'in':
      return predicate.value.some((value) => equalsScalar(reached, value));
    case 'nin':
      return !predicate.value.some((value) => equalsScalar(reached, value));
    case 'gt':
      return some((order) => order > 0, predicate.value);
    case 'gte':
      return some((order) => order >= 0, predicate.value);
    case 'lt':
      return some((order) => order < 0, predicate.value);
    case 'lte':
      return some((order) => order <= 0, predicate.value);
    case 'exists':
      return reached.length > 0 === predicate.value;
    case 'prefix': {
      const prefix = predicate.value;
      return comparedValues(reached).some((candidate) => typeof candidate === 'string' && candidate.startsWith(prefix));
    }
    case 'contains': {
      const value = predicate.value;
      return reached.some((candidate) => Array.isArray(candidate) && candidate.some((element) => element === value));
    }
  }
}

/** The reference evaluator: what every adapter must answer for a (validated) filter. */
export function matchesFilter(document: JsonObject, filter: Filter): boolean {
  if ('and' in filter) return filter.and.every((operand) => matchesFilter(document, operand));
  if ('or' in filter) return filter.or.some((operand) => matchesFilter(document, operand));
  if ('not' in filter) return !matchesFilter(document, filter.not);
  return matchesPredicate(document, filter);
}

// ---------------------------------------------------------------------------------------------------------------
// Sorting
// ---------------------------------------------------------------------------------------------------------------

/** The sort value at a path (missing = null), or `undefined` when it is an array or object or crosses an array. */
export function sortValueAt(document: JsonObject, field: string): JsonScalar | undefined {
  let current: JsonValue = document;
  for (const segment of field.split('.')) {
    if (Array.isArray(current)) return undefined;
    if (!isJsonObject(current) || !Object.hasOwn(current, segment)) return null;
    const next: JsonValue | undefined = current[segment];
    if (next === undefined) return null;
    current = next;
  }
  if (Array.isArray(current) || isJsonObject(current)) return undefined;
  return current;
}

/** Rank of a sort value's type: missing/null < numbers < strings < booleans (MongoDB's BSON order). */
export function sortRank(value: JsonScalar): 0 | 1 | 2 | 5 {
  if (value === null) return 0;
  if (typeof value === 'number') return 1;
  if (typeof value === 'string') return 2;
  return 5;
}

export function compareSortValues(a: JsonScalar, b: JsonScalar): number {
  const byRank = sortRank(a) - sortRank(b);
  if (byRank !== 0) return byRank;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string' && typeof b === 'string') return compareStrings(a, b);
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  return 0;
}

/** The reference order of two documents (whose sort fields hold scalars). */
export function compareDocuments(a: JsonDocument, b: JsonDocument, sort: NormalizedSort): number {
  for (const key of sort.keys) {
    const order = compareSortValues(sortValueAt(a, key.field) ?? null, sortValueAt(b, key.field) ?? null);
    if (order !== 0) return key.direction === 'asc' ? order : -order;
  }
  const byId = compareStrings(a._id, b._id);
  return sort.idDirection === 'asc' ? byId : -byId;
}

/**
 * A page from the first `limit + 1` documents in sort order (the extra one only says whether more follow). Every
 * returned document must have sortable values; the cursor holds the last one's values and id.
 */
export function buildPage(collection: string, options: ParsedFindOptions, fetched: readonly JsonDocument[]): Page {
  const items = fetched.slice(0, options.limit);
  let endCursor: string | null = null;
  for (const item of items) {
    const values = options.sort.keys.map((key) => {
      const value = sortValueAt(item, key.field);
      if (value === undefined) throw new SortValueError(collection, key.field, item._id);
      return value;
    });
    if (item === items[items.length - 1]) endCursor = encodeCursor(collection, options.sort, { values, id: item._id });
  }
  return { items, endCursor, hasMore: fetched.length > options.limit };
}

/** The smallest string greater than every string that starts with `prefix` (code point order), if any. */
export function prefixUpperBound(prefix: string): string | undefined {
  const codePoints = Array.from(prefix);
  while (codePoints.length > 0) {
    const last = codePoints.pop()?.codePointAt(0) ?? 0x10ffff;
    if (last < 0x10ffff) {
      const next = last + 1 >= 0xd800 && last + 1 <= 0xdfff ? 0xe000 : last + 1;
      return codePoints.join('') + String.fromCodePoint(next);
    }
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// Update operators (the embedded store applies them; MongoDB applies its own, with the same outcome)
// ---------------------------------------------------------------------------------------------------------------

function describe(value: JsonValue): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

/** Applies update operators to a copy of the document. Throws UpdateConflictError; the input is never changed. */
export function applyUpdate(document: JsonDocument, ops: UpdateOps, collection: string): JsonDocument {
  const next = structuredClone(document);
  const conflict = (path: string, message: string) => new UpdateConflictError(collection, `cannot update '${path}': ${message}`, path);

  /**
   * The object holding the path's last segment. On the way, a missing field is created (`create`, for set/inc/push)
   * or ends the walk (the operator does nothing); a field holding a scalar, null or an array fails, except for
   * `unset`, which then does nothing (as MongoDB: only $unset tolerates a "non-viable" path).
   */
  const parentOf = (path: string, mode: 'create' | 'unset' | 'pull'): JsonObject | undefined => {
    const segments = path.split('.');
    let current: JsonObject = next;
    for (const [index, segment] of segments.slice(0, -1).entries()) {
      const child = Object.hasOwn(current, segment) ? current[segment] : undefined;
      if (child === undefined) {
        if (mode !== 'create') return undefined;
        const created: JsonObject = {};
        current[segment] = created;
        current = created;
      } else if (isJsonObject(child)) {
        current = child;
      } else {
        if (mode === 'unset') return undefined;
        throw conflict(path, `'${segments.slice(0, index + 1).join('.')}' holds ${describe(child)}, not an object`);
      }
    }
    return current;
  };
  const leaf = (path: string) => path.slice(path.lastIndexOf('.') + 1);
  const current = (parent: JsonObject, key: string) => (Object.hasOwn(parent, key) ? parent[key] : undefined);

  for (const [path, value] of Object.entries(ops.set ?? {})) {
    const parent = parentOf(path, 'create');
    if (parent) parent[leaf(path)] = structuredClone(value);
  }
  for (const path of ops.unset ?? []) {
    const parent = parentOf(path, 'unset');
    if (parent) delete parent[leaf(path)];
  }
  for (const [path, amount] of Object.entries(ops.inc ?? {})) {
    const parent = parentOf(path, 'create');
    if (!parent) continue;
    const value = current(parent, leaf(path));
    if (value === undefined) {
      parent[leaf(path)] = amount;
    } else if (typeof value === 'number') {
      // JSON has no Infinity: refuse rather than store null.
      if (!Number.isFinite(value + amount)) throw conflict(path, 'the sum is not a finite number');
      parent[leaf(path)] = value + amount;
    } else {
      throw conflict(path, `inc needs a number, the field holds ${describe(value)}`);
    }
  }
  for (const [path, item] of Object.entries(ops.push ?? {})) {
    const parent = parentOf(path, 'create');
    if (!parent) continue;
    const value = current(parent, leaf(path));
    if (value === undefined) parent[leaf(path)] = [structuredClone(item)];
    else if (Array.isArray(value)) value.push(structuredClone(item));
    else throw conflict(path, `push needs an array, the field holds ${describe(value)}`);
  }
  for (const [path, item] of Object.entries(ops.pull ?? {})) {
    const parent = parentOf(path, 'pull');
    if (!parent) continue;
    const value = current(parent, leaf(path));
    if (value === undefined) continue;
    if (!Array.isArray(value)) throw conflict(path, `pull needs an array, the field holds ${describe(value)}`);
    parent[leaf(path)] = value.filter((element) => element !== item);
  }
  return next;
}

// ---------------------------------------------------------------------------------------------------------------
// Unique indexes hold scalars
// ---------------------------------------------------------------------------------------------------------------

/** The first uniquely indexed path at which the document holds an array or object, or crosses an array. */
export function uniqueShapeViolation(document: JsonObject, uniqueFields: readonly string[]): string | undefined {
  return uniqueFields.find((field) => sortValueAt(document, field) === undefined);
}

export function assertUniqueShapes(document: JsonDocument, uniqueFields: readonly string[]): void {
  const field = uniqueShapeViolation(document, uniqueFields);
  if (field !== undefined) {
    throw new InvalidDocumentError('a uniquely indexed field must hold a scalar', [
      { path: field, message: 'holds an array or an object, or lies inside an array' },
    ]);
  }
}

/**
 * Whether an update could put an array or object at (or an array along) a uniquely indexed path. Decided from the
 * operators alone, so both adapters refuse the same updates before touching anything.
 */
export function updateShapeViolation(ops: UpdateOps, uniqueFields: readonly string[]): string | undefined {
  for (const field of uniqueFields) {
    const inside = (path: string) => field.startsWith(`${path}.`);
    const under = (path: string) => path.startsWith(`${field}.`);
    for (const [path, value] of Object.entries(ops.set ?? {})) {
      if (path === field && (Array.isArray(value) || isJsonObject(value))) return field;
      if (inside(path) && (Array.isArray(value) || (isJsonObject(value) && sortValueAt(value, field.slice(path.length + 1)) === undefined))) {
        return field;
      }
      if (under(path)) return field;
    }
    for (const path of Object.keys(ops.inc ?? {})) if (under(path)) return field;
    for (const path of Object.keys(ops.push ?? {})) if (path === field || inside(path) || under(path)) return field;
  }
  return undefined;
}

export function assertUpdateShapes(ops: UpdateOps, uniqueFields: readonly string[]): void {
  const field = updateShapeViolation(ops, uniqueFields);
  if (field !== undefined) {
    throw new InvalidDocumentError('a uniquely indexed field must hold a scalar', [
      { path: field, message: 'the update would put an array or an object at or along it' },
    ]);
  }
}
