/*
 * The shape a tool's JSON Schema (draft 2020-12) must have, itself as a JSON Schema, so that one interpreter checks
 * both a schema and the values it describes. It holds each keyword of the core, applicator and validation
 * vocabularies to the type the specification gives it; keywords it does not know are left alone, as the
 * specification leaves unknown keywords. What a schema cannot say about itself (a pattern that does not compile, a
 * `$ref` that points nowhere or off the document) is checked in code by json-schema.ts.
 */

const schemaRef = { $ref: '#/$defs/schema' };
const nonNegativeInteger = { type: 'integer', minimum: 0 };
const schemaArray = { type: 'array', minItems: 1, items: schemaRef };
const schemaMap = { type: 'object', additionalProperties: schemaRef };
const simpleTypes = { enum: ['array', 'boolean', 'integer', 'null', 'number', 'object', 'string'] };
const uniqueStrings = { type: 'array', items: { type: 'string' }, uniqueItems: true };

export const TOOL_META_SCHEMA = {
  $ref: '#/$defs/schema',
  $defs: {
    schema: {
      type: ['object', 'boolean'],
      properties: {
        $schema: { const: 'https://json-schema.org/draft/2020-12/schema' },
        $id: { type: 'string' },
        $ref: { type: 'string' },
        $anchor: { type: 'string', pattern: '^[A-Za-z_][-A-Za-z0-9._]*$' },
        $dynamicRef: { type: 'string' },
        $dynamicAnchor: { type: 'string', pattern: '^[A-Za-z_][-A-Za-z0-9._]*$' },
        $defs: schemaMap,
        $comment: { type: 'string' },
        allOf: schemaArray,
        anyOf: schemaArray,
        oneOf: schemaArray,
        not: schemaRef,
        if: schemaRef,
        // The keyword is `then`, whatever a thenable looks like: this object is data, never awaited.
        // biome-ignore lint/suspicious/noThenProperty: a JSON Schema keyword
        then: schemaRef,
        else: schemaRef,
        dependentSchemas: schemaMap,
        prefixItems: schemaArray,
        items: schemaRef,
        contains: schemaRef,
        properties: schemaMap,
        patternProperties: schemaMap,
        additionalProperties: schemaRef,
        propertyNames: schemaRef,
        unevaluatedItems: schemaRef,
        unevaluatedProperties: schemaRef,
        type: { anyOf: [simpleTypes, { type: 'array', items: simpleTypes, minItems: 1, uniqueItems: true }] },
        enum: { type: 'array' },
        multipleOf: { type: 'number', exclusiveMinimum: 0 },
        maximum: { type: 'number' },
        exclusiveMaximum: { type: 'number' },
        minimum: { type: 'number' },
        exclusiveMinimum: { type: 'number' },
        maxLength: nonNegativeInteger,
        minLength: nonNegativeInteger,
        pattern: { type: 'string' },
        maxItems: nonNegativeInteger,
        minItems: nonNegativeInteger,
        uniqueItems: { type: 'boolean' },
        maxContains: nonNegativeInteger,
        minContains: nonNegativeInteger,
        maxProperties: nonNegativeInteger,
        minProperties: nonNegativeInteger,
        required: uniqueStrings,
        dependentRequired: { type: 'object', additionalProperties: uniqueStrings },
        format: { type: 'string' },
        title: { type: 'string' },
        description: { type: 'string' },
        deprecated: { type: 'boolean' },
        readOnly: { type: 'boolean' },
        writeOnly: { type: 'boolean' },
        examples: { type: 'array' },
      },
    },
  },
} as const;
