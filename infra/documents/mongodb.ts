import {
  MongoClient,
  MongoError,
  MongoNetworkError,
  MongoNotConnectedError,
  MongoServerSelectionError,
  MongoTopologyClosedError,
  type Collection,
  type Db,
  type Document,
  type MongoClientOptions,
} from 'mongodb';
import {
  DocumentStoreUnavailableError,
  DuplicateKeyError,
  IndexConflictError,
  InvalidDocumentError,
  InvalidQueryError,
  UpdateConflictError,
} from './errors.ts';
import type { DocumentStore, FieldPredicate, Filter, FindOptions, IndexSpec, JsonDocument, JsonScalar, Page, SortField, UpdateOps } from './port.ts';
import {
  FIELD_PATH_PATTERN,
  indexKeyPattern,
  parseCollectionName,
  parseDocumentId,
  parseDocumentIds,
  parseFilter,
  parseFindOptions,
  parseIndexSpec,
  parseOptionalFilter,
  parseUpdateOps,
  validateDocument,
  type CursorPosition,
  type NormalizedSort,
  type ParsedIndexSpec,
  type ParsedUpdateOps,
} from './validation.ts';
import { assertUniqueShapes, assertUpdateShapes, buildPage, sortRank } from './semantics.ts';

// ---------------------------------------------------------------------------------------------------------------
// Translation of the port's AST to MongoDB. Pure functions; each validates its input first, so whatever a caller
// passes, the only keys that start with `$` are the operators written here, user values only ever sit in value
// positions of `$eq`/`$ne`/`$in`/`$nin`/`$gt`/... , and a prefix only reaches `$regex` escaped and anchored.
// ---------------------------------------------------------------------------------------------------------------

/** Every character that is not an ASCII letter or digit is escaped (PCRE: a backslash before one means itself). */
export function escapeRegex(text: string): string {
  return text.replace(/[\u0000-\u002f\u003a-\u0040\u005b-\u0060\u007b-\u007f]/g, (character) => `\\${character}`);
}

function field(path: string): string {
  // Validated already; re-checked because this is the line between our data and MongoDB's operator namespace.
  if (!FIELD_PATH_PATTERN.test(path)) throw new InvalidQueryError('invalid filter', [{ path: 'field', message: 'not a field path' }]);
  return path;
}

function where(path: string, condition: Document): Document {
  return { [field(path)]: condition };
}

/** Our `eq null`: no value at the path, or a null value/element. Not `{f: null}`, whose meaning across arrays changed in MongoDB 8. */
function nullOrMissing(path: string): Document {
  return { $or: [where(path, { $exists: false }), where(path, { $type: 'null' })] };
}

function isIn(path: string, values: readonly JsonScalar[]): Document {
  const present = values.filter((value) => value !== null);
  if (present.length === values.length) return where(path, { $in: present });
  if (present.length === 0) return nullOrMissing(path);
  return { $or: [where(path, { $in: present }), nullOrMissing(path)] };
}

function translatePredicate(predicate: FieldPredicate): Document {
  const path = predicate.field;
  switch (predicate.op) {
    case 'eq':
      return predicate.value === null ? nullOrMissing(path) : where(path, { $eq: predicate.value });
    case 'ne':
      return predicate.value === null ? { $nor: [nullOrMissing(path)] } : where(path, { $ne: predicate.value });
    case 'in':
      return isIn(path, predicate.value);
    case 'nin':
      return predicate.value.includes(null) ? { $nor: [isIn(path, predicate.value)] } : where(path, { $nin: [...predicate.value] });
    case 'gt':
      return where(path, { $gt: predicate.value });
    case 'gte':
      return where(path, { $gte: predicate.value });
    case 'lt':
      return where(path, { $lt: predicate.value });
    case 'lte':
      return where(path, { $lte: predicate.value });
    case 'exists':
      return where(path, { $exists: predicate.value });
    case 'prefix':
      return where(path, { $regex: `^${escapeRegex(predicate.value)}` });
    case 'contains':
      return where(path, { $elemMatch: { $eq: predicate.value } });
  }
}

function translateFilter(filter: Filter): Document {
  if ('and' in filter) return { $and: filter.and.map(translateFilter) };
  if ('or' in filter) return { $or: filter.or.map(translateFilter) };
  if ('not' in filter) return { $nor: [translateFilter(filter.not)] };
  return translatePredicate(filter);
}

/** The MongoDB filter for one of our filters (validated here: InvalidQueryError for anything outside the AST). */
export function toMongoFilter(filter: Filter): Document {
  return translateFilter(parseFilter(filter));
}

function translateUpdate(ops: ParsedUpdateOps): Document {
  const update: Document = {};
  const nonEmpty = (record: Readonly<Record<string, unknown>> | undefined) => record !== undefined && Object.keys(record).length > 0;
  if (nonEmpty(ops.set)) update.$set = { ...ops.set };
  if (ops.unset && ops.unset.length > 0) update.$unset = Object.fromEntries(ops.unset.map((path) => [field(path), '']));
  if (nonEmpty(ops.inc)) update.$inc = { ...ops.inc };
  // Without `$each`, `$push` appends its value as one element; values cannot hold `$` keys (validated).
  if (nonEmpty(ops.push)) update.$push = { ...ops.push };
  // A scalar (never an object, which `$pull` would read as a condition) removes the equal elements.
  if (nonEmpty(ops.pull)) update.$pull = { ...ops.pull };
  return update;
}

/** The MongoDB update document for our update operators (validated here). */
export function toMongoUpdate(ops: UpdateOps): Document {
  return translateUpdate(parseUpdateOps(ops));
}

function direction(value: SortField['direction']): 1 | -1 {
  return value === 'asc' ? 1 : -1;
}

/** The sort document: the sort keys, then `_id` (field paths never look like integers, so key order is kept). */
export function toMongoSort(sort: NormalizedSort): Record<string, 1 | -1> {
  const spec: Record<string, 1 | -1> = {};
  for (const key of sort.keys) spec[field(key.field)] = direction(key.direction);
  spec._id = direction(sort.idDirection);
  return spec;
}

/** BSON types by our sort rank: null/missing 0, numbers 1, strings 2, objects 3, arrays 4, booleans 5. */
const TYPES_BY_RANK: ReadonlyArray<readonly [number, string]> = [
  [1, 'number'],
  [2, 'string'],
  [3, 'object'],
  [4, 'array'],
  [5, 'bool'],
];

function sortEquals(path: string, value: JsonScalar): Document {
  return value === null ? nullOrMissing(path) : where(path, { $eq: value });
}

/** Documents whose sort value at `path` comes strictly after `value` in the given direction. */
function sortAfter(path: string, order: SortField['direction'], value: JsonScalar): Document | undefined {
  const rank = sortRank(value);
  const branches: Document[] = [];
  if (order === 'asc') {
    if (value !== null) branches.push(where(path, { $gt: value }));
    const above = TYPES_BY_RANK.filter(([typeRank]) => typeRank > rank).map(([, type]) => type);
    if (above.length > 0) branches.push(where(path, { $type: above }));
  } else {
    if (value === null) return undefined;
    branches.push(where(path, { $lt: value }));
    const below = TYPES_BY_RANK.filter(([typeRank]) => typeRank < rank).map(([, type]) => type);
    if (below.length > 0) branches.push(where(path, { $type: below }));
    branches.push(nullOrMissing(path));
  }
  return branches.length === 1 ? branches[0] : { $or: branches };
}

/** Keyset pagination: documents strictly after the cursor position in the sort order. */
export function afterCursorFilter(sort: NormalizedSort, position: CursorPosition): Document {
  const branches: Document[] = [];
  const equal: Document[] = [];
  sort.keys.forEach((key, index) => {
    const value = position.values[index] ?? null;
    const after = sortAfter(key.field, key.direction, value);
    if (after) branches.push(equal.length > 0 ? { $and: [...equal, after] } : after);
    equal.push(sortEquals(key.field, value));
  });
  const idAfter: Document = { _id: { [sort.idDirection === 'asc' ? '$gt' : '$lt']: position.id } };
  branches.push(equal.length > 0 ? { $and: [...equal, idAfter] } : idAfter);
  return branches.length === 1 ? (branches[0] ?? idAfter) : { $or: branches };
}

export function toMongoIndexKeys(spec: ParsedIndexSpec): Record<string, 1 | -1> {
  const keys: Record<string, 1 | -1> = {};
  for (const key of indexKeyPattern(spec)) keys[field(key.field)] = direction(key.direction);
  return keys;
}

/** Documents that hold an array or object at, or an array along, one of the fields (unfit for a unique index). */
export function uniqueShapeViolationFilter(fields: readonly SortField[]): Document {
  const clauses = fields.flatMap((key) => {
    const segments = key.field.split('.');
    const arrays = segments.map((_, index) => where(segments.slice(0, index + 1).join('.'), { $type: 'array' }));
    return [...arrays, where(key.field, { $type: 'object' })];
  });
  return { $or: clauses };
}

// ---------------------------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------------------------

const DUPLICATE_KEY = 11000;
const NAMESPACE_NOT_FOUND = 26;
const INDEX_OPTIONS_CONFLICT = 85;
const INDEX_KEY_SPECS_CONFLICT = 86;
/** BadValue ($push/$pull on a non-array), TypeMismatch ($inc on a non-number), PathNotViable (through a non-object). */
const UPDATE_CONFLICT_CODES = new Set([2, 14, 28]);

function codeOf(error: unknown): number | undefined {
  return error instanceof MongoError && typeof error.code === 'number' ? error.code : undefined;
}

/** The index named in a duplicate key error (E11000), or undefined for any other error. */
export function duplicateKeyIndex(error: unknown): string | undefined {
  if (codeOf(error) !== DUPLICATE_KEY || !(error instanceof Error)) return undefined;
  return /index: (\S+) dup key/.exec(error.message)?.[1] ?? 'unknown';
}

export type MongoErrorContext = 'write' | 'update' | 'index' | 'read';

/** Our typed error for a driver error, or the error itself when it has no counterpart. */
export function mapMongoError(error: unknown, collection: string, context: MongoErrorContext): unknown {
  const index = duplicateKeyIndex(error);
  if (index !== undefined) return new DuplicateKeyError(collection, index, { cause: error });
  const code = codeOf(error);
  const message = error instanceof Error ? error.message : String(error);
  if (context === 'update' && code !== undefined && UPDATE_CONFLICT_CODES.has(code)) {
    return new UpdateConflictError(collection, message, undefined, { cause: error });
  }
  if (context === 'index' && (code === INDEX_OPTIONS_CONFLICT || code === INDEX_KEY_SPECS_CONFLICT)) {
    return new IndexConflictError(collection, '', message, { cause: error });
  }
  if (
    error instanceof MongoNetworkError ||
    error instanceof MongoServerSelectionError ||
    error instanceof MongoTopologyClosedError ||
    error instanceof MongoNotConnectedError
  ) {
    return new DocumentStoreUnavailableError(`MongoDB is unavailable: ${message}`, { cause: error });
  }
  return error;
}

/** A stored document as JSON (numbers, strings, booleans, null, arrays, plain objects) with a string `_id`. */
export function fromMongoDocument(raw: unknown): JsonDocument {
  try {
    return validateDocument(raw);
  } catch (error) {
    throw new InvalidDocumentError('MongoDB returned a document that is not a JSON document of this store', [
      { path: '', message: error instanceof Error ? error.message : String(error) },
    ]);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The adapter
// ---------------------------------------------------------------------------------------------------------------

export interface MongoDocumentStoreOptions {
  database: string;
  /** Passed to MongoClient (timeouts, TLS, pool size, ...). */
  client?: MongoClientOptions;
}

/** What the driver sees: any document with a string `_id` (not the default ObjectId). */
interface StoredDocument extends Document {
  _id: string;
}

/** Unique-index fields are cached per collection for this long (other processes may add indexes). */
const UNIQUE_FIELDS_TTL_MS = 30_000;
const DATABASE_NAME = /^[A-Za-z0-9_-]{1,63}$/;

export class MongoDocumentStore implements DocumentStore {
  private readonly uniqueFieldCache = new Map<string, { loadedAt: number; fields: Promise<string[]> }>();

  private constructor(
    private readonly client: MongoClient,
    private readonly db: Db,
  ) {}

  static async connect(url: string, options: MongoDocumentStoreOptions): Promise<MongoDocumentStore> {
    if (!DATABASE_NAME.test(options.database)) {
      throw new InvalidQueryError('invalid database name', [{ path: 'database', message: 'letters, digits, _ and -, at most 63' }]);
    }
    const client = new MongoClient(url, { ...options.client });
    try {
      await client.connect();
    } catch (error) {
      await client.close().catch(() => undefined);
      throw new DocumentStoreUnavailableError(`cannot connect to MongoDB: ${error instanceof Error ? error.message : String(error)}`, {
        cause: error,
      });
    }
    return new MongoDocumentStore(client, client.db(options.database));
  }

  private collection(name: string): Collection<StoredDocument> {
    return this.db.collection<StoredDocument>(name);
  }

  async upsert(collection: string, document: JsonDocument): Promise<void> {
    const name = parseCollectionName(collection);
    const validated = validateDocument(document);
    assertUniqueShapes(validated, await this.uniqueFields(name));
    const { _id, ...fields } = validated;
    for (let attempt = 0; ; attempt += 1) {
      try {
        await this.collection(name).replaceOne({ _id }, fields, { upsert: true });
        return;
      } catch (error) {
        // Two concurrent upserts of a new id can race on the _id index; the retry finds the document and replaces it.
        if (attempt === 0 && duplicateKeyIndex(error) === '_id_') continue;
        throw mapMongoError(error, name, 'write');
      }
    }
  }

  async update(collection: string, id: string, ops: UpdateOps): Promise<boolean> {
    const name = parseCollectionName(collection);
    const documentId = parseDocumentId(id);
    const parsed = parseUpdateOps(ops);
    assertUpdateShapes(parsed, await this.uniqueFields(name));
    try {
      const result = await this.collection(name).updateOne({ _id: documentId }, translateUpdate(parsed));
      return result.matchedCount > 0;
    } catch (error) {
      throw mapMongoError(error, name, 'update');
    }
  }

  async updateMany(collection: string, filter: Filter, ops: UpdateOps): Promise<number> {
    const name = parseCollectionName(collection);
    const mongoFilter = translateFilter(parseFilter(filter));
    const parsed = parseUpdateOps(ops);
    assertUpdateShapes(parsed, await this.uniqueFields(name));
    try {
      return (await this.collection(name).updateMany(mongoFilter, translateUpdate(parsed))).matchedCount;
    } catch (error) {
      throw mapMongoError(error, name, 'update');
    }
  }

  async delete(collection: string, id: string): Promise<boolean> {
    const name = parseCollectionName(collection);
    const documentId = parseDocumentId(id);
    try {
      return (await this.collection(name).deleteOne({ _id: documentId })).deletedCount > 0;
    } catch (error) {
      throw mapMongoError(error, name, 'write');
    }
  }

  async deleteMany(collection: string, filter: Filter): Promise<number> {
    const name = parseCollectionName(collection);
    const mongoFilter = translateFilter(parseFilter(filter));
    try {
      return (await this.collection(name).deleteMany(mongoFilter)).deletedCount;
    } catch (error) {
      throw mapMongoError(error, name, 'write');
    }
  }

  async get(collection: string, id: string): Promise<JsonDocument | undefined> {
    const name = parseCollectionName(collection);
    const documentId = parseDocumentId(id);
    try {
      const found = await this.collection(name).findOne({ _id: documentId });
      return found === null ? undefined : fromMongoDocument(found);
    } catch (error) {
      throw mapMongoError(error, name, 'read');
    }
  }

  async getMany(collection: string, ids: readonly string[]): Promise<Array<JsonDocument | undefined>> {
    const name = parseCollectionName(collection);
    const wanted = parseDocumentIds(ids);
    if (wanted.length === 0) return [];
    try {
      const found = await this.collection(name)
        .find({ _id: { $in: [...new Set(wanted)] } })
        .toArray();
      const byId = new Map(found.map((raw) => fromMongoDocument(raw)).map((document) => [document._id, document]));
      return wanted.map((id) => {
        const document = byId.get(id);
        return document === undefined ? undefined : structuredClone(document);
      });
    } catch (error) {
      throw mapMongoError(error, name, 'read');
    }
  }

  async find(collection: string, options: FindOptions): Promise<Page> {
    const name = parseCollectionName(collection);
    const parsed = parseFindOptions(name, options);
    const conditions: Document[] = [];
    if (parsed.filter) conditions.push(translateFilter(parsed.filter));
    if (parsed.after) conditions.push(afterCursorFilter(parsed.sort, parsed.after));
    const filter: Document = conditions.length === 0 ? {} : conditions.length === 1 ? (conditions[0] ?? {}) : { $and: conditions };
    try {
      const found = await this.collection(name)
        .find(filter, { sort: toMongoSort(parsed.sort), limit: parsed.limit + 1 })
        .toArray();
      return buildPage(
        name,
        parsed,
        found.map((raw) => fromMongoDocument(raw)),
      );
    } catch (error) {
      throw mapMongoError(error, name, 'read');
    }
  }

  async count(collection: string, filter?: Filter | null): Promise<number> {
    const name = parseCollectionName(collection);
    const parsed = parseOptionalFilter(filter);
    try {
      return await this.collection(name).countDocuments(parsed ? translateFilter(parsed) : {});
    } catch (error) {
      throw mapMongoError(error, name, 'read');
    }
  }

  async ensureIndex(collection: string, index: IndexSpec): Promise<void> {
    const name = parseCollectionName(collection);
    const spec = parseIndexSpec(index);
    this.uniqueFieldCache.delete(name);
    try {
      if (spec.unique) {
        const offending = await this.collection(name).findOne(uniqueShapeViolationFilter(spec.fields), { projection: { _id: 1 } });
        if (offending) {
          throw new InvalidDocumentError(`cannot create unique index '${spec.name}'`, [
            { path: String(offending._id), message: 'this document holds an array or an object at or along an indexed field' },
          ]);
        }
      }
      await this.collection(name).createIndex(toMongoIndexKeys(spec), spec.unique ? { name: spec.name, unique: true } : { name: spec.name });
    } catch (error) {
      const mapped = mapMongoError(error, name, 'index');
      if (mapped instanceof IndexConflictError) {
        throw new IndexConflictError(name, spec.name, `index '${spec.name}' of '${name}' conflicts with an existing index: ${mapped.message}`, {
          cause: error,
        });
      }
      if (mapped instanceof DuplicateKeyError) throw new DuplicateKeyError(name, spec.name, { cause: error });
      throw mapped;
    } finally {
      this.uniqueFieldCache.delete(name);
    }
  }

  async dropCollection(collection: string): Promise<void> {
    const name = parseCollectionName(collection);
    try {
      await this.db.dropCollection(name);
    } catch (error) {
      if (codeOf(error) !== NAMESPACE_NOT_FOUND) throw mapMongoError(error, name, 'write');
    } finally {
      this.uniqueFieldCache.delete(name);
    }
  }

  async close(): Promise<void> {
    await this.client.close();
  }

  /** Fields of the collection's unique indexes (cached briefly; refreshed by this store's own ensureIndex/drop). */
  private uniqueFields(name: string): Promise<string[]> {
    const cached = this.uniqueFieldCache.get(name);
    if (cached && Date.now() - cached.loadedAt < UNIQUE_FIELDS_TTL_MS) return cached.fields;
    const fields = this.loadUniqueFields(name);
    this.uniqueFieldCache.set(name, { loadedAt: Date.now(), fields });
    fields.catch(() => this.uniqueFieldCache.delete(name));
    return fields;
  }

  private async loadUniqueFields(name: string): Promise<string[]> {
    let indexes: Document[];
    try {
      indexes = await this.collection(name).listIndexes().toArray();
    } catch (error) {
      if (codeOf(error) === NAMESPACE_NOT_FOUND) return [];
      throw mapMongoError(error, name, 'read');
    }
    return indexes
      .filter((index) => index.unique === true && index.name !== '_id_' && typeof index.key === 'object' && index.key !== null)
      .flatMap((index) => Object.keys(index.key).filter((key) => key !== '_id'));
  }
}
