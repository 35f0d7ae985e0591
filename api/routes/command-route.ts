import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { appError, isAppError, type AppError } from '../../domain/shared/app-error.ts';
import { issuesSummary } from '../../domain/shared/field-issues.ts';
import type { DecisionContext, DomainEvent } from '../../domain/shared/decider.ts';
import type { AggregateDefinition } from '../../commands/aggregate.ts';
import type { CommandResult } from '../../commands/result.ts';
import type { CommandEnvelope } from '../../commands/command-envelope.ts';
import { commandIdSchema, deterministicId } from '../../commands/command-identity.ts';
import { commandEnvelopeFrom } from '../command-envelope.ts';
import { sendCommand, sendError } from '../command-reply.ts';
import { answerDetailOf, explainQuery } from '../answer-detail.ts';
import type { Platform } from '../platform.ts';
import { bodyObjectError, checkedWhereRead } from '../routing/request-schemas.ts';

export type Fields = Record<string, unknown>;

/** The optional headers of every command, read by the envelope (api/command-envelope.ts: 400 INVALID_HEADER). */
export const commandHeaders = checkedWhereRead(
  z.object({
    'idempotency-key': commandIdSchema.optional().describe('command id chosen by the client: a retry with the same key answers the same and changes nothing'),
    'if-match': z.string().optional().describe('expected stream revision, e.g. "3" (the ETag): 412 when it moved on'),
    'x-correlation-id': commandIdSchema.optional(),
  }),
);

/** `?explain=` of every command, read by answerDetailOf (its own refusal: 400 VALIDATION_FAILED, "invalid query string"). */
export const commandQuerystring = checkedWhereRead(z.object(explainQuery));

export interface BodyOptions {
  /** Fields that come from the path (the server sets them; a body that repeats them is refused). */
  fromPath?: readonly string[];
  /** Fields the server derives when the client leaves them out (ids of created things). */
  optional?: readonly string[];
  /** The body is this field of the command's data (e.g. the role definition of DefineRole). */
  field?: string;
  /** Better documentation for a field than its command schema gives (e.g. a field validated in `decide`). */
  override?: z.ZodRawShape;
}

/**
 * The schema of a route that runs its command itself rather than through commandRoute (an API key issued with its
 * secret, a projection's event parked): its own documentation, path and body, with every command's headers and
 * `?explain=` (read by the envelope and answerDetailOf).
 */
export function commandSchema<Params extends z.ZodType | undefined, Body extends z.ZodType>(schema: {
  summary: string;
  description: string;
  tags: string[];
  params?: Params;
  body: Body;
  response: Record<string, z.ZodType>;
}) {
  const { params, body, response, ...documentation } = schema;
  return { ...documentation, ...(params === undefined ? {} : { params }), headers: commandHeaders, querystring: commandQuerystring, body, response } as {
    summary: string;
    description: string;
    tags: string[];
    params: Params;
    headers: typeof commandHeaders;
    querystring: typeof commandQuerystring;
    body: Body;
    response: Record<string, z.ZodType>;
  };
}

/** The `data` schema of one command of an aggregate's discriminated union. */
function commandData(union: z.ZodType, type: string): z.ZodObject {
  const options = union instanceof z.ZodUnion ? union.options : [union];
  for (const option of options) {
    if (!(option instanceof z.ZodObject)) continue;
    const { type: literal, data } = option.shape;
    if (literal instanceof z.ZodLiteral && literal.value === type && data instanceof z.ZodObject) return data;
  }
  throw new Error(`no command ${type} in the union`);
}

/**
 * A command route's body: the command's data schema as the client writes it, less the fields the path gives, with
 * the fields the server derives optional. It documents the body; the pipeline validates the command with the
 * command's own schema (see checkedWhereRead).
 */
export function commandBody(union: z.ZodType, type: string, options: BodyOptions = {}): z.ZodObject {
  const data = commandData(union, type);
  const schema = options.field === undefined ? data : data.shape[options.field];
  if (!(schema instanceof z.ZodObject)) throw new Error(`command ${type} has no object field ${options.field}`);
  const fromPath = new Set(options.fromPath);
  const optional = new Set(options.optional);
  const shape = Object.fromEntries(
    Object.entries({ ...schema.shape, ...options.override })
      .filter(([name]) => !fromPath.has(name))
      .map(([name, field]) => [name, optional.has(name) ? field.optional() : field]),
  );
  // Strict as the command's data is: unknown fields are refused by the pipeline, and documented as such.
  const { catchall } = schema.def;
  return catchall ? z.object(shape).catchall(catchall) : z.object(shape);
}

/** What a command route declares: its documentation and the schemas of its path and body (command parts). */
export interface CommandRouteSchema {
  summary: string;
  description: string;
  tags: string[];
  params?: z.ZodObject;
  body: z.ZodType;
  response: Record<string, z.ZodType>;
}

/** The request's path parameters as strings (a command route's are validated with the command, see checkedWhereRead). */
function pathParams(request: FastifyRequest): Record<string, string> {
  const params = request.params;
  if (typeof params !== 'object' || params === null) return {};
  return Object.fromEntries(Object.entries(params).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
}

/**
 * The body's fields with the path's: a body that repeats a field the path gives (an orgId, a subjectId) is refused
 * rather than silently overridden, so a client never believes it acted on another resource than it did.
 */
export function withPath(body: unknown, fromPath: Fields): Fields | AppError {
  const fields = bodyFields(body);
  if (isAppError(fields)) return fields;
  const repeated = Object.keys(fromPath).filter((name) => Object.hasOwn(fields, name));
  if (repeated.length > 0) {
    return appError('invalid', 'VALIDATION_FAILED', 'the request is invalid', {
      issues: repeated.map((name) => ({ path: [name], message: `${name} is given by the path; leave it out of the body` })),
    });
  }
  return { ...fields, ...fromPath };
}

/**
 * The `build` of a command whose data is the body with the path's parameters of the names given (as withPath: a body
 * that repeats one is refused), nothing renamed. `derivedIds` (field: purpose) are the ids of what the command
 * creates, derived from the command id when the body leaves them out, so a retry with the same Idempotency-Key
 * creates the same thing.
 */
export function bodyWithPath(
  type: string,
  fromPath: readonly string[],
  derivedIds: Readonly<Record<string, string>> = {},
): (input: CommandInput) => { type: string; data: Fields } | AppError {
  return ({ params, body, commandId }) => {
    const data = withPath(body, Object.fromEntries(fromPath.map((field) => [field, params[field]])));
    if (isAppError(data)) return data;
    const ids = Object.fromEntries(Object.entries(derivedIds).map(([field, purpose]) => [field, deterministicId(commandId, purpose)]));
    return { type, data: { ...ids, ...data } };
  };
}

/** A command's body as its fields: none sent is `{}`; anything but a JSON object is refused (bodyObjectError). */
export function bodyFields(body: unknown): Fields | AppError {
  const refused = bodyObjectError(body);
  if (refused) return refused;
  return typeof body === 'object' && body !== null ? { ...body } : {};
}

export interface CommandInput {
  params: Record<string, string>;
  body: unknown;
  /** The command id (Idempotency-Key or new): ids of created things derive from it, so a retry creates the same. */
  commandId: string;
}

export interface CommandRoute<Command extends { type: string; data: unknown }, State, Event extends DomainEvent, Context extends DecisionContext> {
  url: string;
  /** POST unless said otherwise (PUT: a new version of what the path names). */
  method?: 'POST' | 'PUT';
  schema: CommandRouteSchema;
  aggregate: AggregateDefinition<Command, State, Event, Context>;
  /** Success status: 201 for routes that create, 200 otherwise (a function when it depends on what happened or on the reply). */
  status?: number | ((result: CommandResult, extra: Fields) => number);
  /** Runs the command; default: the pipeline. For commands every caller must run through a function of their own (requestToolCall). */
  execute?(command: { type: string; data: Fields }, envelope: CommandEnvelope): Promise<CommandResult | AppError>;
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
  const { params, body, ...documentation } = route.schema;
  const schema = {
    ...documentation,
    ...(params ? { params: checkedWhereRead(params) } : {}),
    headers: commandHeaders,
    querystring: commandQuerystring,
    body: checkedWhereRead(body),
  };
  const handler = async (request: FastifyRequest, reply: FastifyReply) => {
    const detail = answerDetailOf(request);
    if (isAppError(detail)) return sendError(reply, detail);
    const envelope = commandEnvelopeFrom(request);
    if (isAppError(envelope)) return sendError(reply, envelope);
    const command = route.build({ params: pathParams(request), body: request.body, commandId: envelope.commandId });
    if (isAppError(command)) return sendError(reply, command);
    const result = route.execute ? await route.execute(command, envelope) : await platform.pipeline.execute(route.aggregate, command, envelope);
    if (isAppError(result)) {
      const refused = route.bodyField === undefined ? result : relativeTo(result, route.bodyField);
      return sendCommand(reply, request.body === undefined ? withoutBody(refused) : refused, { detail });
    }
    const extra = route.reply ? await route.reply(result, command.data) : {};
    const status = typeof route.status === 'function' ? route.status(result, extra) : (route.status ?? 200);
    return sendCommand(reply, result, { detail, status, extra });
  };
  if (route.method === 'PUT') app.put(route.url, { schema }, handler);
  else app.post(route.url, { schema }, handler);
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
