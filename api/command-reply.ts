import type { FastifyReply } from 'fastify';
import { isAppError, type AppError } from '../domain/shared/app-error.ts';
import type { CommandResult } from '../commands/result.ts';
import { httpErrorFor } from './http-errors.ts';

/** Revisions fit a JSON number; positions are opaque tokens (EventStoreDB's are 64-bit), so they travel as strings. */
export function commandResultBody(result: CommandResult) {
  return {
    commandId: result.commandId,
    streamId: result.streamId,
    streamRevision: Number(result.streamRevision),
    position: result.position === null ? null : result.position.toString(),
    replayed: result.replayed,
    events: result.events.map((event) => ({ eventId: event.eventId, type: event.type, revision: Number(event.revision), data: event.data })),
  };
}

export function sendError(reply: FastifyReply, error: AppError): FastifyReply {
  const { status, body } = httpErrorFor(error);
  if (status === 401) reply.header('www-authenticate', 'Bearer');
  // A refusal for being too many says when to come back (RFC 9110 Retry-After, in seconds).
  const retryAfter = error.details.retryAfterSeconds;
  if (status === 429 && typeof retryAfter === 'number') reply.header('retry-after', String(retryAfter));
  return reply.code(status).send(body);
}

export function sendCommand(
  reply: FastifyReply,
  result: CommandResult | AppError,
  successStatus = 200,
  extra: Record<string, unknown> = {},
): FastifyReply {
  if (isAppError(result)) return sendError(reply, result);
  reply.header('etag', `"${result.streamRevision}"`);
  return reply.code(successStatus).send({ ...extra, ...commandResultBody(result) });
}
