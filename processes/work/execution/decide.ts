import type { SagaEvent } from '../../saga-runner.ts';
import type { WorkflowContext } from '../../workflow.ts';
import { onCompleted, onDelivered, onVerdictDue } from './delivery.ts';
import { onAssigned, onAttemptFailed, onDispatched, onTaskTimer } from './dispatch.ts';
import { endContract, reassign } from './endings.ts';
import type { ExecutionFollowUp } from './follow-ups.ts';
import type { ExecutionState } from './state.ts';
import { dispatch, type ExecutionStep } from './steps.ts';
import { executionTimerOf, VERDICT_DUE } from './timer-refs.ts';

export const executionEventTypes = [
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
export type ExecutionInput = SagaEvent<(typeof executionEventTypes)[number]> | ExecutionFollowUp;

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
export function decideExecution(input: ExecutionInput, state: ExecutionState, context: WorkflowContext): ExecutionStep[] {
  switch (input.type) {
    case 'JobAssigned':
      return onAssigned(input, state);
    case 'TaskCreated': {
      const { taskId, orgId, parentTaskId } = input.data;
      // Root tasks are dispatched where they are created; a sub-task (an assignee split its task) is dispatched here.
      return parentTaskId === null ? [] : [dispatch(taskId, orgId, 1)];
    }
    case 'TaskDispatched':
      return onDispatched(input, state);
    case 'TimerFired': {
      const timer = executionTimerOf(input);
      if (timer === null) return [];
      return timer.purpose === VERDICT_DUE ? onVerdictDue(timer, state) : onTaskTimer(timer, state, context);
    }
    case 'TaskAttemptFailed':
      return onAttemptFailed(input, state);
    case 'TaskFailed': {
      const { task } = state;
      // A failed sub-task is reported to its assignee, whose parent task decides what it means.
      if (task === null || task.parentTaskId !== null) return [];
      const reason = `task failed after ${task.attempt} attempt(s): ${input.data.reason}`;
      return [{ kind: 'follow', input: { type: 'reassign', jobId: task.jobId, reason, eventId: input.eventId } }];
    }
    case 'TaskCompleted':
      return onCompleted(input, state);
    case 'JobDelivered':
      return onDelivered(input, state);
    case 'JobVerified':
      return endContract(state, 'fulfil', 'the job was verified');
    case 'JobDeliveryRejected':
    case 'JobFailed':
    case 'JobCancelled': {
      const what = input.type === 'JobFailed' ? 'failed' : input.type === 'JobCancelled' ? 'cancelled' : 'rejected';
      return endContract(state, 'terminate', `the job was ${what}: ${input.data.reason}`.slice(0, 1000));
    }
    case 'JobEscalationResolved': {
      const { status, note } = input.data;
      if (status === 'contracting') return endContract(state, 'terminate', 'the job went back to contracting');
      if (status === 'cancelled')
        return endContract(state, 'terminate', `the job was cancelled: ${note ?? 'escalation resolved by cancelling'}`.slice(0, 1000));
      return [];
    }
    case 'SubjectSuspended': {
      // A replay after the subject was reinstated must not take its new work away.
      if (state.subject?.status !== 'suspended') return [];
      const { subjectId } = input.data;
      return [{ kind: 'follow', input: { type: 'reassign-held-jobs', subjectId, position: input.position, eventId: input.eventId } }];
    }
    case 'reassign-held-jobs':
      // A suspended subject works on nothing: each open job it holds goes to someone else.
      return state.heldJobs
        .filter((job) => job.assignment?.assigneeSubjectId === input.subjectId)
        .map((job) => ({
          kind: 'follow',
          input: { type: 'reassign', jobId: job.jobId, reason: `the assignee ${input.subjectId} was suspended`, eventId: input.eventId },
        }));
    case 'reassign':
      return reassign(input, state);
  }
}
