import type { JsonValue } from '../json-value.ts';

/**
 * The DocumentStore port: collections of JSON documents with a string `_id`, queried through OUR filter language
 * (a closed, validated AST), never through a database's native filter. Read models live here.
 *
 * Adapters: MongoDB (`mongodb.ts`) and embedded SQLite (`sqlite.ts`). Both pass test/contract/documents.contract.ts,
 * which also checks them against the reference evaluator in `semantics.ts` on generated documents and filters.
 *
 * ## Semantics (identical in both adapters; infra/documents/README.md has the reasoning)
 *
 * Field paths are dot-separated identifiers (`a.b.c`). As in MongoDB, a path descends through objects and, when it
 * meets an array on the way, into every element of that array that is an object (one level: arrays directly inside
 * arrays are not entered). The VALUES AT a path are everything reached that way. For comparisons, an array value is
 * replaced by its elements (one level): `{tags: ['a', 'b']}` matches `tags eq 'a'`, as in MongoDB.
 *
 * - `eq v` (v not null): some value at the path, or an element of one, equals v. Types never mix: `1` does not equal
 *   `'1'` or `true`; numbers compare numerically (`1` equals `1.0`).
 * - `eq null`: the path has no value at all (`exists false`) OR some value at it, or an element of one, is null.
 *   Top-level and through objects this is exactly MongoDB's `{f: null}` (null or missing). Across arrays MongoDB's own
 *   answer changed between server versions (SERVER-36681), so we pin this definition; the MongoDB adapter translates
 *   it to `$exists`/`$type` instead of `{f: null}`.
 * - `ne v` = not `eq v`; `in [..]` = `eq` any of them (null included, with the meaning above); `nin` = not `in`.
 * - `gt/gte/lt/lte v` (v a number or a string): some value or element of the SAME type compares so. Strings compare
 *   by Unicode code point (= UTF-8 bytes = MongoDB's simple collation), not by JavaScript's UTF-16 `<`.
 * - `exists true`: the path has at least one value (null and `[]` count). `exists false`: it has none.
 * - `prefix p`: some string value or element starts with p (literal, case-sensitive; never a regex).
 * - `contains v`: some value at the path is an ARRAY with an element equal to v (a scalar equal to v does not count).
 * - `and` / `or` / `not` as usual (`not` is exact negation; the predicates above are two-valued, never "unknown").
 *
 * Sorting is defined for fields that hold scalars or are missing. Ascending order: missing = null (tied) < numbers <
 * strings (code point order) < booleans (false < true); descending is the exact reverse. Ties are broken by `_id` in
 * the direction of the last sort field, so every order is total and descending is ascending reversed. A page that
 * would contain a document whose sort field holds an array or object (or crosses an array) fails with
 * SortValueError.
 *
 * Pagination is keyset ("cursor") pagination: `endCursor` encodes the sort values and `_id` of the last item; the
 * next page starts strictly after that position, so documents inserted or deleted meanwhile never cause skips or
 * repeats of the others.
 *
 * Unique indexes treat missing and null as the same key (as MongoDB: only one document may lack the field), `1`
 * and `1.0` as equal, and `'1'` and `1` as different. Their fields must hold scalars: a write that would put an array
 * or an object at (or an array along) a uniquely indexed path fails with InvalidDocumentError, because MongoDB would
 * index each array element separately and the embedded store cannot do the same.
 */

export type JsonScalar = string | number | boolean | null;
export interface JsonDocument {
  _id: string;
  [key: string]: JsonValue;
}

export type SortDirection = 'asc' | 'desc';

export type FieldPredicate =
  | { field: string; op: 'eq' | 'ne'; value: JsonScalar }
  | { field: string; op: 'in' | 'nin'; value: readonly JsonScalar[] }
  | { field: string; op: 'gt' | 'gte' | 'lt' | 'lte'; value: string | number }
  | { field: string; op: 'exists'; value: boolean }
  | { field: string; op: 'prefix'; value: string }
  | { field: string; op: 'contains'; value: JsonScalar };

export type Filter = FieldPredicate | { and: readonly Filter[] } | { or: readonly Filter[] } | { not: Filter };

export type FilterOp = FieldPredicate['op'];

export interface SortField {
  field: string;
  direction: SortDirection;
}

export interface FindOptions {
  filter?: Filter | null;
  /** `_id` is always the last tie-breaker; it may be given explicitly as the last field. */
  sort?: readonly SortField[] | null;
  /** Page size, 1..1000. */
  limit: number;
  /** An `endCursor` of a previous page of the same collection and sort. */
  after?: string | null;
}

export interface Page {
  items: JsonDocument[];
  /** Position after the last item (null when the page is empty); pass as `after` for the next page. */
  endCursor: string | null;
  /** Whether documents follow this page (at the time of the query). */
  hasMore: boolean;
}

/**
 * Update operators, applied to one document at a time. Paths may not overlap (`a` with `a.b`), nor touch `_id`.
 * - `set`: set the path, creating missing objects on the way; fails if the way crosses a non-object.
 * - `unset`: remove the path; nothing happens if it does not exist, even when the way crosses a non-object.
 * - `inc`: add to a number; a missing field becomes the increment; fails on a non-number.
 * - `push`: append one value (an array value is appended as one element); a missing field becomes `[value]`; fails
 *   on a non-array.
 * - `pull`: remove every element equal to the scalar; nothing happens if the field is missing; fails on a non-array
 *   and, like `set`, when the way crosses a non-object.
 */
export interface UpdateOps {
  set?: Readonly<Record<string, JsonValue>>;
  unset?: readonly string[];
  inc?: Readonly<Record<string, number>>;
  push?: Readonly<Record<string, JsonValue>>;
  pull?: Readonly<Record<string, JsonScalar>>;
}

export interface IndexSpec {
  /** An identifier; the name DuplicateKeyError reports. */
  name: string;
  fields: readonly SortField[];
  unique?: boolean;
}

export interface DocumentStore {
  /** Insert, or replace the whole document with the same `_id`. */
  upsert(collection: string, document: JsonDocument): Promise<void>;
  /** Apply update operators to one document; whether a document with that id exists. */
  update(collection: string, id: string, ops: UpdateOps): Promise<boolean>;
  /**
   * Apply update operators to every matching document; how many matched. Atomic in the embedded store; with MongoDB
   * a failure (duplicate key, update conflict) may leave the documents before the failing one updated.
   */
  updateMany(collection: string, filter: Filter, ops: UpdateOps): Promise<number>;
  /** Whether a document was deleted. */
  delete(collection: string, id: string): Promise<boolean>;
  /** How many documents were deleted. (To empty a collection, `dropCollection`.) */
  deleteMany(collection: string, filter: Filter): Promise<number>;
  get(collection: string, id: string): Promise<JsonDocument | undefined>;
  /** Documents for up to 1000 ids, in the order of the ids (undefined where none): for DataLoader batching. */
  getMany(collection: string, ids: readonly string[]): Promise<Array<JsonDocument | undefined>>;
  find(collection: string, options: FindOptions): Promise<Page>;
  count(collection: string, filter?: Filter | null): Promise<number>;
  /**
   * Create the index unless it exists with this exact definition. Raises IndexConflictError when the name exists
   * with another definition or the definition under another name; DuplicateKeyError when a unique index cannot be
   * built because documents already share a key.
   */
  ensureIndex(collection: string, index: IndexSpec): Promise<void>;
  /** Remove the collection, its documents and its indexes. Nothing happens if it does not exist. */
  dropCollection(collection: string): Promise<void>;
  close(): Promise<void>;
}
