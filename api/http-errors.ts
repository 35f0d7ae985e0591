import { isAppError, type AppError, type ErrorKind } from '../domain/shared/app-error.ts';
import { callerView } from './refusal-view.ts';
import { unavailableErrorFor } from '../commands/unavailable-error.ts';
import { frameworkErrorFor, type RefusedRequest } from './framework-errors.ts';

/** The one place where error kinds become HTTP statuses. */
const statusByKind: Record<ErrorKind, number> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  precondition_failed: 412,
  payload_too_large: 413,
  unsupported_media_type: 415,
  unprocessable: 422,
  rate_limited: 429,
  unavailable: 503,
};

/**
 * RFC 6750: no error attribute when no credential was sent; `invalid_request` for a malformed header,
 * `invalid_token` for a key that is not (or no longer) good.
 */
const bearerChallenge: Readonly<Record<string, string>> = {
  MALFORMED_AUTHORIZATION: 'Bearer error="invalid_request"',
  UNKNOWN_API_KEY: 'Bearer error="invalid_token"',
};

export interface HttpError {
  status: number;
  body: { code: string; message: string; details: Readonly<Record<string, unknown>> };
  /** Headers the answer must carry to be understood: WWW-Authenticate, Retry-After, Allow. */
  headers: Readonly<Record<string, string>>;
}

function headersFor(status: number, error: AppError): Record<string, string> {
  if (status === 401) return { 'www-authenticate': bearerChallenge[error.code] ?? 'Bearer' };
  if (status === 405 && Array.isArray(error.details.allow)) return { allow: error.details.allow.join(', ') };
  // When to come back (RFC 9110 Retry-After, in seconds): as the refusal says, or, for a passing outage, at once.
  const retryAfter = error.details.retryAfterSeconds;
  if (status === 429 && typeof retryAfter === 'number') return { 'retry-after': String(retryAfter) };
  if (status === 503) return { 'retry-after': String(typeof retryAfter === 'number' ? retryAfter : 1) };
  return {};
}

/** The error as the caller may see it (callerView), with its status and the headers that go with it. */
export function httpErrorFor(error: AppError): HttpError {
  const shown = callerView(error);
  const status = statusByKind[shown.kind];
  return { status, body: { code: shown.code, message: shown.message, details: shown.details }, headers: headersFor(status, shown) };
}

/**
 * What a handler or hook threw: an AppError as it is; a dependency outage as its 503; Fastify's own refusals of the
 * request (wrong content type, body too large, unparseable URL) as the coded 4xx that says what to change; any other
 * 4xx Fastify throws keeps its status as a BAD_REQUEST; anything else is ours, and its message is not leaked.
 */
export function httpErrorForThrown(error: unknown, request?: RefusedRequest): HttpError & { internal: boolean } {
  if (isAppError(error)) return { ...httpErrorFor(error), internal: false };
  const known = unavailableErrorFor(error) ?? frameworkErrorFor(error, request);
  if (known) return { ...httpErrorFor(known), internal: false };
  const statusCode = typeof error === 'object' && error !== null && 'statusCode' in error ? Number(error.statusCode) : 500;
  if (statusCode >= 400 && statusCode < 500) {
    const message = error instanceof Error ? error.message : 'bad request';
    return { status: statusCode, body: { code: 'BAD_REQUEST', message, details: {} }, headers: {}, internal: false };
  }
  return {
    status: 500,
    body: { code: 'INTERNAL_ERROR', message: 'an internal error occurred; it has been logged', details: {} },
    headers: {},
    internal: true,
  };
}
