import { backoffDelay } from '../../infra/retry/backoff.ts';
import { taskRetry } from '../../infra/retry/policies.ts';
import { v5 as uuidv5 } from 'uuid';
import type { Logger } from 'pino';
import { contractAggregate } from '../../commands/handlers/contract.ts';
import { contractedTaskAggregate } from '../../commands/handlers/contracted-task.ts';
import { jobAggregate } from '../../commands/handlers/job.ts';
import type { CommandPipeline } from '../../commands/pipeline.ts';
import type { StreamReader } from '../../commands/stream-loader.ts';
import { jobDecider, jobStream } from '../../domain/job/decider.ts';
import type { Job } from '../../domain/job/state.ts';
import { isAppError } from '../../domain/shared/app-error.ts';
import { subjectDecider, subjectStream } from '../../domain/subject/decider.ts';
import { taskDecider, taskStream } from '../../domain/task/decider.ts';
import type { Bus } from '../../infra/bus/port.ts';
import { StreamNotFoundError } from '../../infra/eventstore/errors.ts';
import type { EventStore } from '../../infra/eventstore/port.ts';
import { agentInboxSubject } from '../../domain/agent-protocol/subjects.ts';
import type { TaskDispatch, VerificationRequest } from '../../domain/agent-protocol/messages.ts';
import type { PlatformEventRegistry } from '../../domain/events/catalog.ts';
import type { Saga, SagaEvent } from '../saga-runner.ts';
import { orgWorkSettings } from './org-settings.ts';
import { SystemCommands } from './system-commands.ts';
import type { OpenJobsHeldBy } from './workloads.ts';

const TASK_NAMESPACE = '5d6e7f80-91a2-4b3c-8d4e-5f6071829a3b';
/** The task of an assignment (one per contract): derived, so a retried step creates the same task. */
export const taskIdFor = (contractId: string) => uuidv5(`task:${contractId}`, TASK_NAMESPACE);

export const TASK_HEARTBEAT = 'task.heartbeat';
export const TASK_RETRY = 'task.retry';
export const VERDICT_DUE = 'job.verification';

export interface ExecutionSagaDeps {
  pipeline: CommandPipeline;
  reader: StreamReader;
  store: EventStore;
  /** Decodes the job's earlier events (read back from its stream) to their current, typed shape. */
  registry: PlatformEventRegistry;
  bus: Bus;
  /** The open jobs a subject holds, for reassigning them when it is suspended. */
  openJobsHeldBy: OpenJobsHeldBy;
  clock?: () => Date;
  logger?: Logger;
}

const handled = [
  'JobAssigned',
  'TaskCreated',
  'TaskDispatched',
  'TaskAttemptFailed',
  'TaskFailed',
  'TaskCompleted',
  'JobDelivered',
  'JobVerified',
  'JobDeliveryRejected',
  'JobFailed',
  'JobCancelled',
  'JobEscalationResolved',
  'SubjectSuspended',
  'TimerFired',
] as const;
type Handled = (typeof handled)[number];

/**
 * Runs the work of an assigned job:
 *
 *   JobAssigned -> CreateTask (the job's goal, under its contract) -> DispatchTask attempt 1
 *   TaskDispatched -> StartWork on the job; `dispatch` to the agent; a heartbeat timer
 *   heartbeat timer -> silent for the task's heartbeat timeout: the attempt fails (as system); else check again later
 *   TaskAttemptFailed (attempts left) -> a retry timer with exponential backoff -> DispatchTask attempt n+1
 *   TaskFailed (attempts exhausted), or the assignee suspended -> reassigned: escalated and resolved `reassign` by the
 *   platform, both on record; the assignment then runs a new round without the previous assignee
 *   TaskCompleted -> DeliverJob with the task's outputs
 *   JobDelivered -> verifiers get `verify`; a job without verifiers is verified by the platform
 *   JobVerified -> contract fulfilled; rejected / failed / cancelled / sent back to contracting -> task cancelled,
 *   contract terminated
 */
export class ExecutionSaga implements Saga<Handled> {
  readonly name = 'execution';
  readonly eventTypes = handled;
  private readonly commands: SystemCommands;

  constructor(private readonly deps: ExecutionSagaDeps) {
    this.commands = new SystemCommands(deps.pipeline, deps.logger);
  }

  private now(): Date {
    return (this.deps.clock ?? (() => new Date()))();
  }

  async handle(event: SagaEvent<Handled>): Promise<void> {
    switch (event.type) {
      case 'JobAssigned':
        return this.onAssigned(event, event.data.jobId, event.data.assigneeSubjectId, event.data.contractId);
      case 'TaskCreated': {
        const { taskId, orgId, parentTaskId } = event.data;
        // Root tasks are dispatched where they are created; a sub-task (an assignee split its task) is dispatched here.
        if (parentTaskId === null) return;
        await this.commands.run(contractedTaskAggregate, { type: 'DispatchTask', data: { taskId, orgId, attempt: 1 } }, `exec:${taskId}:dispatch:1`, event);
        return;
      }
      case 'TaskDispatched':
        return this.onDispatched(event, event.data.taskId, event.data.attempt);
      case 'TimerFired':
        return this.onTimer(event);
      case 'TaskAttemptFailed':
        return this.onAttemptFailed(event, event.data.taskId, event.data.attempt, event.data.willRetry);
      case 'TaskFailed':
        return this.onTaskFailed(event, event.data.taskId, event.data.reason);
      case 'TaskCompleted':
        return this.onCompleted(event, event.data.taskId);
      case 'JobDelivered':
        return this.onDelivered(event, event.data.jobId);
      case 'JobVerified':
        return this.endContract(event, event.data.jobId, 'fulfil', 'the job was verified');
      case 'JobDeliveryRejected':
      case 'JobFailed':
      case 'JobCancelled':
        return this.endContract(
          event,
          event.data.jobId,
          'terminate',
          `the job was ${event.type === 'JobFailed' ? 'failed' : event.type === 'JobCancelled' ? 'cancelled' : 'rejected'}: ${event.data.reason}`.slice(
            0,
            1000,
          ),
        );
      case 'SubjectSuspended':
        return this.onSuspended(event, event.data.subjectId);
      case 'JobEscalationResolved': {
        const { jobId, status, note } = event.data;
        if (status === 'contracting') return this.endContract(event, jobId, 'terminate', 'the job went back to contracting');
        if (status === 'cancelled')
          return this.endContract(event, jobId, 'terminate', `the job was cancelled: ${note ?? 'escalation resolved by cancelling'}`.slice(0, 1000));
        return;
      }
    }
  }

  private async job(jobId: string): Promise<Job | null> {
    return (await this.deps.reader.load(jobDecider, jobStream(jobId))).state;
  }

  private async onAssigned(event: SagaEvent, jobId: string, assigneeSubjectId: string, contractId: string): Promise<void> {
    const job = await this.job(jobId);
    if (job === null || job.assignment?.contractId !== contractId) return;
    const settings = await orgWorkSettings(this.deps.reader, job.orgId);
    const taskId = taskIdFor(contractId);
    const existing = (await this.deps.reader.load(taskDecider, taskStream(taskId))).state;
    if (existing !== null && existing.contractId !== contractId) {
      // Only the platform names root tasks, so this is a defect or an admin's doing: say so rather than stall quietly.
      this.deps.logger?.error({ jobId, taskId, contractId }, 'the task id of an assignment is taken by another task; the job is not dispatched');
      return;
    }
    // Created already (a replay, or settings changed since): the step is done, whatever the command would say now.
    const created =
      existing !== null
        ? null
        : await this.commands.run(
            contractedTaskAggregate,
            {
              type: 'CreateTask',
              data: {
                taskId,
                orgId: job.orgId,
                jobId,
                contractId,
                title: job.goal.slice(0, 200),
                input: { goal: job.goal, objectives: job.objectives, outputTemplate: job.outputTemplate },
                assigneeSubjectId,
                heartbeatTimeoutMs: settings.taskHeartbeatMs,
                maxAttempts: settings.taskMaxAttempts,
              },
            },
            `exec:${taskId}:create`,
            event,
          );
    if (created !== null && isAppError(created)) return;
    if (existing !== null && existing.attempt > 0) return;
    await this.commands.run(
      contractedTaskAggregate,
      { type: 'DispatchTask', data: { taskId, orgId: job.orgId, attempt: 1 } },
      `exec:${taskId}:dispatch:1`,
      event,
    );
  }

  private async onDispatched(event: SagaEvent<'TaskDispatched'>, taskId: string, attempt: number): Promise<void> {
    const task = (await this.deps.reader.load(taskDecider, taskStream(taskId))).state;
    if (task === null || task.attempt !== attempt || task.status !== 'dispatched') return;
    const job = await this.job(task.jobId);
    if (job?.status === 'assigned') {
      await this.commands.run(jobAggregate, { type: 'StartWork', data: { jobId: job.jobId, orgId: job.orgId } }, `exec:${taskId}:start-work`, event);
    }
    const { dispatchedAt } = event.data;
    await this.commands.schedule(
      {
        key: `${TASK_HEARTBEAT}:${taskId}:${attempt}:0`,
        orgId: task.orgId,
        dueAt: new Date(Date.parse(dispatchedAt) + task.heartbeatTimeoutMs),
        purpose: TASK_HEARTBEAT,
        ref: { taskId, attempt, check: 0 },
      },
      event,
    );
    const message: TaskDispatch = {
      orgId: task.orgId,
      jobId: task.jobId,
      taskId,
      attempt,
      title: task.title,
      input: task.input,
      contractId: task.contractId,
      parentTaskId: task.parentTaskId,
      heartbeatMs: task.heartbeatTimeoutMs,
    };
    await this.deps.bus.publish(agentInboxSubject(task.assigneeSubjectId, 'dispatch'), { data: message });
  }

  private async onTimer(event: SagaEvent<'TimerFired'>): Promise<void> {
    const { purpose, dueAt } = event.data;
    // The ref is the JSON this saga scheduled the timer with: its shape depends on the purpose.
    if (purpose === VERDICT_DUE) return this.onVerdictDue(event, event.data.ref as { jobId?: string; deliveredAt?: string; timeoutMs?: number });
    const ref = event.data.ref as { taskId?: string; attempt?: number; check?: number };
    if ((purpose !== TASK_HEARTBEAT && purpose !== TASK_RETRY) || typeof ref.taskId !== 'string' || typeof ref.attempt !== 'number') return;
    const task = (await this.deps.reader.load(taskDecider, taskStream(ref.taskId))).state;
    if (task === null || task.attempt !== ref.attempt) return;
    if (purpose === TASK_RETRY) {
      if (task.status !== 'retrying') return;
      const next = ref.attempt + 1;
      await this.commands.run(
        contractedTaskAggregate,
        { type: 'DispatchTask', data: { taskId: task.taskId, orgId: task.orgId, attempt: next } },
        `exec:${task.taskId}:dispatch:${next}`,
        event,
      );
      return;
    }
    if (task.status !== 'dispatched' && task.status !== 'in_progress') return;
    const job = await this.job(task.jobId);
    if (job === null || job.assignment?.contractId !== task.contractId || !['assigned', 'in_progress'].includes(job.status)) {
      // The job moved on without this task (a sub-task left open when its job ended or was reassigned): stop it.
      await this.commands.run(
        contractedTaskAggregate,
        { type: 'CancelTask', data: { taskId: task.taskId, orgId: task.orgId, reason: 'its job is no longer worked under this contract' } },
        `exec:${task.taskId}:cancel`,
        event,
      );
      await this.deps.bus.publish(agentInboxSubject(task.assigneeSubjectId, 'cancel'), {
        data: { orgId: task.orgId, taskId: task.taskId, reason: 'its job is no longer worked under this contract' },
      });
      return;
    }
    // Silent since the last heartbeat (or since the dispatch, when none came): the attempt failed.
    const lastBeat = Math.max(task.lastHeartbeatAt === null ? 0 : Date.parse(task.lastHeartbeatAt), Date.parse(dueAt) - task.heartbeatTimeoutMs);
    const silentUntil = lastBeat + task.heartbeatTimeoutMs;
    if (this.now().getTime() >= silentUntil) {
      await this.commands.run(
        contractedTaskAggregate,
        {
          type: 'FailTaskAttempt',
          data: { taskId: task.taskId, orgId: task.orgId, attempt: task.attempt, reason: `no heartbeat for ${task.heartbeatTimeoutMs} ms` },
        },
        `exec:${task.taskId}:silent:${task.attempt}`,
        event,
      );
      return;
    }
    const check = (ref.check ?? 0) + 1;
    await this.commands.schedule(
      {
        key: `${TASK_HEARTBEAT}:${task.taskId}:${task.attempt}:${check}`,
        orgId: task.orgId,
        dueAt: new Date(silentUntil),
        purpose: TASK_HEARTBEAT,
        ref: { taskId: task.taskId, attempt: task.attempt, check },
      },
      event,
    );
  }

  private async onAttemptFailed(event: SagaEvent<'TaskAttemptFailed'>, taskId: string, attempt: number, willRetry: boolean): Promise<void> {
    if (!willRetry) return;
    const task = (await this.deps.reader.load(taskDecider, taskStream(taskId))).state;
    if (task === null || task.status !== 'retrying' || task.attempt !== attempt) return;
    const backoff = backoffDelay(taskRetry((await orgWorkSettings(this.deps.reader, task.orgId)).retryBackoffMs), attempt);
    await this.commands.schedule(
      {
        key: `${TASK_RETRY}:${taskId}:${attempt}`,
        orgId: task.orgId,
        dueAt: new Date(Date.parse(event.data.failedAt) + backoff),
        purpose: TASK_RETRY,
        ref: { taskId, attempt },
      },
      event,
    );
  }

  /** Attempts exhausted (the agent failed or went silent each time): the job goes to someone else. */
  private async onTaskFailed(event: SagaEvent, taskId: string, reason: string): Promise<void> {
    const task = (await this.deps.reader.load(taskDecider, taskStream(taskId))).state;
    // A failed sub-task is reported to its assignee, whose parent task decides what it means.
    if (task === null || task.parentTaskId !== null) return;
    await this.reassign(event, task.jobId, `task failed after ${task.attempt} attempt(s): ${reason}`);
  }

  /** A suspended subject works on nothing: each open job it holds goes to someone else. */
  private async onSuspended(event: SagaEvent, subjectId: string): Promise<void> {
    // A replay after the subject was reinstated must not take its new work away.
    const subject = (await this.deps.reader.load(subjectDecider, subjectStream(subjectId))).state;
    if (subject?.status !== 'suspended') return;
    for (const { jobId } of await this.deps.openJobsHeldBy(subjectId, event.position)) {
      const job = await this.job(jobId);
      if (job?.assignment?.assigneeSubjectId !== subjectId) continue;
      await this.reassign(event, jobId, `the assignee ${subjectId} was suspended`);
    }
  }

  /**
   * Reassignment is an escalation the platform resolves at once, both on record: the job goes back to contracting,
   * its contract is terminated and the assignment starts a new round without the previous assignee. Should nobody
   * else be eligible, the assignment's own escalation brings a human in.
   */
  private async reassign(event: SagaEvent, jobId: string, reason: string): Promise<void> {
    const job = await this.job(jobId);
    if (job === null) return;
    const ours = reason.slice(0, 1000);
    // Held: escalate it first. Already escalated by this very step (a retry after the first half): go on and resolve.
    const escalatedByUs = job.status === 'escalated' && job.escalation?.reason === ours && job.escalation.escalatedBy.kind === 'system';
    if (!escalatedByUs) {
      if (job.status !== 'assigned' && job.status !== 'in_progress') return;
      const { escalateTo } = await orgWorkSettings(this.deps.reader, job.orgId);
      const escalated = await this.commands.run(
        jobAggregate,
        { type: 'EscalateJob', data: { jobId, orgId: job.orgId, reason: ours, escalateTo } },
        `exec:${jobId}:${event.eventId}:escalate`,
        event,
      );
      if (isAppError(escalated)) return;
    }
    await this.commands.run(
      jobAggregate,
      { type: 'ResolveEscalation', data: { jobId, orgId: job.orgId, resolution: 'reassign', note: 'reassigned by the platform' } },
      `exec:${jobId}:${event.eventId}:reassign`,
      event,
    );
  }

  private async onCompleted(event: SagaEvent, taskId: string): Promise<void> {
    const task = (await this.deps.reader.load(taskDecider, taskStream(taskId))).state;
    // A sub-task's result is its parent's business (the assignee folds it into the parent's result).
    if (task === null || task.completion === null || task.parentTaskId !== null) return;
    const job = await this.job(task.jobId);
    if (job === null || job.assignment?.contractId !== task.contractId) return;
    if (job.status === 'assigned') {
      await this.commands.run(jobAggregate, { type: 'StartWork', data: { jobId: job.jobId, orgId: job.orgId } }, `exec:${taskId}:start-work`, event);
    }
    const outputs = task.completion.outputs === null ? { result: null } : task.completion.outputs;
    await this.commands.run(
      jobAggregate,
      { type: 'DeliverJob', data: { jobId: job.jobId, orgId: job.orgId, deliverable: outputs, note: `delivered by task ${taskId}` } },
      `exec:${taskId}:deliver`,
      event,
    );
  }

  private async onDelivered(event: SagaEvent, jobId: string): Promise<void> {
    const job = await this.job(jobId);
    if (job === null || job.status !== 'delivered' || job.delivery === null) return;
    if (job.verifierSubjectIds.length === 0) {
      await this.commands.run(
        jobAggregate,
        { type: 'VerifyJob', data: { jobId, orgId: job.orgId, note: `completion mode ${job.completionMode}: accepted on delivery by the platform` } },
        `exec:${jobId}:verify:${event.eventId}`,
        event,
      );
      return;
    }
    // Verifiers are asked once: without a verdict in time, the job is escalated rather than left delivered for good.
    const timeout = (await orgWorkSettings(this.deps.reader, job.orgId)).verificationTimeoutMs;
    await this.commands.schedule(
      {
        key: `${VERDICT_DUE}:${jobId}:${job.delivery.deliveredAt}`,
        orgId: job.orgId,
        dueAt: new Date(Date.parse(job.delivery.deliveredAt) + timeout),
        purpose: VERDICT_DUE,
        ref: { jobId, deliveredAt: job.delivery.deliveredAt, timeoutMs: timeout },
      },
      event,
    );
    const request: VerificationRequest = { orgId: job.orgId, jobId, goal: job.goal, deliverable: job.delivery.deliverable, outputTemplate: job.outputTemplate };
    for (const verifier of job.verifierSubjectIds) await this.deps.bus.publish(agentInboxSubject(verifier, 'verify'), { data: request });
  }

  private async onVerdictDue(event: SagaEvent, ref: { jobId?: string; deliveredAt?: string; timeoutMs?: number }): Promise<void> {
    if (typeof ref.jobId !== 'string') return;
    const job = await this.job(ref.jobId);
    if (job === null || job.status !== 'delivered' || job.delivery?.deliveredAt !== ref.deliveredAt) return;
    const { escalateTo } = await orgWorkSettings(this.deps.reader, job.orgId);
    await this.commands.run(
      jobAggregate,
      {
        type: 'EscalateJob',
        data: { jobId: job.jobId, orgId: job.orgId, reason: `no verdict on the delivery within ${String(ref.timeoutMs)} ms`, escalateTo },
      },
      `exec:${job.jobId}:${ref.deliveredAt}:verdict-due`,
      event,
    );
  }

  /** The contract (and open task) of the job's latest assignment, once the job is over or sent back. */
  private async endContract(event: SagaEvent, jobId: string, how: 'fulfil' | 'terminate', reason: string): Promise<void> {
    // The assignment the event ended: the last one BEFORE the event (a later round may hold the job by now).
    const assigned = await this.lastAssignment(jobId, event.revision);
    if (assigned === null) return;
    const { contractId, orgId } = assigned;
    const taskId = taskIdFor(contractId);
    if (how === 'terminate') {
      const task = (await this.deps.reader.load(taskDecider, taskStream(taskId))).state;
      if (task !== null && !['completed', 'accepted', 'rejected', 'failed', 'cancelled'].includes(task.status)) {
        await this.commands.run(contractedTaskAggregate, { type: 'CancelTask', data: { taskId, orgId, reason } }, `exec:${taskId}:cancel`, event);
        await this.deps.bus.publish(agentInboxSubject(task.assigneeSubjectId, 'cancel'), { data: { orgId, taskId, reason } });
      }
      await this.commands.run(contractAggregate, { type: 'TerminateContract', data: { contractId, orgId, reason } }, `exec:${contractId}:terminate`, event);
      return;
    }
    await this.commands.run(contractAggregate, { type: 'FulfilContract', data: { contractId, orgId } }, `exec:${contractId}:fulfil`, event);
  }

  /**
   * The job's last JobAssigned before `revision`, read from its stream (the job's state forgets it when the job goes
   * back to contracting). A store error propagates: the step is retried, never skipped as "no assignment".
   */
  private async lastAssignment(jobId: string, revision: bigint): Promise<{ contractId: string; orgId: string } | null> {
    try {
      for await (const recorded of this.deps.store.readStream(jobStream(jobId), { direction: 'backwards', fromRevision: revision })) {
        if (recorded.type !== 'JobAssigned') continue;
        const event = this.deps.registry.decode(recorded.type, recorded.data, recorded.metadata);
        if (event.type === 'JobAssigned') return { contractId: event.data.contractId, orgId: event.data.orgId };
      }
    } catch (error) {
      if (error instanceof StreamNotFoundError) return null;
      throw error;
    }
    return null;
  }
}
