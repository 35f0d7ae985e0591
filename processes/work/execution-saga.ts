import type { Logger } from 'pino';
import type { CommandPipeline } from '../../commands/pipeline.ts';
import type { StreamReader } from '../../commands/stream-loader.ts';
import type { PlatformEventRegistry } from '../../domain/events/catalog.ts';
import { jobDecider, jobStream } from '../../domain/job/decider.ts';
import type { Job } from '../../domain/job/state.ts';
import { subjectDecider, subjectStream } from '../../domain/subject/decider.ts';
import { taskDecider, taskStream } from '../../domain/task/decider.ts';
import type { Bus } from '../../infra/bus/port.ts';
import { StreamNotFoundError } from '../../infra/eventstore/errors.ts';
import type { EventStore } from '../../infra/eventstore/port.ts';
import type { Saga } from '../saga-runner.ts';
import { decideExecution, executionEventTypes, type ExecutionInput } from './execution/decide.ts';
import { taskIdFor } from './execution/ids.ts';
import { noExecutionState, type ExecutionState } from './execution/state.ts';
import { executionTimerOf, VERDICT_DUE } from './execution/timer-refs.ts';
import { orgWorkSettings } from './org-settings.ts';
import { workSaga } from './work-command.ts';
import type { OpenJobsHeldBy } from './workloads.ts';

export { taskIdFor } from './execution/ids.ts';

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

/** The execution workflow (`execution/decide.ts`) with its I/O: the job, its task, the org's settings, the read model. */
export function executionSaga(deps: ExecutionSagaDeps): Saga<(typeof executionEventTypes)[number]> {
  const { reader, store, registry } = deps;
  const job = async (jobId: string) => (await reader.load(jobDecider, jobStream(jobId))).state;
  const task = async (taskId: string) => (await reader.load(taskDecider, taskStream(taskId))).state;
  const settingsOf = async (found: { orgId: string } | null) => (found === null ? null : await orgWorkSettings(reader, found.orgId));
  const jobOf = async (found: { jobId: string } | null) => (found === null ? null : await job(found.jobId));

  /**
   * The job's last JobAssigned before `revision`, read from its stream (the job's state forgets it when the job goes
   * back to contracting). A store error propagates: the step is retried, never skipped as "no assignment".
   */
  const lastAssignment = async (jobId: string, revision: bigint): Promise<{ contractId: string; orgId: string } | null> => {
    try {
      for await (const recorded of store.readStream(jobStream(jobId), { direction: 'backwards', fromRevision: revision })) {
        if (recorded.type !== 'JobAssigned') continue;
        const event = registry.decode(recorded.type, recorded.data, recorded.metadata);
        if (event.type === 'JobAssigned') return { contractId: event.data.contractId, orgId: event.data.orgId };
      }
    } catch (error) {
      if (error instanceof StreamNotFoundError) return null;
      throw error;
    }
    return null;
  };

  const ended = async (jobId: string, revision: bigint): Promise<ExecutionState> => {
    // The assignment the event ended: the last one BEFORE the event (a later round may hold the job by now).
    const assigned = await lastAssignment(jobId, revision);
    return { ...noExecutionState, lastAssignment: assigned, task: assigned === null ? null : await task(taskIdFor(assigned.contractId)) };
  };

  const load = async (input: ExecutionInput): Promise<ExecutionState> => {
    switch (input.type) {
      case 'JobAssigned': {
        const assigned = await job(input.data.jobId);
        return { ...noExecutionState, job: assigned, settings: await settingsOf(assigned), task: await task(taskIdFor(input.data.contractId)) };
      }
      case 'TaskCreated':
        return noExecutionState;
      case 'TaskDispatched':
      case 'TaskCompleted': {
        const found = await task(input.data.taskId);
        return { ...noExecutionState, task: found, job: await jobOf(found) };
      }
      case 'TimerFired': {
        const timer = executionTimerOf(input);
        if (timer === null) return noExecutionState;
        if (timer.purpose === VERDICT_DUE) {
          const due = await job(timer.jobId);
          return { ...noExecutionState, job: due, settings: await settingsOf(due) };
        }
        const found = await task(timer.taskId);
        return { ...noExecutionState, task: found, job: await jobOf(found) };
      }
      case 'TaskAttemptFailed': {
        if (!input.data.willRetry) return noExecutionState;
        const found = await task(input.data.taskId);
        return { ...noExecutionState, task: found, settings: await settingsOf(found) };
      }
      case 'TaskFailed':
        return { ...noExecutionState, task: await task(input.data.taskId) };
      case 'JobDelivered': {
        const delivered = await job(input.data.jobId);
        return { ...noExecutionState, job: delivered, settings: await settingsOf(delivered) };
      }
      case 'JobVerified':
      case 'JobDeliveryRejected':
      case 'JobFailed':
      case 'JobCancelled':
        return ended(input.data.jobId, input.revision);
      case 'JobEscalationResolved': {
        const { status } = input.data;
        return status === 'contracting' || status === 'cancelled' ? ended(input.data.jobId, input.revision) : noExecutionState;
      }
      case 'SubjectSuspended':
        return { ...noExecutionState, subject: (await reader.load(subjectDecider, subjectStream(input.data.subjectId))).state };
      case 'reassign-held-jobs': {
        const heldJobs: Job[] = [];
        for (const { jobId } of await deps.openJobsHeldBy(input.subjectId, input.position)) {
          const held = await job(jobId);
          if (held !== null) heldJobs.push(held);
        }
        return { ...noExecutionState, heldJobs };
      }
      case 'reassign': {
        const reassigned = await job(input.jobId);
        return { ...noExecutionState, job: reassigned, settings: await settingsOf(reassigned) };
      }
    }
  };

  return workSaga(deps, { name: 'execution', eventTypes: executionEventTypes, decide: decideExecution, load });
}
