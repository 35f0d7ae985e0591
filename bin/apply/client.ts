import { z } from 'zod';

/** The API's uniform error shape. */
export const apiErrorSchema = z.looseObject({
  code: z.string(),
  message: z.string(),
  details: z.record(z.string(), z.unknown()).default({}),
});
export type ApiErrorBody = z.infer<typeof apiErrorSchema>;

export interface ApiResponse {
  status: number;
  body: unknown;
  /** The server's Date header (its clock), when it sent one. */
  date: string | null;
}

/** The API answered with an error, or could not be reached, or answered something that is not the API. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly request: string,
    readonly status: number | null,
    readonly body: ApiErrorBody,
  ) {
    super(`${request}: ${status === null ? 'no answer' : status} ${body.code}: ${body.message}`);
  }
}

export type FetchLike = (input: string, init: { method: string; headers: Record<string, string>; body?: string; signal?: AbortSignal }) => Promise<Response>;

export interface ApiClientOptions {
  baseUrl: string;
  apiKey: string;
  fetch?: FetchLike;
  /** Per request. */
  timeoutMs?: number;
  /** Sent as X-Correlation-Id with every command, so the audit trail groups one apply's commands. */
  correlationId?: string;
}

const RETRYABLE_STATUSES = new Set([502, 503, 504]);
const ATTEMPTS = 4;

/**
 * A small JSON client for the AgencyGrid API. Commands carry an Idempotency-Key, so a command whose answer was
 * lost (network error, timeout, 502/503/504) is retried with the same key: the server runs it at most once and
 * answers the retry as it answered the first time.
 */
export class ApiClient {
  private readonly baseUrl: string;
  private readonly fetchImpl: FetchLike;

  constructor(private readonly options: ApiClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
  }

  get(path: string): Promise<ApiResponse> {
    return this.send('GET', path, undefined, undefined);
  }

  /**
   * A command, answered in full (`explain=full`): a refused step is printed with its whole explanation, every rule's
   * evaluation included where the key may read the org's policy.
   */
  post(path: string, body: unknown, idempotencyKey: string): Promise<ApiResponse> {
    return this.send('POST', `${path}${path.includes('?') ? '&' : '?'}explain=full`, body, idempotencyKey);
  }

  private async send(method: string, path: string, body: unknown, idempotencyKey: string | undefined): Promise<ApiResponse> {
    const request = `${method} ${path}`;
    const headers: Record<string, string> = { authorization: `Bearer ${this.options.apiKey}`, accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (idempotencyKey !== undefined) headers['idempotency-key'] = idempotencyKey;
    if (method !== 'GET' && this.options.correlationId !== undefined) headers['x-correlation-id'] = this.options.correlationId;

    let lastFailure: ApiError | null = null;
    for (let attempt = 1; attempt <= ATTEMPTS; attempt += 1) {
      if (attempt > 1) await new Promise((resolve) => setTimeout(resolve, 200 * 2 ** (attempt - 2)));
      let response: Response;
      try {
        response = await this.fetchImpl(`${this.baseUrl}${path}`, {
          method,
          headers,
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
          signal: AbortSignal.timeout(this.options.timeoutMs ?? 30_000),
        });
      } catch (error) {
        lastFailure = new ApiError(request, null, {
          code: 'UNREACHABLE',
          message: `cannot reach the API at ${this.baseUrl}: ${describeFetchError(error)}`,
          details: {},
        });
        // Only a request that is safe to repeat is repeated: a read, or a command with an idempotency key.
        if (method === 'GET' || idempotencyKey !== undefined) continue;
        throw lastFailure;
      }
      const text = await response.text();
      let parsed: unknown = null;
      if (text.length > 0) {
        try {
          parsed = JSON.parse(text);
        } catch {
          throw new ApiError(request, response.status, {
            code: 'NOT_JSON',
            message: `the server at ${this.baseUrl} answered with something that is not JSON (is AGENCYGRID_URL right?)`,
            details: { contentType: response.headers.get('content-type'), start: text.slice(0, 200) },
          });
        }
      }
      if (response.ok) return { status: response.status, body: parsed, date: response.headers.get('date') };
      const error = apiErrorSchema.safeParse(parsed);
      const failure = new ApiError(
        request,
        response.status,
        error.success ? error.data : { code: `HTTP_${response.status}`, message: `the API answered ${response.status}`, details: { body: parsed } },
      );
      if (RETRYABLE_STATUSES.has(response.status) && (method === 'GET' || idempotencyKey !== undefined)) {
        lastFailure = failure;
        continue;
      }
      return { status: response.status, body: failure.body, date: response.headers.get('date') };
    }
    throw lastFailure ?? new ApiError(request, null, { code: 'UNREACHABLE', message: 'no attempt was made', details: {} });
  }
}

/**
 * A route that does not exist answers 404 ROUTE_NOT_FOUND (servers before it: NOT_FOUND "no route ..."), which must not
 * be read as "the thing is absent".
 */
export function isMissingRoute(response: ApiResponse): boolean {
  const error = apiErrorSchema.safeParse(response.body);
  if (response.status !== 404 || !error.success) return false;
  return error.data.code === 'ROUTE_NOT_FOUND' || (error.data.code === 'NOT_FOUND' && error.data.message.startsWith('no route'));
}

function describeFetchError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  if (error.name === 'TimeoutError') return 'timed out';
  const cause: unknown = error.cause;
  if (cause instanceof Error) {
    const code = (cause as { code?: unknown }).code;
    return typeof code === 'string' ? `${code} (${cause.message})` : cause.message;
  }
  return error.message;
}
