/**
 * Errors are values: every layer returns (never throws) an AppError for an expected failure. `kind` is what the API
 * maps to an HTTP status, in one place (api/http-errors.ts); `code` is the stable machine-readable name.
 */
export type ErrorKind =
  | 'invalid' // the request is malformed
  | 'unprocessable' // well-formed, but refers to something that makes it impossible (e.g. a missing parent)
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'conflict' // the current state forbids it (illegal transition, duplicate, concurrent change)
  | 'precondition_failed' // the client's expected revision is stale
  | 'rate_limited' // too many requests or open streams for this caller (or the server): retry later
  | 'unavailable';

export interface AppError {
  readonly kind: ErrorKind;
  readonly code: string;
  readonly message: string;
  readonly details: Readonly<Record<string, unknown>>;
}

export function appError(kind: ErrorKind, code: string, message: string, details: Record<string, unknown> = {}): AppError {
  return { kind, code, message, details };
}

export function isAppError(value: unknown): value is AppError {
  return (
    typeof value === 'object' &&
    value !== null &&
    'kind' in value &&
    'code' in value &&
    'message' in value &&
    'details' in value &&
    !Array.isArray(value)
  );
}
