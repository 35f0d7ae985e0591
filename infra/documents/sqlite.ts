import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { DocumentStoreUnavailableError, DuplicateKeyError, IndexConflictError, InvalidDocumentError } from './errors.ts';
import {
  IDENTIFIER_PATTERN,
  LIMITS,
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
  type DocumentStore,
  type FieldPredicate,
  type Filter,
  type FindOptions,
  type IndexSpec,
  type JsonDocument,
  type JsonScalar,
  type NormalizedSort,
  type Page,
  type ParsedIndexSpec,
  type SortDirection,
  type UpdateOps,
} from './port.ts';
import { applyUpdate, assertUniqueShapes, assertUpdateShapes, buildPage, isJsonObject, prefixUpperBound, sortRank } from './semantics.ts';
import type { JsonObject, JsonValue } from '../json-value.ts';

export interface SqliteDocumentStoreOptions {
  /** The database file (created with its directory), or ':memory:' for tests. */
  path: string;
  /** Read models are rebuilt from the log, so NORMAL (survives a process crash, not an OS crash) is the default. */
  synchronous?: 'FULL' | 'NORMAL';
  /** How long a write waits for another process's write lock. */
  busyTimeoutMs?: number;
}

type SqlValue = string | number;
type Params = Record<string, SqlValue>;
interface DocRow {
  id: string;
  data: string;
}

const META_SCHEMA = `
CREATE TABLE IF NOT EXISTS meta_indexes (
  collection TEXT NOT NULL,
  name       TEXT NOT NULL,
  spec       TEXT NOT NULL,
  PRIMARY KEY (collection, name)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS meta_array_paths (
  collection TEXT NOT NULL,
  path       TEXT NOT NULL,
  PRIMARY KEY (collection, path)
) WITHOUT ROWID;
`;

/** Past this many distinct array paths in a collection, every path is treated as possibly holding arrays. */
const MAX_ARRAY_PATHS = 1000;
const ANY_PATH = '*';
const STATEMENT_CACHE_SIZE = 500;

// ---------------------------------------------------------------------------------------------------------------
// Compiling the filter AST to SQL. Values are only ever bound parameters; the only text spliced into SQL are JSON
// paths built from validated identifiers (asserted again here) and constants of this module.
// ---------------------------------------------------------------------------------------------------------------

function jsonPath(segments: readonly string[]): string {
  for (const segment of segments) {
    if (!IDENTIFIER_PATTERN.test(segment) || segment.length > LIMITS.segmentLength) {
      throw new Error(`refusing to compile a path segment that is not an identifier: ${JSON.stringify(segment)}`);
    }
  }
  return `'$.${segments.join('.')}'`;
}

/** The type rank of the value at a path reached through objects only (missing and null: 0). Same ranks as `sortRank`. */
export function rankSql(column: string, segments: readonly string[]): string {
  const path = jsonPath(segments);
  return (
    `(CASE json_type(${column}, ${path}) WHEN 'integer' THEN 1 WHEN 'real' THEN 1 WHEN 'text' THEN 2 ` +
    `WHEN 'object' THEN 3 WHEN 'array' THEN 4 WHEN 'true' THEN 5 WHEN 'false' THEN 5 ELSE 0 END)`
  );
}

/** The value at a path reached through objects only; never NULL (missing and null are 0, booleans 1/0). */
export function valueSql(column: string, segments: readonly string[]): string {
  return `ifnull(json_extract(${column}, ${jsonPath(segments)}), 0)`;
}

/** The index/sort terms of a field: its rank and value, or the id column for `_id`. */
function keyTerms(field: string, qualifier: '' | 'd.'): string[] {
  if (field === '_id') return [`${qualifier}id`];
  const segments = field.split('.');
  return [rankSql(`${qualifier}data`, segments), valueSql(`${qualifier}data`, segments)];
}

/** How a sort value is stored in the value term: null as 0, booleans as 1/0. */
function storedValue(value: JsonScalar): SqlValue {
  if (value === null) return 0;
  if (typeof value === 'boolean') return value ? 1 : 0;
  return value;
}

export interface CompiledSql {
  sql: string;
  params: Params;
}

/**
 * Compiles filters, cursors and orders for one statement. `arrayPaths` is the collection's registry of paths at
 * which some document holds an array: a path none of whose prefixes is in it is compiled to plain `json_extract`
 * comparisons (which expression indexes serve); any other path to `json_each` joins with MongoDB's array semantics.
 */
export class SqlCompiler {
  readonly params: Params = {};
  private parameterCount = 0;
  private aliasCount = 0;

  constructor(private readonly arrayPaths: ReadonlySet<string>) {}

  bind(value: SqlValue): string {
    const name = `p${this.parameterCount}`;
    this.parameterCount += 1;
    this.params[name] = value;
    return `@${name}`;
  }

  alias(): string {
    const name = `j${this.aliasCount}`;
    this.aliasCount += 1;
    return name;
  }

  mayHoldArrays(segments: readonly string[]): boolean {
    if (this.arrayPaths.has(ANY_PATH)) return true;
    return segments.some((_, index) => this.arrayPaths.has(segments.slice(0, index + 1).join('.')));
  }

  filter(filter: Filter): string {
    if ('and' in filter) return `(${filter.and.map((operand) => this.filter(operand)).join(' AND ')})`;
    if ('or' in filter) return `(${filter.or.map((operand) => this.filter(operand)).join(' OR ')})`;
    if ('not' in filter) return `(NOT ${this.filter(filter.not)})`;
    return this.predicate(filter);
  }

  private predicate(predicate: FieldPredicate): string {
    const segments = predicate.field.split('.');
    const path: PathSql = this.mayHoldArrays(segments) ? new ArrayAwarePath(this, segments) : new ObjectPath(this, segments);
    switch (predicate.op) {
      case 'eq':
        return path.equals(predicate.value);
      case 'ne':
        return `(NOT ${path.equals(predicate.value)})`;
      case 'in':
        return path.isIn(predicate.value);
      case 'nin':
        return `(NOT ${path.isIn(predicate.value)})`;
      case 'gt':
        return path.compare('>', predicate.value);
      case 'gte':
        return path.compare('>=', predicate.value);
      case 'lt':
        return path.compare('<', predicate.value);
      case 'lte':
        return path.compare('<=', predicate.value);
      case 'exists':
        return predicate.value ? path.exists() : `(NOT ${path.exists()})`;
      case 'prefix':
        return path.prefix(predicate.value);
      case 'contains':
        return path.contains(predicate.value);
    }
  }

  /**
   * Strictly after the cursor position in the sort order (keyset pagination), as disjoint branches in sort order:
   * `t1 > v1`, `t1 = v1 AND t2 > v2`, ..., `t1 = v1 AND ... AND id > x`. Each branch is equalities on a prefix of the
   * index terms and one range on the next, which SQLite seeks to; a row value `(t1, t2, id) > (v1, v2, x)` or an OR
   * of the branches it does not seek on over expression columns, and scans the index from its start instead.
   */
  afterBranches(sort: NormalizedSort, position: CursorPosition): Array<{ where: string; orderBy: string }> {
    const items: Array<{ term: string; direction: SortDirection; value: SqlValue }> = [];
    sort.keys.forEach((key, index) => {
      const value = position.values[index] ?? null;
      const [rank, stored] = keyTerms(key.field, 'd.');
      if (rank !== undefined) items.push({ term: rank, direction: key.direction, value: sortRank(value) });
      if (stored !== undefined) items.push({ term: stored, direction: key.direction, value: storedValue(value) });
    });
    items.push({ term: 'd.id', direction: sort.idDirection, value: position.id });
    return items.map((item, index) => {
      const equal = items.slice(0, index).map((previous) => `${previous.term} = ${this.bind(previous.value)}`);
      return {
        where: `(${[...equal, `${item.term} ${item.direction === 'asc' ? '>' : '<'} ${this.bind(item.value)}`].join(' AND ')})`,
        // Terms fixed by the branch's equalities are left out of its order: SQLite then reads the index in order
        // instead of sorting every row of the range (it does not drop them itself for expression terms).
        orderBy: items
          .slice(index)
          .map((rest) => `${rest.term} ${rest.direction === 'asc' ? 'ASC' : 'DESC'}`)
          .join(', '),
      };
    });
  }

  /** The sort terms as extra columns `k0, k1, ...` of a branch (`, <term> AS k0, ...`), and the order over them. */
  sortColumns(sort: NormalizedSort): { select: string; orderBy: string } {
    const terms = sort.keys.flatMap((key) => keyTerms(key.field, 'd.').map((term) => ({ term, direction: key.direction })));
    return {
      select: terms.map((item, index) => `, ${item.term} AS k${index}`).join(''),
      orderBy: [
        ...terms.map((item, index) => `k${index} ${item.direction === 'asc' ? 'ASC' : 'DESC'}`),
        `id ${sort.idDirection === 'asc' ? 'ASC' : 'DESC'}`,
      ].join(', '),
    };
  }

  orderBy(sort: NormalizedSort): string {
    const terms = sort.keys.flatMap((key) => keyTerms(key.field, 'd.').map((term) => `${term} ${key.direction === 'asc' ? 'ASC' : 'DESC'}`));
    terms.push(`d.id ${sort.idDirection === 'asc' ? 'ASC' : 'DESC'}`);
    return terms.join(', ');
  }
}

interface PathSql {
  equals(value: JsonScalar): string;
  isIn(values: readonly JsonScalar[]): string;
  compare(operator: '>' | '>=' | '<' | '<=', value: string | number): string;
  exists(): string;
  prefix(prefix: string): string;
  contains(value: JsonScalar): string;
}

/** A path with no array on the way in any document: one value or none, so plain json_extract answers. */
class ObjectPath implements PathSql {
  private readonly rank: string;
  private readonly value: string;
  private readonly isId: boolean;

  constructor(
    private readonly compiler: SqlCompiler,
    private readonly segments: readonly string[],
  ) {
    this.isId = segments.length === 1 && segments[0] === '_id';
    this.rank = this.isId ? '2' : rankSql('d.data', segments);
    this.value = this.isId ? 'd.id' : valueSql('d.data', segments);
  }

  equals(value: JsonScalar): string {
    if (value === null) return `(${this.rank} = 0)`;
    return `(${this.rank} = ${sortRank(value)} AND ${this.value} = ${this.compiler.bind(storedValue(value))})`;
  }

  isIn(values: readonly JsonScalar[]): string {
    const groups: string[] = [];
    const byRank = (rank: number, members: SqlValue[]) => {
      if (members.length === 0) return;
      groups.push(`(${this.rank} = ${rank} AND ${this.value} IN (${members.map((member) => this.compiler.bind(member)).join(', ')}))`);
    };
    byRank(
      1,
      values.filter((value) => typeof value === 'number'),
    );
    byRank(
      2,
      values.filter((value) => typeof value === 'string'),
    );
    byRank(5, values.filter((value) => typeof value === 'boolean').map(storedValue));
    if (values.includes(null)) groups.push(`(${this.rank} = 0)`);
    return groups.length === 0 ? '(0)' : `(${groups.join(' OR ')})`;
  }

  compare(operator: '>' | '>=' | '<' | '<=', value: string | number): string {
    return `(${this.rank} = ${sortRank(value)} AND ${this.value} ${operator} ${this.compiler.bind(value)})`;
  }

  exists(): string {
    return this.isId ? '(1)' : `(json_type(d.data, ${jsonPath(this.segments)}) IS NOT NULL)`;
  }

  prefix(prefix: string): string {
    const upper = prefixUpperBound(prefix);
    const range = [`${this.value} >= ${this.compiler.bind(prefix)}`];
    if (upper !== undefined) range.push(`${this.value} < ${this.compiler.bind(upper)}`);
    return `(${this.rank} = 2 AND ${range.join(' AND ')})`;
  }

  contains(): string {
    // No document holds an array at or along this path.
    return '(0)';
  }
}

/**
 * A path some document holds arrays on: MongoDB's traversal, with one `json_each` per segment. Every level keeps the
 * objects reached (an array contributes its object elements, one level deep); the last segment's values are then
 * compared element-wise when they are arrays.
 */
class ArrayAwarePath implements PathSql {
  private readonly from: string[] = [];
  private readonly where: string[] = [];
  private readonly parent: string;
  private readonly last: string;

  constructor(
    private readonly compiler: SqlCompiler,
    segments: readonly string[],
  ) {
    let parent = 'd.data';
    for (const segment of segments.slice(0, -1)) {
      const alias = compiler.alias();
      const path = jsonPath([segment]);
      this.from.push(
        `json_each(CASE json_type(${parent}, ${path}) WHEN 'array' THEN json_extract(${parent}, ${path}) ` +
          `WHEN 'object' THEN json_array(json_extract(${parent}, ${path})) END) AS ${alias}`,
      );
      this.where.push(`${alias}.type = 'object'`);
      parent = `${alias}.value`;
    }
    this.parent = parent;
    this.last = jsonPath(segments.slice(-1));
  }

  private exists_(from: readonly string[], condition: string): string {
    const where = [...this.where, condition].join(' AND ');
    return from.length === 0 ? `(${condition})` : `EXISTS (SELECT 1 FROM ${from.join(', ')} WHERE ${where})`;
  }

  /** Some compared value (the value, or each element of an array value) satisfies the condition on `alias`. */
  private someCompared(condition: (alias: string) => string): string {
    const alias = this.compiler.alias();
    const { parent, last } = this;
    const values =
      `json_each(CASE WHEN json_type(${parent}, ${last}) IS NULL THEN NULL ` +
      `WHEN json_type(${parent}, ${last}) = 'array' THEN json_extract(${parent}, ${last}) ` +
      `ELSE json_array(json(${parent} -> ${last})) END) AS ${alias}`;
    return this.exists_([...this.from, values], condition(alias));
  }

  private typed(alias: string, value: string | number | boolean): string {
    if (typeof value === 'boolean') return `${alias}.type = '${value ? 'true' : 'false'}'`;
    const type = typeof value === 'string' ? `${alias}.type = 'text'` : `${alias}.type IN ('integer', 'real')`;
    return `(${type} AND ${alias}.value = ${this.compiler.bind(value)})`;
  }

  exists(): string {
    return this.exists_(this.from, `json_type(${this.parent}, ${this.last}) IS NOT NULL`);
  }

  equals(value: JsonScalar): string {
    if (value === null) return `((NOT ${this.exists()}) OR ${this.someCompared((alias) => `${alias}.type = 'null'`)})`;
    return this.someCompared((alias) => this.typed(alias, value));
  }

  isIn(values: readonly JsonScalar[]): string {
    const branches: string[] = [];
    const present = values.filter((value): value is string | number | boolean => value !== null);
    if (present.length > 0) {
      branches.push(this.someCompared((alias) => `(${present.map((value) => this.typed(alias, value)).join(' OR ')})`));
    }
    if (values.includes(null)) branches.push(this.equals(null));
    return branches.length === 0 ? '(0)' : `(${branches.join(' OR ')})`;
  }

  compare(operator: '>' | '>=' | '<' | '<=', value: string | number): string {
    return this.someCompared((alias) => {
      const type = typeof value === 'string' ? `${alias}.type = 'text'` : `${alias}.type IN ('integer', 'real')`;
      return `(${type} AND ${alias}.value ${operator} ${this.compiler.bind(value)})`;
    });
  }

  prefix(prefix: string): string {
    const upper = prefixUpperBound(prefix);
    return this.someCompared((alias) => {
      const range = [`${alias}.type = 'text'`, `${alias}.value >= ${this.compiler.bind(prefix)}`];
      if (upper !== undefined) range.push(`${alias}.value < ${this.compiler.bind(upper)}`);
      return `(${range.join(' AND ')})`;
    });
  }

  contains(value: JsonScalar): string {
    const alias = this.compiler.alias();
    const elements = `json_each(CASE WHEN json_type(${this.parent}, ${this.last}) = 'array' THEN json_extract(${this.parent}, ${this.last}) END) AS ${alias}`;
    const condition = value === null ? `${alias}.type = 'null'` : this.typed(alias, value);
    return this.exists_([...this.from, elements], condition);
  }
}

/** Every path (of at most LIMITS.pathSegments identifiers) at which the document holds an array. */
export function arrayPathsOf(document: JsonObject): Set<string> {
  const paths = new Set<string>();
  const walk = (value: JsonValue, path: string, depth: number): void => {
    if (Array.isArray(value)) {
      if (path) paths.add(path);
      // Elements are reached through the same path (MongoDB does not enter nested arrays; being generous is safe).
      for (const element of value) walk(element, path, depth);
    } else if (isJsonObject(value) && depth < LIMITS.pathSegments) {
      for (const [key, child] of Object.entries(value)) {
        if (!IDENTIFIER_PATTERN.test(key) || key.length > LIMITS.segmentLength) continue;
        walk(child, path ? `${path}.${key}` : key, depth + 1);
      }
    }
  };
  walk(document, '', 0);
  return paths;
}

// ---------------------------------------------------------------------------------------------------------------
// The store
// ---------------------------------------------------------------------------------------------------------------

/**
 * Embedded document store: one SQLite file in WAL mode, a table `docs_<collection>` (id, JSON text) per collection.
 * Filters compile to SQL over json_extract/json_each with bound parameters; indexes are expression indexes over the
 * same terms the filters and sorts use (type rank, value), so the planner uses them. Writes run in IMMEDIATE
 * transactions (safe with several processes on one file); reads run in a transaction so that the array-path registry
 * they compile against and the rows they read are the same snapshot.
 */
export class SqliteDocumentStore implements DocumentStore {
  private readonly db: Database.Database;
  private readonly statements = new Map<string, Database.Statement<[Params], unknown>>();
  private closed = false;

  constructor(options: SqliteDocumentStoreOptions) {
    if (options.path !== ':memory:') mkdirSync(dirname(options.path), { recursive: true });
    this.db = new Database(options.path, { timeout: options.busyTimeoutMs ?? 10_000 });
    this.db.pragma('journal_mode = WAL');
    this.db.pragma(`synchronous = ${options.synchronous ?? 'NORMAL'}`);
    this.db.exec(META_SCHEMA);
  }

  async upsert(collection: string, document: JsonDocument): Promise<void> {
    const name = parseCollectionName(collection);
    const validated = validateDocument(document);
    this.write(name, () => {
      assertUniqueShapes(validated, this.uniqueFields(name));
      this.ensureTable(name);
      this.run(`INSERT INTO ${table(name)} (id, data) VALUES (@id, @data) ON CONFLICT (id) DO UPDATE SET data = excluded.data`, {
        id: validated._id,
        data: JSON.stringify(validated),
      });
      this.registerArrayPaths(name, validated);
    });
  }

  async update(collection: string, id: string, ops: UpdateOps): Promise<boolean> {
    const name = parseCollectionName(collection);
    const documentId = parseDocumentId(id);
    const parsed = parseUpdateOps(ops);
    return this.write(name, () => {
      assertUpdateShapes(parsed, this.uniqueFields(name));
      if (!this.tableExists(name)) return false;
      const row = this.all<DocRow>(`SELECT id, data FROM ${table(name)} WHERE id = @id`, { id: documentId })[0];
      if (!row) return false;
      this.replace(name, applyUpdate(parseStored(row.data), parsed, name));
      return true;
    });
  }

  async updateMany(collection: string, filter: Filter, ops: UpdateOps): Promise<number> {
    const name = parseCollectionName(collection);
    const parsedFilter = parseFilter(filter);
    const parsed = parseUpdateOps(ops);
    return this.write(name, () => {
      assertUpdateShapes(parsed, this.uniqueFields(name));
      if (!this.tableExists(name)) return 0;
      const compiler = new SqlCompiler(this.arrayPaths(name));
      const where = compiler.filter(parsedFilter);
      const rows = this.all<DocRow>(`SELECT d.id AS id, d.data AS data FROM ${table(name)} AS d WHERE ${where} ORDER BY d.id`, compiler.params);
      for (const row of rows) this.replace(name, applyUpdate(parseStored(row.data), parsed, name));
      return rows.length;
    });
  }

  async delete(collection: string, id: string): Promise<boolean> {
    const name = parseCollectionName(collection);
    const documentId = parseDocumentId(id);
    return this.write(name, () => {
      if (!this.tableExists(name)) return false;
      return this.run(`DELETE FROM ${table(name)} WHERE id = @id`, { id: documentId }).changes > 0;
    });
  }

  async deleteMany(collection: string, filter: Filter): Promise<number> {
    const name = parseCollectionName(collection);
    const parsedFilter = parseFilter(filter);
    return this.write(name, () => {
      if (!this.tableExists(name)) return 0;
      const compiler = new SqlCompiler(this.arrayPaths(name));
      const where = compiler.filter(parsedFilter);
      return this.run(`DELETE FROM ${table(name)} WHERE id IN (SELECT d.id FROM ${table(name)} AS d WHERE ${where})`, compiler.params).changes;
    });
  }

  async get(collection: string, id: string): Promise<JsonDocument | undefined> {
    const name = parseCollectionName(collection);
    const documentId = parseDocumentId(id);
    const row = this.read(() =>
      this.tableExists(name) ? this.all<DocRow>(`SELECT id, data FROM ${table(name)} WHERE id = @id`, { id: documentId })[0] : undefined,
    );
    return row ? parseStored(row.data) : undefined;
  }

  async getMany(collection: string, ids: readonly string[]): Promise<Array<JsonDocument | undefined>> {
    const name = parseCollectionName(collection);
    const wanted = parseDocumentIds(ids);
    if (wanted.length === 0) return [];
    const rows = this.read(() =>
      this.tableExists(name)
        ? this.all<DocRow>(`SELECT id, data FROM ${table(name)} WHERE id IN (SELECT value FROM json_each(@ids))`, {
            ids: JSON.stringify(wanted),
          })
        : [],
    );
    const byId = new Map(rows.map((row) => [row.id, row.data]));
    return wanted.map((id) => {
      const data = byId.get(id);
      return data === undefined ? undefined : parseStored(data);
    });
  }

  async find(collection: string, options: FindOptions): Promise<Page> {
    const name = parseCollectionName(collection);
    const parsed = parseFindOptions(name, options);
    const rows = this.read(() => {
      if (!this.tableExists(name)) return [];
      const compiler = new SqlCompiler(this.arrayPaths(name));
      const filter = parsed.filter ? compiler.filter(parsed.filter) : null;
      const limit = compiler.bind(parsed.limit + 1);
      const order = compiler.orderBy(parsed.sort);
      const select = (conditions: string[], orderBy: string, columns = '') =>
        `SELECT d.id AS id, d.data AS data${columns} FROM ${table(name)} AS d` +
        `${conditions.length > 0 ? ` WHERE ${conditions.join(' AND ')}` : ''} ORDER BY ${orderBy} LIMIT ${limit}`;
      if (!parsed.after) return this.all<DocRow>(select(filter ? [filter] : [], order), compiler.params);
      // A page after a cursor: each branch seeks in the index and stops after a page, so a page costs the same
      // wherever it is in the collection; the branches are merged (at most a page from each) and cut to a page.
      const columns = compiler.sortColumns(parsed.sort);
      const branches = compiler
        .afterBranches(parsed.sort, parsed.after)
        .map((branch) => `SELECT * FROM (${select([...(filter ? [filter] : []), branch.where], branch.orderBy, columns.select)})`);
      const sql = `SELECT id, data FROM (${branches.join(' UNION ALL ')}) ORDER BY ${columns.orderBy} LIMIT ${limit}`;
      return this.all<DocRow>(sql, compiler.params);
    });
    return buildPage(
      name,
      parsed,
      rows.map((row) => parseStored(row.data)),
    );
  }

  async count(collection: string, filter?: Filter | null): Promise<number> {
    const name = parseCollectionName(collection);
    const parsedFilter = parseOptionalFilter(filter);
    return this.read(() => {
      if (!this.tableExists(name)) return 0;
      const compiler = new SqlCompiler(this.arrayPaths(name));
      const where = parsedFilter ? ` WHERE ${compiler.filter(parsedFilter)}` : '';
      return this.all<{ n: number }>(`SELECT count(*) AS n FROM ${table(name)} AS d${where}`, compiler.params)[0]?.n ?? 0;
    });
  }

  async ensureIndex(collection: string, index: IndexSpec): Promise<void> {
    const name = parseCollectionName(collection);
    const spec = parseIndexSpec(index);
    this.write(name, () => {
      this.ensureTable(name);
      const existing = this.indexSpecs(name);
      const sameName = existing.find((other) => other.name === spec.name);
      if (sameName) {
        if (JSON.stringify(canonicalSpec(sameName)) === JSON.stringify(canonicalSpec(spec))) return;
        throw new IndexConflictError(name, spec.name, `index '${spec.name}' of '${name}' exists with another definition`);
      }
      const pattern = JSON.stringify(indexKeyPattern(spec));
      const samePattern = existing.find((other) => JSON.stringify(indexKeyPattern(other)) === pattern);
      if (samePattern) {
        throw new IndexConflictError(name, spec.name, `'${name}' already has this index, named '${samePattern.name}'`);
      }
      if (spec.unique) this.assertNoUniqueShapeViolation(name, spec);
      const terms = indexKeyPattern(spec).flatMap((key) => keyTerms(key.field, '').map((term) => `${term} ${key.direction === 'asc' ? 'ASC' : 'DESC'}`));
      this.db.exec(`CREATE ${spec.unique ? 'UNIQUE ' : ''}INDEX ${physicalIndex(name, spec.name)} ON ${table(name)} (${terms.join(', ')})`);
      this.run('INSERT INTO meta_indexes (collection, name, spec) VALUES (@collection, @name, @spec)', {
        collection: name,
        name: spec.name,
        spec: JSON.stringify(canonicalSpec(spec)),
      });
    });
  }

  async dropCollection(collection: string): Promise<void> {
    const name = parseCollectionName(collection);
    this.write(name, () => {
      this.db.exec(`DROP TABLE IF EXISTS ${table(name)}`);
      this.run('DELETE FROM meta_indexes WHERE collection = @collection', { collection: name });
      this.run('DELETE FROM meta_array_paths WHERE collection = @collection', { collection: name });
    });
    this.statements.clear();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.statements.clear();
    this.db.close();
  }

  // -------------------------------------------------------------------------------------------------------------

  private assertOpen(): void {
    if (this.closed) throw new DocumentStoreUnavailableError('document store is closed');
  }

  private read<T>(body: () => T): T {
    this.assertOpen();
    try {
      return this.db.transaction(body).deferred();
    } catch (error) {
      throw mapSqliteError(error, '');
    }
  }

  private write<T>(collection: string, body: () => T): T {
    this.assertOpen();
    try {
      return this.db.transaction(body).immediate();
    } catch (error) {
      throw mapSqliteError(error, collection);
    }
  }

  private statement(sql: string): Database.Statement<[Params], unknown> {
    let statement = this.statements.get(sql);
    if (statement) {
      // Least recently used goes first.
      this.statements.delete(sql);
    } else {
      statement = this.db.prepare<[Params], unknown>(sql);
      if (this.statements.size >= STATEMENT_CACHE_SIZE) {
        const oldest = this.statements.keys().next();
        if (!oldest.done) this.statements.delete(oldest.value);
      }
    }
    this.statements.set(sql, statement);
    return statement;
  }

  private all<Row>(sql: string, params: Params): Row[] {
    // Rows have the shape the SQL text selects.
    return this.statement(sql).all(params) as Row[];
  }

  private run(sql: string, params: Params): Database.RunResult {
    return this.statement(sql).run(params);
  }

  private tableExists(collection: string): boolean {
    return this.all(`SELECT 1 AS found FROM sqlite_master WHERE type = 'table' AND name = @name`, { name: `docs_${collection}` }).length > 0;
  }

  private ensureTable(collection: string): void {
    if (this.tableExists(collection)) return;
    this.db.exec(`CREATE TABLE ${table(collection)} (id TEXT PRIMARY KEY NOT NULL, data TEXT NOT NULL)`);
  }

  private replace(collection: string, document: JsonDocument): void {
    this.run(`UPDATE ${table(collection)} SET data = @data WHERE id = @id`, { id: document._id, data: JSON.stringify(document) });
    this.registerArrayPaths(collection, document);
  }

  private arrayPaths(collection: string): Set<string> {
    const rows = this.all<{ path: string }>('SELECT path FROM meta_array_paths WHERE collection = @collection', { collection });
    return new Set(rows.map((row) => row.path));
  }

  /** Records, in the write's transaction, every path at which the document holds an array. Never forgets one. */
  private registerArrayPaths(collection: string, document: JsonDocument): void {
    let added = false;
    for (const path of arrayPathsOf(document)) {
      const result = this.run('INSERT OR IGNORE INTO meta_array_paths (collection, path) VALUES (@collection, @path)', { collection, path });
      added ||= result.changes > 0;
    }
    if (!added) return;
    const count = this.all<{ n: number }>('SELECT count(*) AS n FROM meta_array_paths WHERE collection = @collection', { collection })[0]?.n ?? 0;
    if (count > MAX_ARRAY_PATHS) {
      this.run('INSERT OR IGNORE INTO meta_array_paths (collection, path) VALUES (@collection, @path)', { collection, path: ANY_PATH });
    }
  }

  private indexSpecs(collection: string): ParsedIndexSpec[] {
    const rows = this.all<{ name: string; spec: string }>('SELECT name, spec FROM meta_indexes WHERE collection = @collection', { collection });
    return rows.map((row) => ({ ...(JSON.parse(row.spec) as Omit<ParsedIndexSpec, 'name'>), name: row.name }));
  }

  private uniqueFields(collection: string): string[] {
    return this.indexSpecs(collection)
      .filter((spec) => spec.unique)
      .flatMap((spec) => spec.fields.map((field) => field.field));
  }

  private assertNoUniqueShapeViolation(collection: string, spec: ParsedIndexSpec): void {
    const conditions = spec.fields.flatMap((field) => {
      const segments = field.field.split('.');
      const arrays = segments.map((_, index) => `json_type(d.data, ${jsonPath(segments.slice(0, index + 1))}) = 'array'`);
      return [...arrays, `json_type(d.data, ${jsonPath(segments)}) = 'object'`];
    });
    const offending = this.all<{ id: string }>(`SELECT d.id AS id FROM ${table(collection)} AS d WHERE ${conditions.join(' OR ')} LIMIT 1`, {})[0];
    if (offending) {
      throw new InvalidDocumentError(`cannot create unique index '${spec.name}'`, [
        { path: offending.id, message: 'this document holds an array or an object at or along an indexed field' },
      ]);
    }
  }
}

function table(collection: string): string {
  if (!IDENTIFIER_PATTERN.test(collection)) throw new Error(`not a collection name: ${JSON.stringify(collection)}`);
  return `"docs_${collection}"`;
}

/** SQLite index names are database-wide; `$` cannot occur in identifiers, so the pair maps back unambiguously. */
function physicalIndex(collection: string, index: string): string {
  if (!IDENTIFIER_PATTERN.test(collection) || !IDENTIFIER_PATTERN.test(index)) throw new Error('not an identifier');
  return `"ix$${collection}$${index}"`;
}

function canonicalSpec(spec: ParsedIndexSpec): Omit<ParsedIndexSpec, 'name'> {
  return { fields: spec.fields.map((field) => ({ field: field.field, direction: field.direction })), unique: spec.unique };
}

function parseStored(data: string): JsonDocument {
  // Written by this adapter from a validated document.
  return JSON.parse(data) as JsonDocument;
}

function mapSqliteError(error: unknown, collection: string): unknown {
  if (!(error instanceof Database.SqliteError)) return error;
  if (error.code === 'SQLITE_CONSTRAINT_UNIQUE') {
    // Our unique indexes are expression indexes, which SQLite names: "UNIQUE constraint failed: index 'ix$c$name'".
    const physical = /index '([^']+)'/.exec(error.message)?.[1];
    const [, owner, index] = physical?.split('$') ?? [];
    return new DuplicateKeyError(owner || collection, index || physical || 'unknown', { cause: error });
  }
  if (error.code.startsWith('SQLITE_BUSY') || error.code.startsWith('SQLITE_LOCKED') || error.code.startsWith('SQLITE_IOERR') || error.code === 'SQLITE_FULL') {
    return new DocumentStoreUnavailableError(`the document store could not complete the operation (${error.code}): ${error.message}`, {
      cause: error,
    });
  }
  return error;
}
