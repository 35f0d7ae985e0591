import { z } from 'zod';

/**
 * The answers routes declare in `schema.response`, as zod schemas: the uniform error body for each status, a
 * command's answer, a read's. The OpenAPI document is generated from them (api/openapi/docs.ts).
 */

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

/** The uniform error body as JSON Schema: the document's `Error` component (api/openapi/docs.ts). */
export function errorJsonSchema(): Record<string, unknown> {
  const { $schema: _dialect, ...schema } = z.toJSONSchema(errorBody, { io: 'output' });
  return schema;
}

/** The uniform error shape, for each status a route may answer with. */
export function errors(...statuses: number[]): Record<string, z.ZodType> {
  return Object.fromEntries(statuses.map((status) => [String(status), errorBody.describe(errorDescriptions[status] ?? 'Error')]));
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
export function commandReply(description: string, extra: z.ZodRawShape = {}) {
  return z.object({ ...extra, ...commandReplyShape }).describe(description);
}

/**
 * The answers of a route of Server-Sent Events: the stream (each `data:` line one JSON value of `payload`), or the
 * uniform errors it is refused with before it starts.
 */
export function eventStreamResponses(description: string, payload: z.ZodType): Record<string, unknown> {
  return {
    '200': { description, content: { 'text/event-stream': { schema: payload.describe('the JSON of each `data:` line') } } },
    ...errors(400, 401, 403, 429, 503),
  };
}

/** A read's answer. */
export function readReply<T extends z.ZodType>(description: string, schema: T): T {
  return schema.describe(description);
}

/** A principal as answers name it (who granted, submitted, parked...). */
export const principalReply = z.object({ id: z.string(), kind: z.string() });
