import type { ExecutionResult, FormattedExecutionResult, GraphQLError as GraphQLErrorType, GraphQLFormattedError } from 'graphql';
import { GraphQLError } from './graphql-js.ts';
import type { z } from 'zod';
import { appError, isAppError, type AppError } from '../../domain/shared/app-error.ts';
import { InvalidCursorError, InvalidQueryError } from '../../infra/documents/errors.ts';
import { httpErrorForThrown } from '../http-errors.ts';
import { callerView } from '../refusal-view.ts';
import { unavailableErrorFor } from '../../commands/unavailable-error.ts';

/**
 * Errors in GraphQL answers carry the same machine-readable codes as the REST API, as `extensions: {code, details}`
 * (POLICY_DENIED with the policy's explanation, VALIDATION_FAILED with field paths, READ_MODEL_BEHIND, ...).
 * A resolver never lets an unexpected error's message out: it becomes INTERNAL_ERROR and is logged.
 */
export class ApiGraphQLError extends GraphQLError {
  readonly appError: AppError;

  /** Shaped for the caller (callerView) like every REST error body. */
  constructor(error: AppError) {
    const shown = callerView(error);
    super(shown.message, { extensions: { code: shown.code, details: shown.details } });
    this.appError = shown;
  }
}

export function gqlError(error: AppError): ApiGraphQLError {
  return new ApiGraphQLError(error);
}

/** Returns the value, or throws the AppError as a GraphQL error. */
export function orThrow<T>(value: T | AppError): T {
  if (isAppError(value)) throw gqlError(value);
  return value;
}

export function validationFailed(message: string, issues: ReadonlyArray<{ path: readonly (string | number)[]; message: string }>): ApiGraphQLError {
  return gqlError(
    appError('invalid', 'VALIDATION_FAILED', message, { issues: issues.map((issue) => ({ path: issue.path.map(String), message: issue.message })) }),
  );
}

/** A zod failure on arguments, with the argument paths. */
export function invalidArguments(error: z.ZodError, prefix: readonly string[] = []): ApiGraphQLError {
  return validationFailed(
    'invalid arguments',
    error.issues.map((issue) => ({ path: [...prefix, ...issue.path.map(String)], message: issue.message })),
  );
}

/** Maps what a read can throw (the DocumentStore's typed errors, an unavailable store) to coded errors. */
export function asGraphQLError(error: unknown): GraphQLErrorType | undefined {
  if (error instanceof GraphQLError) return error;
  if (error instanceof InvalidCursorError) {
    return gqlError(appError('invalid', 'INVALID_CURSOR', 'the cursor was not issued for this list (or was altered)', { issues: error.issues }));
  }
  if (error instanceof InvalidQueryError) {
    return gqlError(appError('invalid', 'VALIDATION_FAILED', 'invalid query', { issues: error.issues }));
  }
  const unavailable = unavailableErrorFor(error);
  if (unavailable) return gqlError(unavailable);
  if (isAppError(error)) return gqlError(error);
  return undefined;
}

interface Log {
  error(object: object, message: string): void;
}

/**
 * The formatter mercurius uses for every answer with errors. GraphQL's own errors (syntax, validation: no original
 * error) keep their message and get GRAPHQL_VALIDATION_FAILED; coded errors pass through; anything else is ours and
 * is replaced by INTERNAL_ERROR (and logged).
 */
export function formatExecutionErrors(
  execution: ExecutionResult & Required<Pick<ExecutionResult, 'errors'>>,
  log: Log | undefined,
): { statusCode: number; response: FormattedExecutionResult } {
  const errors: GraphQLFormattedError[] = [];
  let clientFault = true;
  for (const error of execution.errors) {
    // mercurius wraps a failed validation in one error whose original error lists the real ones.
    const nested = nestedErrors(error.originalError);
    if (nested) {
      for (const inner of nested) errors.push(withCode(inner, 'GRAPHQL_VALIDATION_FAILED'));
      continue;
    }
    const original = error.originalError;
    if (original === undefined || original === null) {
      errors.push(withCode(error, 'GRAPHQL_VALIDATION_FAILED'));
      continue;
    }
    const mapped = asGraphQLError(original);
    if (mapped && mapped.extensions.code !== undefined) {
      errors.push({ ...error.toJSON(), message: mapped.message, extensions: mapped.extensions });
      continue;
    }
    if (isMercuriusClientError(original)) {
      errors.push({ ...error.toJSON(), extensions: { code: 'GRAPHQL_VALIDATION_FAILED', details: {} } });
      continue;
    }
    if (isBodyParserClientError(original)) {
      // The request body itself was refused (not JSON, a `__proto__` key): the same code REST answers with.
      const { body } = httpErrorForThrown(original);
      errors.push({ message: body.message, extensions: { code: body.code, details: body.details } });
      continue;
    }
    clientFault = false;
    log?.error({ err: original }, 'graphql: unhandled error in a resolver');
    errors.push({
      message: 'an internal error occurred; it has been logged',
      ...(error.locations ? { locations: error.locations } : {}),
      ...(error.path ? { path: error.path } : {}),
      extensions: { code: 'INTERNAL_ERROR', details: {} },
    });
  }
  // GraphQL over HTTP: an answer with data is a 200; a request refused before execution is the client's 400.
  const statusCode = execution.data ? 200 : clientFault && execution.errors.every((error) => !error.path) ? 400 : 200;
  return { statusCode, response: { data: execution.data ?? null, errors } };
}

function withCode(error: GraphQLErrorType, code: string): GraphQLFormattedError {
  const json = error.toJSON();
  return { ...json, extensions: { ...json.extensions, code: json.extensions?.code ?? code, details: json.extensions?.details ?? {} } };
}

function nestedErrors(original: unknown): GraphQLErrorType[] | undefined {
  if (typeof original !== 'object' || original === null || !('errors' in original)) return undefined;
  const { errors } = original;
  if (!Array.isArray(errors)) return undefined;
  return errors.map((inner: unknown) => (inner instanceof GraphQLError ? inner : new GraphQLError(inner instanceof Error ? inner.message : String(inner))));
}

/** Fastify's body parser's 4xx errors (unparseable JSON, a forbidden prototype key), reaching mercurius's handler. */
function isBodyParserClientError(original: Error): boolean {
  const code = 'code' in original ? original.code : undefined;
  const statusCode = 'statusCode' in original ? Number(original.statusCode) : undefined;
  return typeof code === 'string' && code.startsWith('FST_ERR_CTP') && statusCode !== undefined && statusCode >= 400 && statusCode < 500;
}

/** mercurius's own 4xx errors (MER_ERR_GQL_VALIDATION, query depth, persisted queries): the client's fault. */
function isMercuriusClientError(original: Error): boolean {
  const code = 'code' in original ? original.code : undefined;
  const statusCode = 'statusCode' in original ? Number(original.statusCode) : undefined;
  return typeof code === 'string' && code.startsWith('MER_ERR_GQL') && statusCode !== undefined && statusCode >= 400 && statusCode < 500;
}
