import { MIMEType } from 'node:util';
import type { FastifyInstance } from 'fastify';
import { appError } from '../domain/shared/app-error.ts';
import { sendError } from './command-reply.ts';
import { ThrownAppError } from './thrown-app-error.ts';

/**
 * How deep `text` (JSON) nests objects and arrays, counting only brackets outside strings, stopping as soon as it
 * passes `max`. Linear and allocation-free, so a body can be refused before anything recursive parses or walks it.
 */
export function nestingPasses(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (inString) {
      if (code === 0x5c)
        index += 1; // a backslash: skip the escaped character
      else if (code === 0x22) inString = false;
    } else if (code === 0x22) inString = true;
    else if (code === 0x7b || code === 0x5b) {
      depth += 1;
      if (depth > max) return true;
    } else if (code === 0x7d || code === 0x5d) depth -= 1;
  }
  return false;
}

/** The charset a Content-Type names, lower-cased; null when it names none (JSON is UTF-8 by definition, RFC 8259). */
function charsetOf(contentType: string | undefined): string | null | undefined {
  if (contentType === undefined) return null;
  try {
    return new MIMEType(contentType).params.get('charset')?.toLowerCase() ?? null;
  } catch {
    return undefined;
  }
}

/**
 * How the server reads request bodies, REST and GraphQL alike. Bodies are UTF-8 JSON: a body in another charset is
 * 415 (never decoded as if it were UTF-8), whatever parser its media type has; anything but JSON (and GraphQL's own
 * `application/graphql`) is 415 too, instead of being half-parsed. JSON nesting is capped before parsing
 * (400 JSON_TOO_DEEP, instead of a stack overflow in whatever walks the value next); then Fastify's own parser
 * runs, which refuses `__proto__` and `constructor.prototype` keys.
 */
export function registerRequestBodies(app: FastifyInstance, maxDepth: number): void {
  app.removeContentTypeParser('text/plain');
  // Answered here rather than thrown: GraphQL's scope has an error handler of its own, and this is the API's answer.
  app.addHook('onRequest', async (request, reply) => {
    // Only a body is read in a charset: a header on a request without one (a GET from a chatty client) is harmless.
    const length = request.headers['content-length'];
    if ((length === undefined || length === '0') && request.headers['transfer-encoding'] === undefined) return;
    const charset = charsetOf(request.headers['content-type']);
    if (charset !== null && charset !== 'utf-8' && charset !== 'utf8') {
      return sendError(
        reply,
        appError(
          'unsupported_media_type',
          'UNSUPPORTED_MEDIA_TYPE',
          'send the body as UTF-8 JSON (Content-Type: application/json or application/json; charset=utf-8)',
          {
            charset: charset ?? 'unreadable',
          },
        ),
      );
    }
  });
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    // An empty body is no body, whatever the Content-Type says (`curl -X POST -H 'Content-Type: application/json'`):
    // a command without fields can be sent bare either way.
    if (text.trim() === '') {
      done(null, undefined);
      return;
    }
    if (nestingPasses(text, maxDepth)) {
      done(
        new ThrownAppError('invalid', 'JSON_TOO_DEEP', `JSON bodies nest objects and arrays at most ${maxDepth} levels; send a flatter body`, { maxDepth }),
        undefined,
      );
      return;
    }
    parseJson(request, text, (error, value) => done(error ? refusalOf(text) : null, value));
  });
}

/**
 * Why Fastify's parser (which also refuses prototype keys) refused `text`: not JSON at all, said with the position
 * the platform's own parser names, or JSON with a key no object may have.
 */
function refusalOf(text: string): ThrownAppError {
  try {
    JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : 'unparseable';
    return new ThrownAppError(
      'invalid',
      'INVALID_JSON',
      `the body is not valid JSON (${reason}); send one JSON object, e.g. {"name":"..."}, with Content-Type: application/json`,
      {
        reason,
      },
    );
  }
  return new ThrownAppError(
    'invalid',
    'FORBIDDEN_JSON_KEY',
    'the body has a "__proto__" or "constructor"."prototype" key, which no object may have; rename the key',
    {
      keys: ['__proto__', 'constructor.prototype'],
    },
  );
}
