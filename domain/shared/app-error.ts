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
  | 'method_not_allowed' // the path exists, but not for this method
  | 'conflict' // the current state forbids it (illegal transition, duplicate, concurrent change)
  | 'precondition_failed' // the client's expected revision is stale
  | 'payload_too_large' // the body is larger than the API reads
  | 'unsupported_media_type' // the body is not in a form the API reads (not JSON, not UTF-8)
  | 'rate_limited' // too many requests or open streams for this caller (or the server): retry later
  | 'unavailable';

export interface AppError {
  readonly kind: ErrorKind;
  readonly code: string;
  readonly message: string;
  readonly details: Readonly<Record<string, unknown>>;
  /**
   * Who the refusal speaks to, set where a governed request is refused (the org's policy or structure): the API
   * shapes the body from it in one place (api/refusal-view.ts). Never serialized itself. Absent: nothing to hide.
   */
  readonly audience?: Audience;
}

/**
 * - `outsider`: the caller may not see the org the request concerns; it gets `notFound`, the answer it would get
 *   if the org did not exist, so a refusal is no oracle on the org's existence, data or policy.
 * - `member`: the caller sees the org; it learns the rules that decided its request, and every rule's outcome only
 *   when it may also read the org's policy (`mayReadPolicy`).
 */
export type Audience = { readonly kind: 'outsider'; readonly notFound: AppError } | { readonly kind: 'member'; readonly mayReadPolicy: boolean };

export function appError(kind: ErrorKind, code: string, message: string, details: Record<string, unknown> = {}): AppError {
  return { kind, code, message, details };
}

/** The error, told to `audience` (see Audience). */
export function withAudience(error: AppError, audience: Audience | undefined): AppError {
  return audience === undefined ? error : { ...error, audience };
}

export function isAppError(value: unknown): value is AppError {
  return typeof value === 'object' && value !== null && 'kind' in value && 'code' in value && 'message' in value && 'details' in value && !Array.isArray(value);
}
