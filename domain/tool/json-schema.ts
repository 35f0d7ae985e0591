import { Validator, type OutputUnit, type Schema } from '@cfworker/json-schema';
import { LRUCache } from 'lru-cache';
import { canonicalHash } from '../shared/canonical-json.ts';
import type { JsonObject, JsonValue } from '../shared/json-value.ts';
import { TOOL_META_SCHEMA } from './meta-schema.ts';

/**
 * Tool schemas (JSON Schema draft 2020-12) checked and applied by an interpreter (@cfworker/json-schema): a caller's
 * schema is data walked per value, never compiled to code, so registering a tool cannot run anything in the server.
 */

/** One problem, at a path inside the schema (checking a schema) or inside the value (validating a value). */
export interface SchemaIssue {
  path: string[];
  message: string;
}

/** At most this many problems are reported; the first ones say what to fix. */
export const MAX_SCHEMA_ISSUES = 20;
/** A `pattern` longer than this is refused: patterns run on every call's input, so they are kept small. */
export const MAX_SCHEMA_PATTERN_CHARS = 512;

const DRAFT = '2020-12';
const metaValidator = new Validator(TOOL_META_SCHEMA as unknown as Schema, DRAFT, false);

/** `#/properties/a` as `['properties', 'a']`, with JSON Pointer escapes undone. */
function pathOf(location: string): string[] {
  const pointer = location.startsWith('#') ? location.slice(1) : location;
  if (pointer === '' || pointer === '/') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((segment) => decodeURIComponent(segment).replaceAll('~1', '/').replaceAll('~0', '~'));
}

/**
 * The interpreter reports a failing subschema and then, under it, why: only the innermost reports say something a
 * caller can act on, so the reports that others sit under are left out.
 */
function issuesOf(errors: readonly OutputUnit[]): SchemaIssue[] {
  const leaves = errors.filter((error) => !errors.some((other) => other.keywordLocation.startsWith(`${error.keywordLocation}/`)));
  return leaves.slice(0, MAX_SCHEMA_ISSUES).map((error) => ({
    path: pathOf(error.instanceLocation),
    message: error.keyword === 'false' ? 'not allowed here' : error.error,
  }));
}

/** Every subschema position of a (meta-valid) schema, with its path, for the checks the meta-schema cannot make. */
function* subschemas(node: JsonValue, path: string[]): Generator<{ node: JsonObject; path: string[] }> {
  if (typeof node !== 'object' || node === null || Array.isArray(node)) return;
  yield { node, path };
  for (const [key, value] of Object.entries(node)) {
    if (['properties', 'patternProperties', '$defs', 'dependentSchemas'].includes(key) && isObject(value)) {
      for (const [name, child] of Object.entries(value)) yield* subschemas(child, [...path, key, name]);
    } else if (['allOf', 'anyOf', 'oneOf', 'prefixItems'].includes(key) && Array.isArray(value)) {
      for (const [index, child] of value.entries()) yield* subschemas(child, [...path, key, String(index)]);
    } else if (SINGLE_SUBSCHEMA_KEYWORDS.has(key)) {
      yield* subschemas(value, [...path, key]);
    }
  }
}

const SINGLE_SUBSCHEMA_KEYWORDS = new Set([
  'not',
  'if',
  'then',
  'else',
  'items',
  'contains',
  'additionalProperties',
  'propertyNames',
  'unevaluatedItems',
  'unevaluatedProperties',
]);

const isObject = (value: JsonValue | undefined): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Why `pattern` cannot be used, or null. */
function patternProblem(pattern: string): string | null {
  if (pattern.length > MAX_SCHEMA_PATTERN_CHARS) return `a pattern of more than ${MAX_SCHEMA_PATTERN_CHARS} characters`;
  try {
    new RegExp(pattern, 'u');
    return null;
  } catch (error) {
    return `not a regular expression: ${(error as Error).message}`;
  }
}

/** The node a local reference (`#`, `#/$defs/x`, `#anchor`) names in `root`, or undefined. */
function resolveLocal(root: JsonObject, ref: string, anchors: ReadonlySet<string>): JsonValue | undefined {
  if (ref === '#') return root;
  if (!ref.startsWith('#/')) return anchors.has(ref.slice(1)) ? root : undefined;
  let node: JsonValue | undefined = root;
  for (const segment of pathOf(ref)) {
    if (Array.isArray(node)) node = /^\d+$/.test(segment) ? node[Number(segment)] : undefined;
    else if (isObject(node)) node = Object.hasOwn(node, segment) ? node[segment] : undefined;
    else return undefined;
  }
  return node;
}

/**
 * The problems that make `schema` unusable as a tool's input or output schema (draft 2020-12), or none: a keyword of
 * the wrong type, a pattern that does not compile (or is too long), a `$ref` that leaves the document (the platform
 * fetches no schema: a tool's schema is whole) or names nothing in it, an `$id` (which would move references off it).
 */
export function schemaIssues(schema: JsonObject): SchemaIssue[] {
  const result = metaValidator.validate(schema);
  if (!result.valid) return issuesOf(result.errors);
  const issues: SchemaIssue[] = [];
  const all = [...subschemas(schema, [])];
  const anchors = new Set(all.flatMap(({ node }) => (typeof node.$anchor === 'string' ? [node.$anchor] : [])));
  for (const { node, path } of all) {
    if (node.$id !== undefined) issues.push({ path: [...path, '$id'], message: "not supported: a tool's schema is one document, identified by the tool" });
    for (const keyword of ['$ref', '$dynamicRef'] as const) {
      const ref = node[keyword];
      if (typeof ref !== 'string') continue;
      if (!ref.startsWith('#')) issues.push({ path: [...path, keyword], message: 'only references within the schema (starting with #) are allowed' });
      else if (resolveLocal(schema, ref, anchors) === undefined) issues.push({ path: [...path, keyword], message: `${ref} names nothing in the schema` });
    }
    if (typeof node.pattern === 'string') {
      const problem = patternProblem(node.pattern);
      if (problem !== null) issues.push({ path: [...path, 'pattern'], message: problem });
    }
    if (isObject(node.patternProperties)) {
      for (const key of Object.keys(node.patternProperties)) {
        const problem = patternProblem(key);
        if (problem !== null) issues.push({ path: [...path, 'patternProperties', key], message: problem });
      }
    }
  }
  return issues.slice(0, MAX_SCHEMA_ISSUES);
}

/** Interpreters of the schemas values are validated against, by the schema's hash: tools are called far more often than registered. */
const validators = new LRUCache<string, Validator>({ max: 500 });

/**
 * The problems of `value` against `schema` (a schema `schemaIssues` accepted), each at its path in the value; none
 * when it conforms.
 */
export function valueIssues(schema: JsonObject, value: JsonValue): SchemaIssue[] {
  const key = canonicalHash(schema);
  let validator = validators.get(key);
  if (validator === undefined) {
    validator = new Validator(schema as Schema, DRAFT, false);
    validators.set(key, validator);
  }
  const result = validator.validate(value);
  return result.valid ? [] : issuesOf(result.errors);
}
