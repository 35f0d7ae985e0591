import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { DocumentStoreUnavailableError, DuplicateKeyError, IndexConflictError, InvalidDocumentError } from './errors.ts';
import type { DocumentStore, Filter, FindOptions, IndexSpec, JsonDocument, Page, UpdateOps } from './port.ts';
import {
  IDENTIFIER_PATTERN,
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
  type ParsedIndexSpec,
} from './validation.ts';
import { ANY_PATH, arrayPathsOf } from './array-paths.ts';
import { keyTerms, jsonPath, SqlCompiler, type Params } from './sql-compiler.ts';
import { applyUpdate, assertUniqueShapes, assertUpdateShapes, buildPage } from './semantics.ts';

export interface SqliteDocumentStoreOptions {
  /** The database file (created with its directory), or ':memory:' for tests. */
  path: string;
  /** Read models are rebuilt from the log, so NORMAL (survives a process crash, not an OS crash) is the default. */
  synchronous?: 'FULL' | 'NORMAL';
  /** How long a write waits for another process's write lock. */
  busyTimeoutMs?: number;
}

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
const STATEMENT_CACHE_SIZE = 500;

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
