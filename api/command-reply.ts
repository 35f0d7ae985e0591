import type { FastifyReply } from 'fastify';
import { isAppError, type AppError } from '../domain/shared/app-error.ts';
import type { CommandResult } from '../commands/result.ts';
import { httpErrorFor } from './http-errors.ts';

/**
 * The decision that let a command through, as its caller sees it: a receipt (which decision, its outcome and the
 * rules that permitted it). The full record holds the org as the policy saw it (owner, tags, metadata, status) and
 * every rule's outcome: it is read where the org's policy lets one read decisions (`audit.read`), never handed to
 * whoever the policy let act (an outsider applying for a role).
 */
function eventData(event: CommandResult['events'][number]): unknown {
  if (event.type !== 'DecisionRecorded') return event.data;
  const { decisionId, orgId, action, outcome, determiningRuleIds } = event.data as Record<string, unknown>;
  return { decisionId, orgId, action, outcome, determiningRuleIds };
}

/** Revisions fit a JSON number; positions are opaque tokens (EventStoreDB's are 64-bit), so they travel as strings. */
export function commandResultBody(result: CommandResult) {
  return {
    commandId: result.commandId,
    streamId: result.streamId,
    streamRevision: Number(result.streamRevision),
    position: result.position === null ? null : result.position.toString(),
    replayed: result.replayed,
    events: result.events.map((event) => ({ eventId: event.eventId, type: event.type, revision: Number(event.revision), data: eventData(event) })),
  };
}

export function sendError(reply: FastifyReply, error: AppError): FastifyReply {
  const { status, body, headers } = httpErrorFor(error);
  return reply.code(status).headers(headers).send(body);
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
