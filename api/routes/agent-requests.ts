import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { appError, isAppError, type AppError } from '../../domain/shared/app-error.ts';
import { runAgentCommand } from '../agent-gateway/agent-commands.ts';
import { AGENT_IDEMPOTENCY_KEY, workRequestSchemas } from '../../domain/agent-protocol/messages.ts';
import { WORK_REQUEST_KINDS, type WorkRequestKind } from '../../domain/agent-protocol/subjects.ts';
import { answerDetailOf } from '../answer-detail.ts';
import { sendCommand, sendError } from '../command-reply.ts';
import type { Platform } from '../platform.ts';
import { commandErrors, commandReply } from '../openapi/responses.ts';
import { commandQuerystring } from './command-route.ts';
import { checkedWhereRead, type ZodRequestTypes } from '../routing/request-schemas.ts';

const tags = ['agents'];

/** Each kind: its body, and what it does (the command runAgentCommand runs for it). */
const kinds: Record<WorkRequestKind, { schema: z.ZodType; summary: string; description: string }> = {
  propose: {
    schema: workRequestSchemas.propose,
    summary: "Bid for a job's auction round",
    description:
      "RecordProposal, recorded by the platform in the caller's name: every bid is on record, valid or not (the answer's ProposalRecorded says which, with its reasons).",
  },
  sign: {
    schema: workRequestSchemas.sign,
    summary: 'Sign the contract offered to the caller',
    description: "SignContract as the `assignee` party (action `contract.sign`): only the contract's assignee (403 NOT_THE_ASSIGNEE).",
  },
  refuse: {
    schema: workRequestSchemas.refuse,
    summary: 'Refuse the contract offered to the caller',
    description: 'RejectContract as the `assignee` party (action `contract.reject`): the assignment goes on without the caller.',
  },
  progress: {
    schema: workRequestSchemas.progress,
    summary: "Report progress on (heartbeat) the caller's task",
    description: "ReportTaskProgress (action `task.progress`), checked against the task's contract.",
  },
  tool: {
    schema: workRequestSchemas.tool,
    summary: "Record a tool use on the caller's task",
    description:
      "UseTool (action `task.tool.use`), checked against the task's contract: a tool it does not permit is 403 CONTRACT_VIOLATION (details: contractId, clause, action, tool) and the breach is recorded on the contract (ContractBreached `forbidden_action`).",
  },
  subtask: {
    schema: workRequestSchemas.subtask,
    summary: "Split the caller's task into a sub-task",
    description:
      "CreateTask (action `task.create`) of a sub-task of the caller's open task, for the caller, under the same contract (which must permit `task.create`); the platform dispatches it to the caller like any task. Its id is derived from the parent and the caller's `key` (`subtaskIdFor(parentTaskId, key)`), never chosen by the caller.",
  },
  inform: {
    schema: workRequestSchemas.inform,
    summary: "Complete the caller's task with its outputs",
    description: "CompleteTask (action `task.complete`), checked against the task's contract; the platform then delivers the job.",
  },
  failure: {
    schema: workRequestSchemas.failure,
    summary: "Report that the current attempt of the caller's task failed",
    description: 'FailTaskAttempt (action `task.fail`), naming the current attempt (409 ATTEMPT_MISMATCH otherwise).',
  },
  verdict: {
    schema: workRequestSchemas.verdict,
    summary: "A verifier's verdict on a job's delivery",
    description:
      '`accept: true` is VerifyJob (action `job.verify`); `false` is RejectDelivery with the note as the reason. Only a verifier of the job (403 NOT_THE_VERIFIER).',
  },
};

const agentHeaders = z.object({
  'idempotency-key': z
    .string()
    .regex(AGENT_IDEMPOTENCY_KEY)
    .optional()
    .describe('1 to 200 printable ASCII characters, as on the bus: a retry with the same key (over HTTP or the bus) answers the same and changes nothing'),
});

function doc(kind: WorkRequestKind) {
  const { schema, summary, description } = kinds[kind];
  return {
    summary,
    description:
      `Agent request \`${kind}\`, the HTTP twin of the bus subject \`agencygrid.work.<subjectId>.<keyId>.${kind}\` for agents without NATS. ${description} ` +
      'The caller must be a subject (an agent acting for itself; admins: 403 AGENTS_ONLY), derived from its API key, never from the body. If-Match is not taken (400 INVALID_HEADER).',
    tags,
    // Checked where the request is run, as the bus gateway does: headerError, answerDetailOf, runAgentCommand.
    headers: checkedWhereRead(agentHeaders),
    querystring: commandQuerystring,
    body: checkedWhereRead(schema),
    response: { '200': commandReply('Done'), ...commandErrors },
  };
}

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Agents over HTTP: `POST /agent/requests/<kind>` runs what the bus gateway runs for `agencygrid.work.<subjectId>.<keyId>.<kind>`
 * (runAgentCommand), as the authenticated subject, and answers like every command route.
 */
export async function agentRequestRoutes(app: FastifyInstance, platform: Platform): Promise<void> {
  const routes = app.withTypeProvider<ZodRequestTypes>();
  const handle = (kind: string) => async (request: FastifyRequest, reply: FastifyReply) => {
    const known = (WORK_REQUEST_KINDS as readonly string[]).includes(kind);
    if (!known) {
      return sendError(reply, appError('not_found', 'UNKNOWN_REQUEST', `no agent request is called ${kind}`, { kind, known: [...WORK_REQUEST_KINDS] }));
    }
    const principal = request.principal;
    if (!principal) return sendError(reply, appError('unauthenticated', 'UNAUTHENTICATED', 'authentication required'));
    const refused = headerError(request);
    if (refused) return sendError(reply, refused);
    const detail = answerDetailOf(request);
    if (isAppError(detail)) return sendError(reply, detail);
    const key = header(request, 'idempotency-key');
    const { keyId: _keyId, ...actor } = principal;
    const result = await runAgentCommand(platform.pipeline, {
      kind: kind as WorkRequestKind,
      payload: request.body,
      principal: actor,
      reader: platform.loader,
      ...(key === undefined ? {} : { idempotencyKey: key }),
    });
    return sendCommand(reply, result, { detail });
  };

  for (const kind of WORK_REQUEST_KINDS) app.post(`/agent/requests/${kind}`, { schema: doc(kind) }, handle(kind));
  // Any other kind: a specific 404 naming the kinds there are (undocumented: the kinds above are the API).
  routes.post('/agent/requests/:kind', { schema: { params: z.object({ kind: z.string() }) } }, async (request, reply) =>
    handle(request.params.kind)(request, reply),
  );
}

function headerError(request: FastifyRequest): AppError | null {
  const key = header(request, 'idempotency-key');
  if (key !== undefined && !AGENT_IDEMPOTENCY_KEY.test(key)) {
    return appError('invalid', 'INVALID_HEADER', 'Idempotency-Key must be 1 to 200 printable ASCII characters', { header: 'Idempotency-Key' });
  }
  // runAgentCommand takes no expected revision: a precondition the client believes holds but nobody checks is refused.
  if (header(request, 'if-match') !== undefined) {
    return appError('invalid', 'INVALID_HEADER', 'agent requests take no If-Match (they are checked against the current state)', { header: 'If-Match' });
  }
  return null;
}
