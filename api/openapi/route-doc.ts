import { z } from 'zod';

/** A JSON Schema (draft 2020-12, which OpenAPI 3.1 uses for its schema objects). */
export type JsonSchema = { [key: string]: unknown };

/**
 * How a route is documented in the OpenAPI document. It lives in the route's `config.openapi`, NOT in its
 * `schema`: Fastify never sees these schemas, so it neither validates nor serializes with them (validation stays
 * with zod in the routes and the command pipeline, which gives the uniform `{code, message, details}` errors).
 * The docs plugin hands them to @fastify/swagger through its `transform` hook.
 */
export interface RouteDoc {
  summary: string;
  description?: string;
  tags: string[];
  params?: JsonSchema;
  querystring?: JsonSchema;
  headers?: JsonSchema;
  body?: JsonSchema;
  response: Record<string, JsonSchema>;
  /** `[]` for a public route; absent: the document's default (bearer API key). */
  security?: Array<Record<string, string[]>>;
}

/** zod -> JSON Schema, without the `$schema` marker (the document says which dialect it uses). */
export function jsonSchema(schema: z.ZodType, io: 'input' | 'output' = 'input'): JsonSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
  return rest;
}

function isSchema(value: unknown): value is JsonSchema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function propertiesOf(schema: JsonSchema): Record<string, JsonSchema> {
  const properties = schema.properties;
  if (!isSchema(properties)) throw new Error('expected an object schema with properties');
  return Object.fromEntries(Object.entries(properties).filter((entry): entry is [string, JsonSchema] => isSchema(entry[1])));
}

/**
 * The JSON Schema (as the client writes it: `io: 'input'`, so defaulted fields are optional) of the `data` of one
 * command of an aggregate's discriminated union.
 */
export function commandData(union: z.ZodType, type: string): JsonSchema {
  const root = jsonSchema(union);
  const branches = [root.oneOf, root.anyOf].find(Array.isArray) ?? [root];
  for (const branch of branches) {
    if (!isSchema(branch)) continue;
    const properties = propertiesOf(branch);
    if (properties.type?.const === type && properties.data) return properties.data;
  }
  throw new Error(`no command ${type} in the union`);
}

export interface BodyOptions {
  /** Fields that come from the path (the server sets them; a body that repeats them is refused). */
  fromPath?: readonly string[];
  /** Fields the server derives when the client leaves them out (ids of created things). */
  optional?: readonly string[];
  /** The body is this field of the command's data (e.g. the role definition of DefineRole). */
  field?: string;
  /** Better documentation for a field than its command schema gives (e.g. a field validated in `decide`). */
  override?: Record<string, JsonSchema>;
}

/** A request body's schema, derived from the command's data schema. */
export function commandBody(union: z.ZodType, type: string, options: BodyOptions = {}): JsonSchema {
  const data = commandData(union, type);
  const schema = options.field === undefined ? data : propertiesOf(data)[options.field];
  if (!schema) throw new Error(`command ${type} has no field ${options.field}`);
  const drop = new Set(options.fromPath ?? []);
  const optional = new Set(options.optional ?? []);
  const properties = Object.fromEntries(Object.entries({ ...propertiesOf(schema), ...options.override }).filter(([name]) => !drop.has(name)));
  const required = Array.isArray(schema.required)
    ? schema.required.filter((name): name is string => typeof name === 'string' && !drop.has(name) && !optional.has(name))
    : [];
  return { ...schema, type: 'object', properties, required };
}

/** Path parameters (or a query string) described by zod schemas. */
export function paramsDoc(shape: z.ZodRawShape): JsonSchema {
  return jsonSchema(z.object(shape));
}

export const errorBody = z
  .object({
    code: z.string().describe('stable machine-readable error code, e.g. VALIDATION_FAILED, POLICY_DENIED, ROLE_MAX_HOLDERS'),
    message: z.string().describe('human-readable explanation'),
    details: z
      .record(z.string(), z.unknown())
      .describe(
        "machine-readable context: `issues` [{path, message}] for VALIDATION_FAILED; decisionId, action, outcome, reasons, determiningRuleIds, escalateTo, policy for POLICY_DENIED (with `explain=full` on a command, also every rule's evaluations and condition errors, where the caller may read the policy)",
      ),
  })
  .strict();

const errorDescriptions: Record<number, string> = {
  400: 'Invalid request (VALIDATION_FAILED with field paths, INVALID_JSON, JSON_TOO_DEEP, INVALID_HEADER, POLICY_INVALID with positions)',
  401: 'No API key (UNAUTHENTICATED), an Authorization header that is not "Bearer <key>" (MALFORMED_AUTHORIZATION), or a key that is not known: revoked, rotated or mistyped (UNKNOWN_API_KEY)',
  403: 'Denied by policy (POLICY_DENIED, with the explanation), by an invariant (SELF_GRANT, SELF_VERIFICATION, ...), or the subject is suspended (SUBJECT_SUSPENDED)',
  404: 'Not found (ORG_NOT_FOUND, SUBJECT_NOT_FOUND, ...)',
  409: 'The current state refuses it (ILLEGAL_TRANSITION, ROLE_MAX_HOLDERS, ROLE_CONFLICT, ...)',
  412: 'If-Match does not match the stream revision (REVISION_MISMATCH)',
  413: 'Body over 1 MiB (PAYLOAD_TOO_LARGE, with details.maxBytes)',
  415: 'Body is not sent as JSON: Content-Type other than application/json, or a charset other than UTF-8 (UNSUPPORTED_MEDIA_TYPE, with the type received)',
  422: 'Refers to something that makes it impossible (ROLE_NOT_FOUND, MISSING_CAPABILITY, IDEMPOTENCY_KEY_REUSED, ...)',
  429: 'Too many requests for this principal in the window (RATE_LIMITED), or too many open streams (TOO_MANY_STREAMS); see Retry-After',
  503: 'A dependency is unavailable, a read model has not caught up (READ_MODEL_BEHIND), or the server is shutting down; see Retry-After',
};

export const errorSchema = jsonSchema(errorBody, 'output');

/** The uniform error shape, for each status a route may answer with. */
export function errors(...statuses: number[]): Record<string, JsonSchema> {
  return Object.fromEntries(statuses.map((status) => [String(status), { ...errorSchema, description: errorDescriptions[status] ?? 'Error' }]));
}

export const commandErrors = errors(400, 401, 403, 404, 409, 412, 413, 415, 422, 429, 503);
export const readErrors = errors(400, 401, 403, 404, 429, 503);

const commandReplyShape = {
  commandId: z.string().describe('the Idempotency-Key (scoped to the principal) or a new id'),
  streamId: z.string(),
  streamRevision: z.int().describe('the stream revision after the command; also the ETag'),
  position: z.string().nullable().describe('global position of the last event (opaque, for read-your-writes); null when nothing was appended'),
  replayed: z.boolean().describe('true when this repeats the answer to an earlier request with the same Idempotency-Key'),
  decision: z
    .object({
      decisionId: z.string(),
      action: z.string().describe('what was decided, e.g. roster.role.grant'),
      outcome: z.enum(['permitted', 'forbidden', 'not-permitted']),
      determiningRuleIds: z.array(z.string()).describe('the rules that decided it'),
      reason: z.string().describe("the determining rules' reasons, in one line"),
      reasons: z.array(z.string()).optional().describe('`explain=full`: every reason'),
      escalateTo: z.string().nullable().optional().describe('`explain=full`'),
      policy: z.object({ source: z.string().nullable(), version: z.int().nullable() }).optional().describe('`explain=full`: the policy that decided'),
    })
    .nullable()
    .describe("the command's own policy decision in brief; null when none was recorded with it"),
  events: z
    .array(
      z.object({ eventId: z.uuid(), type: z.string(), revision: z.int(), data: z.record(z.string(), z.unknown()).optional().describe('`explain=full` only') }),
    )
    .describe('the events appended (or, replayed, appended before); their data with `explain=full`'),
};

/** A command's answer, plus the ids of what it created. */
export function commandReply(description: string, extra: z.ZodRawShape = {}): JsonSchema {
  return { ...jsonSchema(z.object({ ...extra, ...commandReplyShape }), 'output'), description };
}

/** A read's answer. */
export function readReply(description: string, schema: z.ZodType): JsonSchema {
  return { ...jsonSchema(schema, 'output'), description };
}

/** The optional headers of every command. */
export const commandHeaders = paramsDoc({
  'idempotency-key': z
    .string()
    .regex(/^[A-Za-z0-9._:-]{8,200}$/)
    .optional()
    .describe('command id chosen by the client: a retry with the same key answers the same and changes nothing'),
  'if-match': z.string().optional().describe('expected stream revision, e.g. "3" (the ETag): 412 when it moved on'),
  'x-correlation-id': z
    .string()
    .regex(/^[A-Za-z0-9._:-]{8,200}$/)
    .optional(),
});
