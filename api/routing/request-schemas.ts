import type { FastifyInstance, FastifySchemaCompiler, FastifyTypeProvider } from 'fastify';
import { z } from 'zod';
import { appError, type AppError } from '../../domain/shared/app-error.ts';
import { fieldIssue, issuesSummary } from '../../domain/shared/field-issues.ts';
import { sendError } from '../command-reply.ts';
import { ThrownAppError } from '../thrown-app-error.ts';

/** A zod failure as the uniform VALIDATION_FAILED error, with the client's field paths. */
export function invalid(error: z.ZodError, message = 'the request is invalid'): AppError {
  const issues = error.issues.map((issue) => fieldIssue(issue));
  return appError('invalid', 'VALIDATION_FAILED', issuesSummary(message, issues), { issues });
}

/**
 * Schemas that document a request part checked where it is read: a command's parts (its data less what the path
 * gives, its headers, `explain`) by the envelope and the pipeline with the command's own schema, as a command from the
 * bus is, so a command's refusal is the same whatever carries it; the event stream's filters by
 * api/streaming/query.ts. The route's validator passes them through untouched.
 */
const checkedElsewhere = new WeakSet<z.ZodType>();

export function checkedWhereRead<T extends z.ZodType>(schema: T): T {
  // A copy is marked, so the same schema used elsewhere (a body validated as a route's own) is not.
  const part = schema.clone();
  checkedElsewhere.add(part);
  return part;
}

const whatIsInvalid: Readonly<Record<string, string>> = { params: 'invalid path parameters', querystring: 'invalid query string' };

function thrown(error: AppError): ThrownAppError {
  return new ThrownAppError(error.kind, error.code, error.message, error.details);
}

/**
 * Validates a request part with its route's zod schema: the parsed value (defaults applied, strings coerced where the
 * schema says) replaces the raw one, and a failure is 400 VALIDATION_FAILED with the field paths. A body must first be
 * a JSON object (bodyObjectError). Fastify hands an absent body over as null, validated as `{}`; a body that says
 * `null` is refused before validation (useZodSchemas), the one case this cannot tell apart.
 */
const validateRequestPart: FastifySchemaCompiler<z.ZodType> = ({ schema, httpPart }) => {
  if (checkedElsewhere.has(schema)) return () => true;
  const what = whatIsInvalid[httpPart ?? ''] ?? 'the request is invalid';
  return (data) => {
    const notAnObject = httpPart === 'body' && data !== null ? bodyObjectError(data) : undefined;
    if (notAnObject) return { error: thrown(notAnObject) };
    const parsed = schema.safeParse(data ?? {});
    return parsed.success ? { value: parsed.data } : { error: thrown(invalid(parsed.error, what)) };
  };
};

/**
 * A body, when one is sent, is a JSON object: `null`, `[]` or `"x"` are refused, so no route takes `null` for "no
 * fields" (no body at all counts as `{}`: a command that needs no fields can be sent bare).
 */
export function bodyObjectError(body: unknown): AppError | undefined {
  if (body === undefined || (typeof body === 'object' && body !== null && !Array.isArray(body))) return undefined;
  return appError('invalid', 'VALIDATION_FAILED', 'the body must be a JSON object', {
    issues: [{ path: [], message: `expected a JSON object, got ${body === null ? 'null' : Array.isArray(body) ? 'an array' : typeof body}` }],
  });
}

/**
 * The types a route's handler sees: its request parts as its zod schemas parse them (the validator side of
 * fastify-type-provider-zod's `ZodTypeProvider`). Answers are not typed by the response schemas, which are not
 * enforced either (see useZodSchemas): read-model documents are plain JSON values, so typing them would only add casts.
 */
export interface ZodRequestTypes extends FastifyTypeProvider {
  validator: this['schema'] extends z.ZodType ? z.output<this['schema']> : unknown;
  serializer: unknown;
}

/**
 * Routes of this scope declare their parts as zod schemas (`schema: {params, querystring, body, headers, response}`,
 * through `withTypeProvider<ZodRequestTypes>()`): validated here, documented from the same schemas by
 * api/openapi/docs.ts. Answers are serialized as they are (JSON.stringify): a response schema documents the answer,
 * it does not reshape what is sent.
 */
export function useZodSchemas(app: FastifyInstance): void {
  app.setValidatorCompiler(validateRequestPart);
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  // A body of `null`, which the validator would see as no body. A command's body is checked where it is built.
  app.addHook('preValidation', async (request, reply) => {
    const body = request.routeOptions.schema?.body;
    if (request.body !== null || body === undefined || (body instanceof z.ZodType && checkedElsewhere.has(body))) return;
    const refused = bodyObjectError(request.body);
    if (refused) return sendError(reply, refused);
  });
}
