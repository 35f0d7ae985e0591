import { ANY_PATH } from './array-paths.ts';
import { prefixUpperBound, sortRank } from './semantics.ts';
import { IDENTIFIER_PATTERN, LIMITS, type CursorPosition, type NormalizedSort } from './validation.ts';
import type { FieldPredicate, Filter, JsonScalar, SortDirection } from './port.ts';

/**
 * The filter AST, cursors and orders compiled to SQL for the embedded store. Values are only ever bound parameters;
 * the only text spliced into SQL are JSON paths built from validated identifiers (asserted again here) and constants
 * of this module.
 */

export type SqlValue = string | number;
export type Params = Record<string, SqlValue>;

export function jsonPath(segments: readonly string[]): string {
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
export function keyTerms(field: string, qualifier: '' | 'd.'): string[] {
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
