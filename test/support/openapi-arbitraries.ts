import fc from 'fast-check';

/** A JSON Schema node as @fastify/swagger writes the API's (generated from the zod schemas). */
export type JsonSchema = { [key: string]: unknown };

/**
 * Strings a careless store or parser chokes on: lone surrogates, U+0000, huge, control and bidi characters,
 * operator-looking text, path tricks. Mixed into every free-text field the generators fill.
 */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '\ud800',
    '\udfff',
    'a\ud800b',
    '\udc00\ud800',
    'nul\u0000byte',
    '\u0000',
    '😀👩🏽‍💻',
    'Zoë Ångström 名前 שלום',
    '\u202eevil\u202c',
    '\u200b\ufeff',
    '$where',
    '__proto__',
    'constructor',
    '../../etc/passwd',
    '%00',
    ' ',
    '',
    'x'.repeat(70_000),
    '\ud83d'.repeat(3),
  ),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
);

/** Free JSON with hostile strings and keys, a few levels deep. */
export const hostileJson: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    hostileString,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(hostileString, tie('value'), { maxKeys: 4 }),
  ),
})).value;

export interface SchemaContext {
  /** Root of the schema being generated, for `$ref: '#/$defs/...'`. */
  root: JsonSchema;
  /** Existing ids by property/parameter name (orgId, subjectId, ...), so some requests reach real resources. */
  ids: Record<string, readonly string[]>;
  /** Instant to generate date-times around (never the real calendar: the caller passes its clock's now). */
  now: number;
  /** Mix hostile strings and out-of-range numbers into every field (else: values the schema allows). */
  hostile?: boolean;
}

function isSchema(value: unknown): value is JsonSchema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function resolve(schema: JsonSchema, context: SchemaContext): JsonSchema {
  const ref = schema.$ref;
  if (typeof ref !== 'string') return schema;
  const name = ref.split('/').pop() ?? '';
  const defs = (context.root.$defs ?? {}) as Record<string, JsonSchema>;
  return defs[name] ?? {};
}

function stringFor(schema: JsonSchema, name: string | undefined, context: SchemaContext): fc.Arbitrary<string> {
  const minLength = typeof schema.minLength === 'number' ? schema.minLength : 0;
  const maxLength = typeof schema.maxLength === 'number' ? Math.min(schema.maxLength, 200) : 60;
  const known = name === undefined ? undefined : context.ids[name];
  const options: fc.Arbitrary<string>[] = [];
  if (known && known.length > 0) options.push(fc.constantFrom(...known));
  if (schema.format === 'uuid') options.push(fc.uuid());
  else if (schema.format === 'date-time') {
    options.push(fc.integer({ min: -400, max: 400 }).map((days) => new Date(context.now + days * 86_400_000).toISOString()));
  } else if (typeof schema.pattern === 'string') {
    try {
      options.push(fc.stringMatching(new RegExp(schema.pattern)).filter((value) => value.length <= Math.max(maxLength, minLength)));
    } catch {
      // A pattern JavaScript cannot compile: free text only.
    }
  }
  if (options.length === 0) options.push(fc.string({ unit: 'grapheme', minLength, maxLength }));
  if (!context.hostile) return fc.oneof(...options);
  return fc.oneof({ arbitrary: fc.oneof(...options), weight: 3 }, { arbitrary: hostileString, weight: 1 });
}

function numberFor(schema: JsonSchema, integer: boolean, hostile: boolean): fc.Arbitrary<number> {
  const min =
    typeof schema.minimum === 'number' ? schema.minimum : typeof schema.exclusiveMinimum === 'number' ? schema.exclusiveMinimum + (integer ? 1 : 1e-6) : -1_000;
  const max = typeof schema.maximum === 'number' ? schema.maximum : 1_000_000;
  const valid = integer
    ? fc.integer({ min: Math.max(Math.ceil(min), Number.MIN_SAFE_INTEGER), max: Math.min(Math.floor(max), Number.MAX_SAFE_INTEGER) })
    : fc.double({ min, max, noNaN: true, noDefaultInfinity: true });
  if (!hostile) return valid;
  return fc.oneof({ arbitrary: valid, weight: 4 }, { arbitrary: fc.constantFrom(-1, 0, 2 ** 53, -(2 ** 60), 1.5, 1e308), weight: 1 });
}

/**
 * Values that are mostly valid for `schema` (enums from the enum, patterns matched, bounds kept, required fields
 * present, known ids where the field names one), with hostile strings and JSON mixed in: a request built from these
 * reaches the command's decision often enough to be applied, and carries what a careless store cannot hold.
 */
export function valueFor(schema: unknown, context: SchemaContext, name?: string, depth = 0): fc.Arbitrary<unknown> {
  if (!isSchema(schema) || depth > 6) return hostileJson;
  const node = resolve(schema, context);
  if ('const' in node) return fc.constant(node.const);
  if (Array.isArray(node.enum)) return fc.constantFrom(...(node.enum as unknown[]));
  const alternatives = (node.anyOf ?? node.oneOf) as unknown[] | undefined;
  if (Array.isArray(alternatives)) return fc.oneof(...alternatives.map((alternative) => valueFor(alternative, context, name, depth + 1)));
  const type = node.type;
  if (Array.isArray(type)) return fc.oneof(...type.map((each) => valueFor({ ...node, type: each }, context, name, depth + 1)));
  switch (type) {
    case 'string':
      return stringFor(node, name, context);
    case 'integer':
      return numberFor(node, true, context.hostile === true);
    case 'number':
      return numberFor(node, false, context.hostile === true);
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array': {
      if (Array.isArray(node.prefixItems)) return fc.tuple(...node.prefixItems.map((item) => valueFor(item, context, name, depth + 1)));
      const minLength = typeof node.minItems === 'number' ? node.minItems : 0;
      const maxLength = Math.max(minLength, Math.min(typeof node.maxItems === 'number' ? node.maxItems : 4, 4));
      return fc.array(valueFor(node.items, context, name, depth + 1), { minLength, maxLength });
    }
    case 'object': {
      const properties = isSchema(node.properties) ? node.properties : {};
      const required = Array.isArray(node.required) ? (node.required as string[]) : [];
      const record = fc.record(Object.fromEntries(Object.entries(properties).map(([key, value]) => [key, valueFor(value, context, key, depth + 1)])), {
        requiredKeys: required.filter((key) => key in properties),
      });
      if (!isSchema(node.additionalProperties)) return record;
      const keys = isSchema(node.propertyNames)
        ? (valueFor({ type: 'string', ...node.propertyNames }, context, undefined, depth + 1) as fc.Arbitrary<string>)
        : hostileString;
      const extra = fc.dictionary(keys, valueFor(node.additionalProperties, context, undefined, depth + 1), { maxKeys: 3 });
      return fc.tuple(record, extra).map(([fixed, more]) => ({ ...more, ...fixed }));
    }
    default:
      // No type: free JSON (a task's input, a deliverable, policy rules given as unknown).
      return hostileJson;
  }
}

/** Every path to a string inside a JSON value. */
function stringPaths(value: unknown, path: readonly (string | number)[] = []): Array<readonly (string | number)[]> {
  if (typeof value === 'string') return [path];
  if (Array.isArray(value)) return value.flatMap((item, index) => stringPaths(item, [...path, index]));
  if (typeof value === 'object' && value !== null) return Object.entries(value).flatMap(([key, item]) => stringPaths(item, [...path, key]));
  return [];
}

function replaceAt(value: unknown, path: readonly (string | number)[], replacement: unknown): unknown {
  if (path.length === 0) return replacement;
  const [head, ...rest] = path;
  if (Array.isArray(value)) return value.map((item, index) => (index === head ? replaceAt(item, rest, replacement) : item));
  const record = value as Record<string, unknown>;
  return { ...record, [head as string]: replaceAt(record[head as string], rest, replacement) };
}

/** A valid value with one of its strings (anywhere inside it) replaced by a hostile one; the value as is if it has none. */
export function oneHostileString(valid: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  return valid.chain((value) => {
    const paths = stringPaths(value);
    if (paths.length === 0) return fc.constant(value);
    return fc.tuple(fc.constantFrom(...paths), hostileString).map(([path, replacement]) => replaceAt(value, path, replacement));
  });
}

/** A valid-ish value, or one broken on purpose: a string made hostile, a field replaced, an unknown field, other JSON. */
export function malformed(valid: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  return fc.oneof(
    oneHostileString(valid),
    valid.chain((value) =>
      typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length > 0
        ? fc.tuple(fc.constantFrom(...Object.keys(value)), hostileJson).map(([key, replacement]) => ({ ...value, [key]: replacement }))
        : fc.constant(value),
    ),
    valid.chain((value) => hostileString.map((key) => (typeof value === 'object' && value !== null && !Array.isArray(value) ? { ...value, [key]: 1 } : value))),
    hostileJson,
  );
}
