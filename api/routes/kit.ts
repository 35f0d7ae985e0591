import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { appError, isAppError, type AppError } from '../../domain/shared/app-error.ts';
import { fieldIssue, issuesSummary } from '../../domain/shared/field-issues.ts';
import type { DecisionContext, DomainEvent } from '../../domain/shared/decider.ts';
import type { AggregateDefinition } from '../../commands/aggregate.ts';
import type { CommandResult } from '../../commands/result.ts';
import { commandEnvelopeFrom } from '../command-envelope.ts';
import { sendCommand, sendError } from '../command-reply.ts';
import { answerDetailOf, explainQuery } from '../answer-detail.ts';
import { paramsDoc, type RouteDoc } from '../openapi/route-doc.ts';
import type { Platform } from '../platform.ts';

export type Fields = Record<string, unknown>;

/** A zod failure as the uniform VALIDATION_FAILED error, with the client's field paths. */
export function invalid(error: z.ZodError, message = 'the request is invalid'): AppError {
  const issues = error.issues.map((issue) => fieldIssue(issue));
  return appError('invalid', 'VALIDATION_FAILED', issuesSummary(message, issues), { issues });
}

/** Validates path parameters or a query string: 400 VALIDATION_FAILED (never a 500, never a lookup) when they are bad. */
export function parse<T>(schema: z.ZodType<T>, value: unknown, what: 'path' | 'query'): T | AppError {
  const parsed = schema.safeParse(value ?? {});
  return parsed.success ? parsed.data : invalid(parsed.error, `invalid ${what === 'path' ? 'path parameters' : 'query string'}`);
}

/** The request's path parameters as strings. */
export function pathParams(request: FastifyRequest): Record<string, string> {
  const params = request.params;
  if (typeof params !== 'object' || params === null) return {};
  return Object.fromEntries(Object.entries(params).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
}

/**
 * A JSON object body, or VALIDATION_FAILED. No body at all counts as `{}` (a command that needs no fields can be sent
 * bare); a body that says `null` is a value, and not an object, so it is refused like `[]` or `"x"`: every route
 * reads its body through here (or `bodySchema`), so none can take `null` for "no fields".
 */
export function bodyObject(body: unknown): Fields | AppError {
  if (body === undefined) return {};
  if (typeof body === 'object' && body !== null && !Array.isArray(body)) return body as Fields;
  return appError('invalid', 'VALIDATION_FAILED', 'the body must be a JSON object', {
    issues: [{ path: [], message: `expected a JSON object, got ${body === null ? 'null' : Array.isArray(body) ? 'an array' : typeof body}` }],
  });
}

/** The body as a JSON object (see bodyObject), validated by `schema`: VALIDATION_FAILED with the client's paths. */
export function bodySchema<T>(schema: z.ZodType<T>, body: unknown): T | AppError {
  const fields = bodyObject(body);
  if (isAppError(fields)) return fields;
  const parsed = schema.safeParse(fields);
  return parsed.success ? parsed.data : invalid(parsed.error);
}

/**
 * The body's fields with the path's: a body that repeats a field the path gives (an orgId, a subjectId) is refused
 * rather than silently overridden, so a client never believes it acted on another resource than it did.
 */
export function withPath(body: unknown, fromPath: Fields): Fields | AppError {
  const fields = bodyObject(body);
  if (isAppError(fields)) return fields;
  const repeated = Object.keys(fromPath).filter((name) => Object.hasOwn(fields, name));
  if (repeated.length > 0) {
    return appError('invalid', 'VALIDATION_FAILED', 'the request is invalid', {
      issues: repeated.map((name) => ({ path: [name], message: `${name} is given by the path; leave it out of the body` })),
    });
  }
  return { ...fields, ...fromPath };
}

export interface CommandInput {
  params: Record<string, string>;
  body: unknown;
  /** The command id (Idempotency-Key or new): ids of created things derive from it, so a retry creates the same. */
  commandId: string;
}

export interface CommandRoute<Command extends { type: string; data: unknown }, State, Event extends DomainEvent, Context extends DecisionContext> {
  url: string;
  doc: RouteDoc;
  aggregate: AggregateDefinition<Command, State, Event, Context>;
  /** Success status: 201 for routes that create, 200 otherwise (a function when it depends on what happened). */
  status?: number | ((result: CommandResult) => number);
  build(input: CommandInput): { type: string; data: Fields } | AppError;
  /**
   * When the body is one field of the command's data (the role of DefineRole), validation issues are reported
   * relative to the body: `role.maxHolders` becomes `maxHolders`.
   */
  bodyField?: string;
  /** Fields to add to the answer, e.g. the id of what was created. */
  reply?(result: CommandResult, data: Fields): Fields | Promise<Fields>;
}

/**
 * A command route: the command is built from the path and the body, run through the pipeline (which validates it
 * with the command's schema, authorizes it by policy and decides it), and answered uniformly.
 */
export function commandRoute<Command extends { type: string; data: unknown }, State, Event extends DomainEvent, Context extends DecisionContext>(
  app: FastifyInstance,
  platform: Platform,
  route: CommandRoute<Command, State, Event, Context>,
): void {
  app.post(route.url, { config: { openapi: { ...route.doc, querystring: paramsDoc(explainQuery) } } }, async (request: FastifyRequest, reply: FastifyReply) => {
    const detail = answerDetailOf(request);
    if (isAppError(detail)) return sendError(reply, detail);
    const envelope = commandEnvelopeFrom(request);
    if (isAppError(envelope)) return sendError(reply, envelope);
    const command = route.build({ params: pathParams(request), body: request.body, commandId: envelope.commandId });
    if (isAppError(command)) return sendError(reply, command);
    const result = await platform.pipeline.execute(route.aggregate, command, envelope);
    if (isAppError(result)) {
      const refused = route.bodyField === undefined ? result : relativeTo(result, route.bodyField);
      return sendCommand(reply, request.body === undefined ? withoutBody(refused) : refused, { detail });
    }
    const extra = route.reply ? await route.reply(result, command.data) : {};
    const status = typeof route.status === 'function' ? route.status(result) : (route.status ?? 200);
    return sendCommand(reply, result, { detail, status, extra });
  });
}

const validationIssues = z.array(z.object({ path: z.array(z.string()), message: z.string() }));

/** A command refused for missing fields that was sent with no body at all: the body is what to fix first. */
function withoutBody(error: AppError): AppError {
  const issues = validationIssues.safeParse(error.details.issues);
  if (error.code !== 'VALIDATION_FAILED' || !issues.success) return error;
  return { ...error, message: issuesSummary("no body was sent: send a JSON object (Content-Type: application/json) with the command's fields", issues.data) };
}

function relativeTo(error: AppError, field: string): AppError {
  const issues = validationIssues.safeParse(error.details.issues);
  if (error.code !== 'VALIDATION_FAILED' || !issues.success) return error;
  const rebased = issues.data.map((issue) => (issue.path[0] === field ? { ...issue, path: issue.path.slice(1) } : issue));
  return { ...error, message: issuesSummary('the command is invalid', rebased), details: { ...error.details, issues: rebased } };
}

/** A UUID as the pipeline stores it (lower case); ids in answers are read back this way. */
export function storedId(value: unknown): string {
  return String(value).toLowerCase();
}
