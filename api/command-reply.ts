import type { FastifyReply } from 'fastify';
import { isAppError, type AppError } from '../domain/shared/app-error.ts';
import type { CommandResult } from '../commands/result.ts';
import { decisionRecordedDataSchema } from '../domain/policy/decision-events.ts';
import type { AnswerDetail } from './answer-detail.ts';
import { httpErrorFor } from './http-errors.ts';

type ResultEvent = CommandResult['events'][number];

/**
 * What an answer tells of a decision, read with the decision event's own schema: fields every version of it has, so a
 * replayed answer (an earlier execution's events, as stored) reads the same. The rest (the request as the policy saw
 * it, every rule's evaluation) is left out unread.
 */
const decisionReceipt = decisionRecordedDataSchema.pick({
  decisionId: true,
  orgId: true,
  action: true,
  outcome: true,
  determiningRuleIds: true,
  reasons: true,
  escalateTo: true,
  policy: true,
});

/** The decision an event records, or null when it records none (or is not a decision event this code can read). */
function receiptOf(event: ResultEvent) {
  if (event.type !== 'DecisionRecorded') return null;
  const parsed = decisionReceipt.safeParse(event.data);
  return parsed.success ? parsed.data : null;
}

/**
 * The decision that let a command through, as its caller sees it: a receipt (which decision, its outcome and the
 * rules that permitted it). The full record holds the org as the policy saw it (owner, tags, metadata, status) and
 * every rule's outcome: it is read where the org's policy lets one read decisions (`audit.read`), never handed to
 * whoever the policy let act (an outsider applying for a role).
 */
function eventData(event: ResultEvent): unknown {
  if (event.type !== 'DecisionRecorded') return event.data;
  const receipt = receiptOf(event);
  if (receipt === null) return {};
  const { decisionId, orgId, action, outcome, determiningRuleIds } = receipt;
  return { decisionId, orgId, action, outcome, determiningRuleIds };
}

/** One line, whatever the policy's authors wrote: line breaks folded, at most 200 characters. */
function oneLine(reasons: readonly string[]): string {
  const line = reasons.join('; ').replace(/\s+/g, ' ').trim();
  return line.length > 200 ? `${line.slice(0, 199)}…` : line;
}

/**
 * The command's own decision (the first recorded with it; others are consents it also needed, e.g. a parent org's),
 * in brief: what was decided (`action`), the `outcome`, the rules that determined it and why, in one line. `full`
 * adds every reason, where to escalate and the policy version, still without the other rules' evaluations or the
 * request as the policy saw it (see eventData).
 */
function decisionOf(events: CommandResult['events'], detail: AnswerDetail) {
  const recorded = events.find((event) => event.type === 'DecisionRecorded');
  const receipt = recorded === undefined ? null : receiptOf(recorded);
  if (receipt === null) return null;
  const { reasons } = receipt;
  const summary = {
    decisionId: receipt.decisionId,
    action: receipt.action,
    outcome: receipt.outcome,
    determiningRuleIds: receipt.determiningRuleIds,
    reason: oneLine(reasons),
  };
  if (detail === 'summary') return summary;
  const { policy } = receipt;
  return { ...summary, reasons, escalateTo: receipt.escalateTo, policy: { source: policy.source, version: policy.version } };
}

/**
 * The one place a command's answer is built (every command route, REST and the agents' HTTP requests). Revisions fit
 * a JSON number; positions are opaque tokens (EventStoreDB's are 64-bit), so they travel as strings. By default the
 * events are named, not repeated (their data is what the client just sent, or the state it changed); `full` has them.
 */
export function commandResultBody(result: CommandResult, detail: AnswerDetail) {
  return {
    commandId: result.commandId,
    streamId: result.streamId,
    streamRevision: Number(result.streamRevision),
    position: result.position === null ? null : result.position.toString(),
    replayed: result.replayed,
    decision: decisionOf(result.events, detail),
    events: result.events.map((event) =>
      detail === 'full'
        ? { eventId: event.eventId, type: event.type, revision: Number(event.revision), data: eventData(event) }
        : { eventId: event.eventId, type: event.type, revision: Number(event.revision) },
    ),
  };
}

/** What a refusal by policy says by default: the caller's own outcome and why; every rule's evaluation only in `full`. */
const FULL_ONLY_DETAILS = ['evaluations', 'errors'];

/** A command's refusal at the detail asked for; callerView (in httpErrorFor) then shapes it for its audience. */
export function commandError(error: AppError, detail: AnswerDetail): AppError {
  if (detail === 'full' || error.code !== 'POLICY_DENIED') return error;
  return { ...error, details: Object.fromEntries(Object.entries(error.details).filter(([key]) => !FULL_ONLY_DETAILS.includes(key))) };
}

export function sendError(reply: FastifyReply, error: AppError): FastifyReply {
  const { status, body, headers } = httpErrorFor(error);
  return reply.code(status).headers(headers).send(body);
}

export interface CommandAnswer {
  detail: AnswerDetail;
  /** Success status: 201 for what creates, 200 otherwise. */
  status?: number;
  /** Fields answered before the command's own (the id of what was created, a key shown once). */
  extra?: Record<string, unknown>;
}

export function sendCommand(reply: FastifyReply, result: CommandResult | AppError, answer: CommandAnswer): FastifyReply {
  if (isAppError(result)) return sendError(reply, commandError(result, answer.detail));
  reply.header('etag', `"${result.streamRevision}"`);
  return reply.code(answer.status ?? 200).send({ ...answer.extra, ...commandResultBody(result, answer.detail) });
}
