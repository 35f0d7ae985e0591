import { describe, expect, it } from 'vitest';
import type { Filter } from '../../infra/documents/port.ts';
import { arrayPathsOf } from '../../infra/documents/array-paths.ts';
import { SqlCompiler } from '../../infra/documents/sql-compiler.ts';
import { generatedFilter } from '../contract/documents.cases.ts';
import { seededRandom } from '../../bench/seeded-random.ts';

const compile = (filter: Filter, arrayPaths: string[] = []) => {
  const compiler = new SqlCompiler(new Set(arrayPaths));
  return { sql: compiler.filter(filter), params: compiler.params };
};

describe('SQLite filter compilation', () => {
  it('binds every value: hostile strings never reach the SQL text', () => {
    const hostile = ["' OR 1=1 --", '") OR 1=1; DROP TABLE docs_x; --', '{"$gt": ""}', '\\', '%_', 'é😀'];
    for (const value of hostile) {
      for (const arrays of [[], ['name']]) {
        for (const op of ['eq', 'ne', 'gt', 'lte', 'prefix', 'contains'] as const) {
          const { sql, params } = compile({ field: 'name', op, value }, arrays);
          expect(sql).not.toContain(value);
          // (Without arrays at `name`, `contains` is false without looking at the value.)
          if (op !== 'contains' || arrays.length > 0) expect(Object.values(params)).toContain(value);
        }
        const { sql, params } = compile({ field: 'name', op: 'in', value: [value, 1, true, null] }, arrays);
        expect(sql).not.toContain(value);
        expect(Object.values(params)).toContain(value);
      }
    }
  });

  it('splices in only JSON paths of identifiers and its own constants', () => {
    const random = seededRandom(9);
    for (let n = 0; n < 500; n += 1) {
      const { sql } = compile(generatedFilter(random), random() < 0.5 ? [] : ['a', 'b.x']);
      const literals = sql.match(/'[^']*'/g) ?? [];
      for (const literal of literals) {
        expect(literal).toMatch(/^'(\$(\.[A-Za-z_][A-Za-z0-9_]*)+|integer|real|text|object|array|true|false|null)'$/);
      }
    }
  });

  it('compiles a path no document holds arrays on to index-friendly json_extract terms', () => {
    const { sql, params } = compile({ field: 'org.slug', op: 'eq', value: 'acme' }, ['tags']);
    expect(sql).toContain("ifnull(json_extract(d.data, '$.org.slug'), 0) = @p0");
    expect(sql).not.toContain('json_each');
    expect(params).toEqual({ p0: 'acme' });
    expect(compile({ field: 'org.slug', op: 'contains', value: 'x' }).sql).toBe('(0)');
    expect(compile({ field: '_id', op: 'eq', value: 'x' }).sql).toBe('(2 = 2 AND d.id = @p0)');
  });

  it('uses json_each once any prefix of the path holds arrays somewhere', () => {
    for (const arrays of [['org'], ['org.slug'], ['*']]) {
      expect(compile({ field: 'org.slug', op: 'eq', value: 'acme' }, arrays).sql).toContain('json_each');
    }
    expect(compile({ field: 'org.slug', op: 'eq', value: 'acme' }, ['org.slug.deeper', 'organization']).sql).not.toContain('json_each');
  });

  it('refuses to compile a path that is not made of identifiers, even if validation was bypassed', () => {
    const compiler = new SqlCompiler(new Set());
    expect(() => compiler.filter({ field: "a') OR 1=1 --", op: 'eq', value: 1 })).toThrow(/not an identifier/);
    expect(() => compiler.filter({ field: 'a.$where', op: 'exists', value: true })).toThrow(/not an identifier/);
  });
});

describe('array path registry', () => {
  it('records every addressable path at which a document holds an array', () => {
    expect(
      [...arrayPathsOf({ _id: 'x', tags: ['a'], roles: [{ holders: [{ id: 1 }], name: 'r' }], plain: { n: 1 }, 'not-an-id': [1], m: [[{ deep: [] }]] })].sort(),
    ).toEqual(['m', 'm.deep', 'roles', 'roles.holders', 'tags']);
    expect([...arrayPathsOf({ _id: 'x', a: { b: { c: 1 } } })]).toEqual([]);
  });
});
