import { isAppError, type AppError, type ErrorKind } from '../domain/shared/app-error.ts';
import { callerView } from './refusal-view.ts';
import { unavailableErrorFor } from '../commands/unavailable-error.ts';

/** The one place where error kinds become HTTP statuses. */
const statusByKind: Record<ErrorKind, number> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  precondition_failed: 412,
  unsupported_media_type: 415,
  unprocessable: 422,
  rate_limited: 429,
  unavailable: 503,
};

const fastifyClientErrors: Record<number, { kind: ErrorKind; code: string }> = {
  400: { kind: 'invalid', code: 'BAD_REQUEST' },
  404: { kind: 'not_found', code: 'NOT_FOUND' },
  405: { kind: 'invalid', code: 'METHOD_NOT_ALLOWED' },
  413: { kind: 'invalid', code: 'PAYLOAD_TOO_LARGE' },
  415: { kind: 'invalid', code: 'UNSUPPORTED_MEDIA_TYPE' },
};

export interface HttpError {
  status: number;
  body: { code: string; message: string; details: Readonly<Record<string, unknown>> };
}

/** The error as the caller may see it (callerView), with its status. */
export function httpErrorFor(error: AppError): HttpError {
  const shown = callerView(error);
  return { status: statusByKind[shown.kind], body: { code: shown.code, message: shown.message, details: shown.details } };
}

/**
 * Errors thrown by Fastify itself (unparseable JSON, wrong content type, body too large) are the client's fault and
 * keep their 4xx status; anything else is ours, and its message is not leaked.
 */
export function httpErrorForThrown(error: unknown): HttpError & { internal: boolean } {
  if (isAppError(error)) return { ...httpErrorFor(error), internal: false };
  const unavailable = unavailableErrorFor(error);
  if (unavailable) return { ...httpErrorFor(unavailable), internal: false };
  const statusCode = typeof error === 'object' && error !== null && 'statusCode' in error ? Number(error.statusCode) : 500;
  if (statusCode >= 400 && statusCode < 500) {
    const known = fastifyClientErrors[statusCode] ?? { kind: 'invalid' as const, code: 'BAD_REQUEST' };
    const message = error instanceof Error ? error.message : 'bad request';
    return { status: statusCode, body: { code: known.code, message, details: {} }, internal: false };
  }
  return {
    status: 500,
    body: { code: 'INTERNAL_ERROR', message: 'an internal error occurred; it has been logged', details: {} },
    internal: true,
  };
}
