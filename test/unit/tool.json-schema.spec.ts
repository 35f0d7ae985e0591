import { describe, expect, it } from 'vitest';
import { MAX_SCHEMA_PATTERN_CHARS, schemaIssues, valueIssues } from '../../domain/tool/json-schema.ts';

describe("a tool's JSON Schema, checked on registration", () => {
  it('accepts a draft 2020-12 schema with local references, anchors and patterns', () => {
    const schema = {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'object',
      required: ['query'],
      properties: { query: { type: 'string', pattern: '^[a-z ]+$' }, page: { $ref: '#/$defs/page' }, sort: { $ref: '#order' } },
      $defs: { page: { type: 'integer', minimum: 1 }, order: { $anchor: 'order', enum: ['asc', 'desc'] } },
      additionalProperties: false,
    };
    expect(schemaIssues(schema)).toEqual([]);
  });

  it('names the path of each keyword of the wrong shape', () => {
    const issues = schemaIssues({ type: 'object', properties: { a: { type: 'strin' }, b: { minLength: -1 } }, required: 'a' });
    expect(issues.map((issue) => issue.path.join('.'))).toEqual(expect.arrayContaining(['properties.a.type', 'properties.b.minLength', 'required']));
  });

  it('refuses a $ref off the document or to nothing in it, and an $id', () => {
    expect(schemaIssues({ $ref: 'https://example.com/schema.json' })).toEqual([{ path: ['$ref'], message: expect.stringContaining('within the schema') }]);
    expect(schemaIssues({ properties: { a: { $ref: '#/$defs/missing' } } })).toEqual([
      { path: ['properties', 'a', '$ref'], message: expect.stringContaining('names nothing') },
    ]);
    expect(schemaIssues({ $id: 'https://example.com/x', type: 'object' })).toEqual([{ path: ['$id'], message: expect.stringContaining('not supported') }]);
  });

  it('refuses a pattern that does not compile or is too long, in properties and pattern keys alike', () => {
    expect(schemaIssues({ properties: { a: { type: 'string', pattern: '([a-z' } } })[0]?.path).toEqual(['properties', 'a', 'pattern']);
    expect(schemaIssues({ patternProperties: { '(': {} } })[0]?.path).toEqual(['patternProperties', '(']);
    expect(schemaIssues({ pattern: 'a'.repeat(MAX_SCHEMA_PATTERN_CHARS + 1) })[0]?.message).toContain('more than');
  });

  it('refuses a $schema of another draft', () => {
    expect(schemaIssues({ $schema: 'http://json-schema.org/draft-07/schema#' })[0]?.path).toEqual(['$schema']);
  });
});

describe('a value validated against a tool schema', () => {
  const schema = {
    type: 'object',
    required: ['q'],
    properties: { q: { type: 'string', maxLength: 3 }, n: { type: 'integer' } },
    additionalProperties: false,
  };

  it('conforms: no issues', () => {
    expect(valueIssues(schema, { q: 'abc', n: 2 })).toEqual([]);
  });

  it('names each violation by its path in the value', () => {
    const issues = valueIssues(schema, { q: 'abcdef', n: 1.5, extra: true });
    expect(issues.map((issue) => issue.path.join('.'))).toEqual(expect.arrayContaining(['q', 'n', 'extra']));
    expect(issues.find((issue) => issue.path[0] === 'q')?.message).toContain('too long');
  });

  it('a missing required property is an issue at the object', () => {
    expect(valueIssues(schema, {})).toEqual([{ path: [], message: expect.stringContaining('q') }]);
  });
});
