import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { JsonObject, JsonValue } from '../json-value.ts';
import { InvalidCursorError, InvalidDocumentError, InvalidQueryError, type ValidationIssue } from './errors.ts';
import type { Filter, JsonDocument, JsonScalar, SortDirection, SortField, UpdateOps } from './port.ts';

/**
 * The document store's input checks: everything an adapter receives goes through these first (collection names, ids,
 * field paths, filters, find options and cursors, index specs, documents, update operators). They return fresh,
 * normalized copies, and throw InvalidQueryError, InvalidCursorError or InvalidDocumentError.
 */

export const LIMITS = {
  pathSegments: 10,
  segmentLength: 64,
  pathLength: 10 * 65,
  collectionName: 64,
  indexName: 64,
  idLength: 512,
  /** Strings inside filters. */
  filterString: 1024,
  prefixLength: 256,
  inValues: 100,
  /** Predicates plus and/or/not nodes in one filter. */
  filterNodes: 100,
  /** Nesting of and/or/not. */
  filterDepth: 8,
  logicalOperands: 50,
  sortFields: 4,
  indexFields: 8,
  pageSize: 1000,
  getMany: 1000,
  updatePaths: 100,
  /** Serialized JSON, in UTF-8 bytes. */
  documentBytes: 1024 * 1024,
  /** Nesting of objects and arrays inside a document. */
  documentDepth: 32,
  keyLength: 256,
  cursorLength: 65_536,
} as const;

const SEGMENT = '[A-Za-z_][A-Za-z0-9_]*';
/** A field path: dot-separated identifiers. No `$`, no empty segment, no array index. */
export const FIELD_PATH_PATTERN = new RegExp(`^${SEGMENT}(?:\\.${SEGMENT})*$`);
export const IDENTIFIER_PATTERN = new RegExp(`^${SEGMENT}$`);
/** Keys JavaScript treats specially; refused in paths and documents so plain objects stay plain. */
const RESERVED_KEYS = new Set(['__proto__']);
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

export function isWellFormed(value: string): boolean {
  return !LONE_SURROGATE.test(value);
}

export const fieldPathSchema = z
  .string()
  .max(LIMITS.pathLength)
  .regex(FIELD_PATH_PATTERN, 'a field path is dot-separated identifiers ([A-Za-z_][A-Za-z0-9_]*), without `$`')
  .refine((path) => path.split('.').length <= LIMITS.pathSegments, `a field path has at most ${LIMITS.pathSegments} segments`)
  .refine(
    (path) => path.split('.').every((segment) => segment.length <= LIMITS.segmentLength && !RESERVED_KEYS.has(segment)),
    `a path segment has at most ${LIMITS.segmentLength} characters and is not __proto__`,
  );

const identifierSchema = (max: number) => z.string().max(max).regex(IDENTIFIER_PATTERN, 'must be an identifier ([A-Za-z_][A-Za-z0-9_]*)');

const filterStringSchema = z.string().max(LIMITS.filterString).refine(isWellFormed, 'must be well-formed Unicode (no lone surrogates)');
const numberSchema = z.number().refine(Number.isFinite, 'must be a finite number');
const scalarSchema = z.union([filterStringSchema, numberSchema, z.boolean(), z.null()]);
const comparableSchema = z.union([filterStringSchema, numberSchema]);
const prefixSchema = z
  .string()
  .max(LIMITS.prefixLength)
  .refine(isWellFormed, 'must be well-formed Unicode (no lone surrogates)')
  .refine((value) => !value.includes('\u0000'), 'must not contain U+0000');
const scalarListSchema = z.array(scalarSchema).max(LIMITS.inValues);

const predicateSchema = z.discriminatedUnion('op', [
  z.strictObject({ field: fieldPathSchema, op: z.literal('eq'), value: scalarSchema }),
  z.strictObject({ field: fieldPathSchema, op: z.literal('ne'), value: scalarSchema }),
  z.strictObject({ field: fieldPathSchema, op: z.literal('in'), value: scalarListSchema }),
  z.strictObject({ field: fieldPathSchema, op: z.literal('nin'), value: scalarListSchema }),
  z.strictObject({ field: fieldPathSchema, op: z.literal('gt'), value: comparableSchema }),
  z.strictObject({ field: fieldPathSchema, op: z.literal('gte'), value: comparableSchema }),
  z.strictObject({ field: fieldPathSchema, op: z.literal('lt'), value: comparableSchema }),
  z.strictObject({ field: fieldPathSchema, op: z.literal('lte'), value: comparableSchema }),
  z.strictObject({ field: fieldPathSchema, op: z.literal('exists'), value: z.boolean() }),
  z.strictObject({ field: fieldPathSchema, op: z.literal('prefix'), value: prefixSchema }),
  z.strictObject({ field: fieldPathSchema, op: z.literal('contains'), value: scalarSchema }),
]);

const sortFieldSchema = z.strictObject({ field: fieldPathSchema, direction: z.enum(['asc', 'desc']) });

function refineDistinctPaths(fields: readonly { field: string }[], ctx: z.RefinementCtx): void {
  fields.forEach((a, i) => {
    fields.slice(i + 1).forEach((b, offset) => {
      if (pathsOverlap(a.field, b.field)) {
        ctx.addIssue({ code: 'custom', path: [i + 1 + offset, 'field'], message: `'${b.field}' overlaps '${a.field}'` });
      }
    });
  });
}

const sortSchema = z
  .array(sortFieldSchema)
  .max(LIMITS.sortFields)
  .superRefine((fields, ctx) => {
    refineDistinctPaths(fields, ctx);
    fields.forEach((field, index) => {
      if (field.field === '_id' && index !== fields.length - 1) {
        ctx.addIssue({ code: 'custom', path: [index, 'field'], message: '_id can only be the last sort field' });
      }
    });
  });

const findOptionsSchema = z.strictObject({
  filter: z.unknown().optional(),
  sort: sortSchema.nullish(),
  limit: z.number().int().min(1).max(LIMITS.pageSize),
  after: z.string().max(LIMITS.cursorLength).nullish(),
});

const indexSpecSchema = z.strictObject({
  name: identifierSchema(LIMITS.indexName).refine((name) => name !== '_id_', '_id_ is reserved'),
  fields: z
    .array(sortFieldSchema)
    .min(1)
    .max(LIMITS.indexFields)
    .superRefine((fields, ctx) => {
      refineDistinctPaths(fields, ctx);
      fields.forEach((field, index) => {
        if (field.field === '_id' || field.field.startsWith('_id.')) {
          ctx.addIssue({ code: 'custom', path: [index, 'field'], message: '_id is always indexed' });
        }
      });
    }),
  unique: z.boolean().optional(),
});

const collectionNameSchema = identifierSchema(LIMITS.collectionName);
const documentIdSchema = z.string().min(1).max(LIMITS.idLength).refine(isWellFormed, 'must be well-formed Unicode (no lone surrogates)');

/** `a` and `a.b` overlap; `a` and `ab` do not. */
export function pathsOverlap(a: string, b: string): boolean {
  return a === b || a.startsWith(`${b}.`) || b.startsWith(`${a}.`);
}

function zodIssues(error: z.ZodError, prefix: readonly (string | number)[] = []): ValidationIssue[] {
  return error.issues.map((issue) => ({
    path: [...prefix, ...issue.path.map((part) => String(part))].join('.'),
    message: issue.message,
  }));
}

function parseWith<T>(schema: z.ZodType<T>, input: unknown, what: string, prefix: readonly (string | number)[] = []): T {
  const result = schema.safeParse(input);
  if (!result.success) throw new InvalidQueryError(`invalid ${what}`, zodIssues(result.error, prefix));
  return result.data;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

export function parseCollectionName(input: unknown): string {
  return parseWith(collectionNameSchema, input, 'collection name');
}

export function parseDocumentId(input: unknown): string {
  return parseWith(documentIdSchema, input, 'document id');
}

export function parseDocumentIds(input: unknown): string[] {
  return parseWith(z.array(documentIdSchema).max(LIMITS.getMany), input, 'document ids');
}

export function parseFieldPath(input: unknown): string {
  return parseWith(fieldPathSchema, input, 'field path');
}

/**
 * Validates a filter from anywhere (GraphQL arguments included) and returns a fresh copy holding only what the AST
 * allows. Nesting and size are checked before anything is walked deeper, so a hostile input cannot exhaust the stack.
 */
export function parseFilter(input: unknown): Filter {
  const budget = { nodes: 0 };
  return parseFilterNode(input, ['filter'], 0, budget);
}

function parseFilterNode(input: unknown, path: (string | number)[], depth: number, budget: { nodes: number }): Filter {
  const fail = (message: string): never => {
    throw new InvalidQueryError('invalid filter', [{ path: path.join('.'), message }]);
  };
  budget.nodes += 1;
  if (budget.nodes > LIMITS.filterNodes) fail(`a filter has at most ${LIMITS.filterNodes} nodes`);
  if (!isPlainObject(input)) return fail('a filter is an object: a predicate {field, op, value}, {and}, {or} or {not}');
  const keys = Object.keys(input);
  const only = keys.length === 1 ? keys[0] : undefined;
  if (only === 'and' || only === 'or' || only === 'not') {
    if (depth >= LIMITS.filterDepth) fail(`and/or/not nest at most ${LIMITS.filterDepth} levels`);
    const operand = input[only];
    if (only === 'not') return { not: parseFilterNode(operand, [...path, 'not'], depth + 1, budget) };
    if (!Array.isArray(operand) || operand.length === 0 || operand.length > LIMITS.logicalOperands) {
      return fail(`${only} takes a list of 1 to ${LIMITS.logicalOperands} filters`);
    }
    const operands = operand.map((item: unknown, index) => parseFilterNode(item, [...path, only, index], depth + 1, budget));
    return only === 'and' ? { and: operands } : { or: operands };
  }
  if (keys.some((key) => key === 'and' || key === 'or' || key === 'not')) {
    fail('and/or/not is an object with that single key');
  }
  return parseWith(predicateSchema, input, 'filter', path);
}

/** `_id` as the last sort field, or the last field's direction, or ascending. */
export interface NormalizedSort {
  /** Sort fields other than `_id`, in order. */
  keys: readonly SortField[];
  /** Direction of the final `_id` tie-breaker. */
  idDirection: SortDirection;
}

export function normalizeSort(sort: readonly SortField[]): NormalizedSort {
  const last = sort[sort.length - 1];
  if (last?.field === '_id') return { keys: sort.slice(0, -1), idDirection: last.direction };
  return { keys: [...sort], idDirection: last?.direction ?? 'asc' };
}

export interface CursorPosition {
  /** The last item's value of each sort key (missing as null). */
  values: JsonScalar[];
  id: string;
}

export interface ParsedFindOptions {
  filter: Filter | undefined;
  sort: NormalizedSort;
  limit: number;
  after: CursorPosition | undefined;
}

export function parseFindOptions(collection: string, input: unknown): ParsedFindOptions {
  const options = parseWith(findOptionsSchema, input, 'find options');
  const filter = options.filter === undefined || options.filter === null ? undefined : parseFilter(options.filter);
  const sort = normalizeSort(options.sort ?? []);
  const after = options.after === undefined || options.after === null ? undefined : decodeCursor(collection, sort, options.after);
  return { filter, sort, limit: options.limit, after };
}

export function parseOptionalFilter(input: unknown): Filter | undefined {
  return input === undefined || input === null ? undefined : parseFilter(input);
}

export interface ParsedIndexSpec {
  name: string;
  fields: readonly SortField[];
  unique: boolean;
}

export function parseIndexSpec(input: unknown): ParsedIndexSpec {
  const spec = parseWith(indexSpecSchema, input, 'index');
  return { name: spec.name, fields: spec.fields, unique: spec.unique ?? false };
}

/** The key pattern an index is built on: its fields, then `_id` for non-unique indexes (to serve sorted pages). */
export function indexKeyPattern(spec: ParsedIndexSpec): SortField[] {
  const last = spec.fields[spec.fields.length - 1];
  return spec.unique ? [...spec.fields] : [...spec.fields, { field: '_id', direction: last?.direction ?? 'asc' }];
}

// ---------------------------------------------------------------------------------------------------------------
// Cursors: opaque to callers, validated like any other input when they come back.
// ---------------------------------------------------------------------------------------------------------------

const cursorSchema = z.strictObject({
  v: z.literal(1),
  s: z.string(),
  k: z.array(z.union([z.string(), numberSchema, z.boolean(), z.null()])).max(LIMITS.sortFields),
  id: documentIdSchema,
});

function sortFingerprint(collection: string, sort: NormalizedSort): string {
  const canonical = JSON.stringify([collection, sort.keys.map((key) => [key.field, key.direction]), sort.idDirection]);
  return createHash('sha256').update(canonical).digest('base64url').slice(0, 16);
}

export function encodeCursor(collection: string, sort: NormalizedSort, position: CursorPosition): string {
  const payload = { v: 1, s: sortFingerprint(collection, sort), k: position.values, id: position.id };
  return Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
}

export function decodeCursor(collection: string, sort: NormalizedSort, cursor: string): CursorPosition {
  const invalid = (message: string): never => {
    throw new InvalidCursorError('invalid cursor', [{ path: 'after', message }]);
  };
  if (!/^[A-Za-z0-9_-]*$/.test(cursor)) invalid('not a cursor this store issued');
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return invalid('not a cursor this store issued');
  }
  const parsed = cursorSchema.safeParse(payload);
  if (!parsed.success) return invalid('not a cursor this store issued');
  const { s, k, id } = parsed.data;
  if (s !== sortFingerprint(collection, sort) || k.length !== sort.keys.length) {
    invalid('the cursor belongs to another collection or sort');
  }
  if (k.some((value) => typeof value === 'string' && !isWellFormed(value))) invalid('not a cursor this store issued');
  return { values: k, id };
}

// ---------------------------------------------------------------------------------------------------------------
// Documents and update operators.
// ---------------------------------------------------------------------------------------------------------------

const KEY_RULES = 'keys are non-empty, at most 256 characters, do not start with `$`, contain no `.` or U+0000, and are not __proto__';

function keyProblem(key: string): string | undefined {
  if (key.length === 0 || key.length > LIMITS.keyLength || key.startsWith('$') || key.includes('.') || key.includes('\u0000')) {
    return KEY_RULES;
  }
  if (RESERVED_KEYS.has(key)) return KEY_RULES;
  if (!isWellFormed(key)) return 'keys must be well-formed Unicode';
  return undefined;
}

interface CopyState {
  issues: ValidationIssue[];
}

/** A deep copy of a JSON value, or issues. `-0` becomes `0` (JSON cannot tell them apart; BSON can). */
function copyJson(value: unknown, path: string, depth: number, state: CopyState): JsonValue {
  const issue = (message: string): JsonValue => {
    if (state.issues.length < 20) state.issues.push({ path, message });
    return null;
  };
  if (value === null || typeof value === 'boolean') return value;
  if (typeof value === 'string') return isWellFormed(value) ? value : issue('strings must be well-formed Unicode');
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return issue('numbers must be finite');
    return Object.is(value, -0) ? 0 : value;
  }
  if (Array.isArray(value)) {
    if (depth >= LIMITS.documentDepth) return issue(`documents nest at most ${LIMITS.documentDepth} levels`);
    const items: JsonValue[] = [];
    for (let index = 0; index < value.length; index += 1) {
      items.push(copyJson(value[index], `${path}.${index}`, depth + 1, state));
    }
    return items;
  }
  if (isPlainObject(value)) {
    if (depth >= LIMITS.documentDepth) return issue(`documents nest at most ${LIMITS.documentDepth} levels`);
    const copy: JsonObject = {};
    for (const key of Object.keys(value)) {
      const childPath = path ? `${path}.${key}` : key;
      const problem = keyProblem(key);
      if (problem) {
        issue(`invalid key '${key.slice(0, 80)}': ${problem}`);
        continue;
      }
      copy[key] = copyJson(value[key], childPath, depth + 1, state);
    }
    return copy;
  }
  return issue(`not a JSON value (${value === undefined ? 'undefined' : typeof value})`);
}

/** Validates a document for `upsert` and returns a normalized deep copy. */
export function validateDocument(input: unknown): JsonDocument {
  if (!isPlainObject(input)) throw new InvalidDocumentError('a document is a JSON object');
  const state: CopyState = { issues: [] };
  const id = input._id;
  if (typeof id !== 'string' || id.length === 0 || id.length > LIMITS.idLength || !isWellFormed(id)) {
    state.issues.push({ path: '_id', message: `_id is a non-empty string of at most ${LIMITS.idLength} characters` });
  }
  const copy = copyJson(input, '', 0, state);
  if (state.issues.length > 0 || typeof id !== 'string' || typeof copy !== 'object' || copy === null || Array.isArray(copy)) {
    throw new InvalidDocumentError('invalid document', state.issues);
  }
  const document: JsonDocument = { ...copy, _id: id };
  const bytes = Buffer.byteLength(JSON.stringify(document), 'utf8');
  if (bytes > LIMITS.documentBytes) {
    throw new InvalidDocumentError(`a document is at most ${LIMITS.documentBytes} bytes of JSON (this one: ${bytes})`);
  }
  return document;
}

/** Validates a value written by `set`/`push` at a path of `depth` segments. */
function validateUpdateValue(input: unknown, path: string, depth: number): JsonValue {
  const state: CopyState = { issues: [] };
  const copy = copyJson(input, path, depth, state);
  if (state.issues.length > 0) throw new InvalidDocumentError('invalid update value', state.issues);
  if (Buffer.byteLength(JSON.stringify(copy), 'utf8') > LIMITS.documentBytes) {
    throw new InvalidDocumentError(`an update value is at most ${LIMITS.documentBytes} bytes of JSON`, [{ path, message: 'too large' }]);
  }
  return copy;
}

export interface ParsedUpdateOps extends UpdateOps {
  /** Every path the update touches, with its operator. */
  paths: ReadonlyArray<{ op: keyof UpdateOps; path: string }>;
}

const UPDATE_OPERATORS = ['set', 'unset', 'inc', 'push', 'pull'] as const;

export function parseUpdateOps(input: unknown): ParsedUpdateOps {
  const invalid = (issues: ValidationIssue[]): never => {
    throw new InvalidQueryError('invalid update', issues);
  };
  if (!isPlainObject(input)) return invalid([{ path: '', message: 'an update is an object of operators: set, unset, inc, push, pull' }]);
  const unknown = Object.keys(input).filter((key) => !(UPDATE_OPERATORS as readonly string[]).includes(key));
  if (unknown.length > 0) invalid(unknown.map((key) => ({ path: key.slice(0, 80), message: 'unknown update operator' })));

  const paths: Array<{ op: keyof UpdateOps; path: string }> = [];
  const checkPath = (op: keyof UpdateOps, path: unknown, where: string): string => {
    const parsed = fieldPathSchema.safeParse(path);
    if (!parsed.success) return invalid(zodIssues(parsed.error, [where]));
    if (parsed.data === '_id' || parsed.data.startsWith('_id.')) invalid([{ path: where, message: '_id cannot be updated' }]);
    paths.push({ op, path: parsed.data });
    if (paths.length > LIMITS.updatePaths) invalid([{ path: where, message: `an update touches at most ${LIMITS.updatePaths} paths` }]);
    return parsed.data;
  };
  const record = <T>(op: 'set' | 'inc' | 'push' | 'pull', value: (raw: unknown, path: string) => T): Record<string, T> | undefined => {
    const raw = input[op];
    if (raw === undefined) return undefined;
    if (!isPlainObject(raw)) return invalid([{ path: op, message: 'an object of path: value' }]);
    const entries = Object.keys(raw).map((key) => {
      const path = checkPath(op, key, `${op}.${key.slice(0, 80)}`);
      return [path, value(raw[key], path)] as const;
    });
    return Object.fromEntries(entries);
  };

  const set = record('set', (raw, path) => validateUpdateValue(raw, `set.${path}`, path.split('.').length));
  const inc = record('inc', (raw, path) => parseWith(numberSchema, raw, 'update', ['inc', path]));
  const push = record('push', (raw, path) => validateUpdateValue(raw, `push.${path}`, path.split('.').length + 1));
  const pull = record('pull', (raw, path) => parseWith(scalarSchema, raw, 'update', ['pull', path]));
  let unset: string[] | undefined;
  if (input.unset !== undefined) {
    const raw = input.unset;
    if (!Array.isArray(raw)) return invalid([{ path: 'unset', message: 'a list of paths' }]);
    unset = raw.map((path: unknown, index) => checkPath('unset', path, `unset.${index}`));
  }

  if (paths.length === 0) invalid([{ path: '', message: 'an update changes at least one path' }]);
  const conflicts: ValidationIssue[] = [];
  paths.forEach((a, i) => {
    for (const b of paths.slice(i + 1)) {
      if (pathsOverlap(a.path, b.path)) {
        conflicts.push({ path: `${b.op}.${b.path}`, message: `conflicts with ${a.op}.${a.path}` });
      }
    }
  });
  if (conflicts.length > 0) invalid(conflicts);

  const ops: ParsedUpdateOps = { paths };
  if (set) ops.set = set;
  if (unset) ops.unset = unset;
  if (inc) ops.inc = inc;
  if (push) ops.push = push;
  if (pull) ops.pull = pull;
  return ops;
}
