import { randomUUID } from 'node:crypto';
import { assignmentAggregate } from '../../commands/handlers/assignment.ts';
import { contractAggregate } from '../../commands/handlers/contract.ts';
import { recordContractBreach } from '../../commands/contract-breach.ts';
import { contractedTaskAggregate } from '../../commands/handlers/contracted-task.ts';
import { jobAggregate } from '../../commands/handlers/job.ts';
import { refusalAudience } from '../../commands/governance/refusal-audience.ts';
import type { CommandPipeline } from '../../commands/pipeline.ts';
import type { StreamReader } from '../../commands/stream-loader.ts';
import type { CommandResult } from '../../commands/result.ts';
import { appError, isAppError, type AppError } from '../../domain/shared/app-error.ts';
import { fieldIssue, issuesSummary } from '../../domain/shared/field-issues.ts';
import { systemPrincipal, type Principal } from '../../domain/shared/principal.ts';
import { subtaskIdFor, type WorkRequestKind } from '../../domain/agent-protocol/subjects.ts';
import { workRequestSchemas } from '../../domain/agent-protocol/messages.ts';
import type { z } from 'zod';

function parse<T>(schema: z.ZodType<T>, payload: unknown): T | AppError {
  const parsed = schema.safeParse(payload);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((issue) => fieldIssue(issue));
  return appError('invalid', 'VALIDATION_FAILED', issuesSummary('the request is invalid', issues), { issues });
}

/** The requests that are the assignee's own task commands, run as it and checked against its contract (taskCommand). */
const taskRequests = { progress: 'ReportTaskProgress', tool: 'UseTool', inform: 'CompleteTask', failure: 'FailTaskAttempt' } as const;

export interface AgentCommandInput {
  kind: WorkRequestKind;
  payload: unknown;
  /** Derived from the credential by the caller (gateway or HTTP route), never from the payload. */
  principal: Principal;
  /** The agent's idempotency key, when it sent one: a retry with it answers the same. */
  idempotencyKey?: string;
  /** Reads the org a bid is for: whether the bidder may see it at all. */
  reader: StreamReader;
}

/**
 * What an agent asks for, as the command the platform runs, in one place for the bus gateway and the HTTP routes.
 * Bids are recorded by the platform in the bidder's name (the assignment records every bid, valid or not, so a bid
 * is never refused before it is on record); every other request runs as the agent itself, governed by the org's
 * policy and checked by the aggregate (only the assignee works on its task, only a verifier verifies). A task command
 * outside the contract is refused with the clause, and the breach is recorded on the contract.
 */
export async function runAgentCommand(pipeline: CommandPipeline, input: AgentCommandInput): Promise<CommandResult | AppError> {
  const { principal } = input;
  if (principal.kind !== 'subject')
    return appError('forbidden', 'AGENTS_ONLY', 'this request is made by an agent (a subject) for itself', { kind: principal.kind });
  // Before the request's schema (which is recursive for free JSON): the same limits every command is held to.
  const malformed = pipeline.refuseInput(input.payload);
  if (malformed) return malformed;
  const commandId = input.idempotencyKey ? `agent:${principal.id}:${input.idempotencyKey}` : randomUUID();
  const envelope = { commandId, principal, retryable: input.idempotencyKey !== undefined };
  switch (input.kind) {
    case 'propose': {
      const request = parse(workRequestSchemas.propose, input.payload);
      if (isAppError(request)) return request;
      // The bid is recorded as the platform, so the org's policy never sees the bidder: a bidder that may not see the
      // org is answered here as if the org did not exist, and nothing is recorded in the org's log.
      const audience = await refusalAudience(input.reader, principal, request.orgId, new Date().toISOString());
      if (audience?.kind === 'outsider') return audience.notFound;
      // One bid per subject, job and round, whatever key it comes with: a repeat is answered with the first.
      const bidId = `bid:${principal.id}:${request.jobId.toLowerCase()}:${request.round}`;
      return pipeline.execute(
        assignmentAggregate,
        { type: 'RecordProposal', data: { ...request, subjectId: principal.id } },
        { commandId: bidId, retryable: true, principal: systemPrincipal, correlationId: bidId },
      );
    }
    case 'sign': {
      const request = parse(workRequestSchemas.sign, input.payload);
      if (isAppError(request)) return request;
      return pipeline.execute(contractAggregate, { type: 'SignContract', data: { ...request, party: 'assignee' } }, envelope);
    }
    case 'refuse': {
      const request = parse(workRequestSchemas.refuse, input.payload);
      if (isAppError(request)) return request;
      return pipeline.execute(contractAggregate, { type: 'RejectContract', data: { ...request, party: 'assignee' } }, envelope);
    }
    case 'progress':
    case 'tool':
    case 'inform':
    case 'failure': {
      const request = parse<TaskCommand['data']>(workRequestSchemas[input.kind], input.payload);
      if (isAppError(request)) return request;
      return taskCommand(pipeline, { type: taskRequests[input.kind], data: request }, envelope);
    }
    case 'subtask': {
      const request = parse(workRequestSchemas.subtask, input.payload);
      if (isAppError(request)) return request;
      // Decided with the parent task and its contract: only its assignee splits it, for itself, under that contract.
      const { key, ...fields } = request;
      const taskId = subtaskIdFor(fields.parentTaskId, key);
      return pipeline.execute(contractedTaskAggregate, { type: 'CreateTask', data: { ...fields, taskId, assigneeSubjectId: principal.id } }, envelope);
    }
    case 'verdict': {
      const request = parse(workRequestSchemas.verdict, input.payload);
      if (isAppError(request)) return request;
      const { orgId, jobId, accept, note } = request;
      if (accept) return pipeline.execute(jobAggregate, { type: 'VerifyJob', data: { orgId, jobId, ...(note ? { note } : {}) } }, envelope);
      return pipeline.execute(jobAggregate, { type: 'RejectDelivery', data: { orgId, jobId, reason: note ?? 'rejected by the verifier' } }, envelope);
    }
  }
}

/** A command on one task of an org, as the agent's requests give it. */
interface TaskCommand {
  type: string;
  data: { orgId: string; taskId: string } & Record<string, unknown>;
}

async function taskCommand(
  pipeline: CommandPipeline,
  command: TaskCommand,
  envelope: { commandId: string; principal: Principal; retryable: boolean },
): Promise<CommandResult | AppError> {
  const result = await pipeline.execute(contractedTaskAggregate, command, envelope);
  if (isAppError(result) && result.code === 'CONTRACT_VIOLATION') {
    const attempted = `${command.type} on task ${command.data.taskId}`;
    await recordContractBreach(pipeline, { orgId: command.data.orgId, attempted, error: result }, envelope);
  }
  return result;
}
