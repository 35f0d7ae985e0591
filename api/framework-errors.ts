import { appError, type AppError } from '../domain/shared/app-error.ts';

/** What of the request the answer may name back: only the caller's own headers, never another principal's data. */
export interface RefusedRequest {
  headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The route's body limit in bytes, when a route was matched. */
  bodyLimit?: number | undefined;
}

/** A header value as it may be echoed: the first one, control characters dropped, at most 100 characters. */
function echoed(value: string | string[] | undefined): string | null {
  const first = Array.isArray(value) ? value[0] : value;
  if (first === undefined || first === '') return null;
  const clean = first.replace(/[^\x20-\x7e]/g, '');
  return clean.length > 100 ? `${clean.slice(0, 100)}...` : clean;
}

function codeOf(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}

/**
 * Fastify's own refusals of a request (its body parser, its URL decoding) as our coded errors, each saying what in
 * the request to change; undefined for anything else. Fastify's messages name its internals ("Unsupported Media
 * Type"), not the caller's fix.
 */
export function frameworkErrorFor(error: unknown, request?: RefusedRequest): AppError | undefined {
  const headers = request?.headers ?? {};
  switch (codeOf(error)) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE': {
      const contentType = echoed(headers['content-type']);
      return appError(
        'unsupported_media_type',
        'UNSUPPORTED_MEDIA_TYPE',
        `the body was sent as ${contentType ?? 'no Content-Type'}; send JSON with "Content-Type: application/json" (curl: --json '{...}', or -H 'Content-Type: application/json' with -d)`,
        { contentType, accepted: ['application/json'] },
      );
    }
    case 'FST_ERR_CTP_BODY_TOO_LARGE': {
      const maxBytes = request?.bodyLimit;
      const sent = Number(echoed(headers['content-length']));
      return appError(
        'payload_too_large',
        'PAYLOAD_TOO_LARGE',
        `the body is larger than the ${maxBytes ?? 'maximum number of'} bytes the API reads; send less (a command's data is at most COMMAND_MAX_BYTES)`,
        { ...(maxBytes === undefined ? {} : { maxBytes }), ...(Number.isSafeInteger(sent) && sent > 0 ? { contentLength: sent } : {}) },
      );
    }
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return appError(
        'invalid',
        'CONTENT_LENGTH_MISMATCH',
        'the body is not as long as its Content-Length header says; let the HTTP client set Content-Length',
        {
          contentLength: echoed(headers['content-length']),
        },
      );
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return appError('invalid', 'INVALID_JSON', 'the body is not valid JSON; send a JSON object (e.g. {"reason":"..."}), or no body at all', {});
    case 'FST_ERR_BAD_URL':
      return appError(
        'invalid',
        'INVALID_URL',
        'the URL has a malformed percent-encoding; encode each reserved or non-ASCII byte of the path as %XX (UTF-8)',
        {},
      );
    default:
      return undefined;
  }
}
