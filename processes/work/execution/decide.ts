import { backoffDelay } from '../../../infra/retry/backoff.ts';
import { taskRetry } from '../../../infra/retry/policies.ts';
import type { TaskDispatch, VerificationRequest } from '../../../domain/agent-protocol/messages.ts';
import { agentInboxSubject } from '../../../domain/agent-protocol/subjects.ts';
import type { Task } from '../../../domain/task/state.ts';
import type { SagaEvent } from '../../saga-runner.ts';
import type { WorkflowContext } from '../../workflow.ts';
import type { WorkStep } from '../work-command.ts';
import type { ExecutionFollowUp } from './follow-ups.ts';
import { taskIdFor } from './ids.ts';
import type { ExecutionState } from './state.ts';
import { executionTimerOf, TASK_HEARTBEAT, TASK_RETRY, VERDICT_DUE, type ExecutionTimer } from './timer-refs.ts';

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
type ExecutionStep = WorkStep<ExecutionFollowUp>;

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

function dispatch(taskId: string, orgId: string, attempt: number): ExecutionStep {
  return {
    kind: 'command',
    command: { aggregate: 'task', type: 'DispatchTask', data: { taskId, orgId, attempt } },
    commandId: `exec:${taskId}:dispatch:${attempt}`,
  };
}

function startWork(taskId: string, jobId: string, orgId: string): ExecutionStep {
  return { kind: 'command', command: { aggregate: 'job', type: 'StartWork', data: { jobId, orgId } }, commandId: `exec:${taskId}:start-work` };
}

function cancelTask(task: Pick<Task, 'taskId' | 'orgId' | 'assigneeSubjectId'>, reason: string): ExecutionStep[] {
  const { taskId, orgId } = task;
  return [
    { kind: 'command', command: { aggregate: 'task', type: 'CancelTask', data: { taskId, orgId, reason } }, commandId: `exec:${taskId}:cancel` },
    { kind: 'publish', subject: agentInboxSubject(task.assigneeSubjectId, 'cancel'), data: { orgId, taskId, reason } },
  ];
}

function onAssigned(event: SagaEvent<'JobAssigned'>, state: ExecutionState): ExecutionStep[] {
  const { jobId, assigneeSubjectId, contractId } = event.data;
  const { job, task: existing, settings } = state;
  if (job === null || settings === null || job.assignment?.contractId !== contractId) return [];
  const taskId = taskIdFor(contractId);
  if (existing !== null && existing.contractId !== contractId) {
    // Only the platform names root tasks, so this is a defect or an admin's doing: say so rather than stall quietly.
    return [
      {
        kind: 'log',
        level: 'error',
        fields: { jobId, taskId, contractId },
        message: 'the task id of an assignment is taken by another task; the job is not dispatched',
      },
    ];
  }
  // Created already (a replay, or settings changed since): the step is done, whatever the command would say now.
  if (existing !== null) return existing.attempt > 0 ? [] : [dispatch(taskId, job.orgId, 1)];
  return [
    {
      kind: 'command',
      command: {
        aggregate: 'task',
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
      commandId: `exec:${taskId}:create`,
      ifRefused: 'stop',
    },
    dispatch(taskId, job.orgId, 1),
  ];
}

function onDispatched(event: SagaEvent<'TaskDispatched'>, state: ExecutionState): ExecutionStep[] {
  const { taskId, attempt, dispatchedAt } = event.data;
  const { task, job } = state;
  if (task === null || task.attempt !== attempt || task.status !== 'dispatched') return [];
  const steps: ExecutionStep[] = job?.status === 'assigned' ? [startWork(taskId, job.jobId, job.orgId)] : [];
  const timer = {
    key: `${TASK_HEARTBEAT}:${taskId}:${attempt}:0`,
    orgId: task.orgId,
    dueAt: new Date(Date.parse(dispatchedAt) + task.heartbeatTimeoutMs).toISOString(),
    purpose: TASK_HEARTBEAT,
    ref: { taskId, attempt, check: 0 },
  };
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
  steps.push({ kind: 'schedule', timer }, { kind: 'publish', subject: agentInboxSubject(task.assigneeSubjectId, 'dispatch'), data: message });
  return steps;
}

function onTaskTimer(timer: Extract<ExecutionTimer, { taskId: string }>, state: ExecutionState, context: WorkflowContext): ExecutionStep[] {
  const { task, job } = state;
  if (task === null || task.attempt !== timer.attempt) return [];
  if (timer.purpose === TASK_RETRY) return task.status === 'retrying' ? [dispatch(task.taskId, task.orgId, timer.attempt + 1)] : [];
  if (task.status !== 'dispatched' && task.status !== 'in_progress') return [];
  if (job === null || job.assignment?.contractId !== task.contractId || !['assigned', 'in_progress'].includes(job.status)) {
    // The job moved on without this task (a sub-task left open when its job ended or was reassigned): stop it.
    return cancelTask(task, 'its job is no longer worked under this contract');
  }
  // Silent since the last heartbeat (or since the dispatch, when none came): the attempt failed.
  const lastBeat = Math.max(task.lastHeartbeatAt === null ? 0 : Date.parse(task.lastHeartbeatAt), Date.parse(timer.dueAt) - task.heartbeatTimeoutMs);
  const silentUntil = lastBeat + task.heartbeatTimeoutMs;
  if (Date.parse(context.now) >= silentUntil) {
    return [
      {
        kind: 'command',
        command: {
          aggregate: 'task',
          type: 'FailTaskAttempt',
          data: { taskId: task.taskId, orgId: task.orgId, attempt: task.attempt, reason: `no heartbeat for ${task.heartbeatTimeoutMs} ms` },
        },
        commandId: `exec:${task.taskId}:silent:${task.attempt}`,
      },
    ];
  }
  const check = (timer.check ?? 0) + 1;
  const next = {
    key: `${TASK_HEARTBEAT}:${task.taskId}:${task.attempt}:${check}`,
    orgId: task.orgId,
    dueAt: new Date(silentUntil).toISOString(),
    purpose: TASK_HEARTBEAT,
    ref: { taskId: task.taskId, attempt: task.attempt, check },
  };
  return [{ kind: 'schedule', timer: next }];
}

function onAttemptFailed(event: SagaEvent<'TaskAttemptFailed'>, state: ExecutionState): ExecutionStep[] {
  const { taskId, attempt, willRetry, failedAt } = event.data;
  const { task, settings } = state;
  if (!willRetry || task === null || settings === null || task.status !== 'retrying' || task.attempt !== attempt) return [];
  const backoff = backoffDelay(taskRetry(settings.retryBackoffMs), attempt);
  const timer = {
    key: `${TASK_RETRY}:${taskId}:${attempt}`,
    orgId: task.orgId,
    dueAt: new Date(Date.parse(failedAt) + backoff).toISOString(),
    purpose: TASK_RETRY,
    ref: { taskId, attempt },
  };
  return [{ kind: 'schedule', timer }];
}

/**
 * Reassignment is an escalation the platform resolves at once, both on record: the job goes back to contracting,
 * its contract is terminated and the assignment starts a new round without the previous assignee. Should nobody
 * else be eligible, the assignment's own escalation brings a human in.
 */
function reassign(input: Extract<ExecutionFollowUp, { type: 'reassign' }>, state: ExecutionState): ExecutionStep[] {
  const { jobId, eventId } = input;
  const { job, settings } = state;
  if (job === null || settings === null) return [];
  const ours = input.reason.slice(0, 1000);
  const resolve: ExecutionStep = {
    kind: 'command',
    command: { aggregate: 'job', type: 'ResolveEscalation', data: { jobId, orgId: job.orgId, resolution: 'reassign', note: 'reassigned by the platform' } },
    commandId: `exec:${jobId}:${eventId}:reassign`,
  };
  // Already escalated by this very step (a retry after the first half): go on and resolve.
  if (job.status === 'escalated' && job.escalation?.reason === ours && job.escalation.escalatedBy.kind === 'system') return [resolve];
  if (job.status !== 'assigned' && job.status !== 'in_progress') return [];
  return [
    {
      kind: 'command',
      command: { aggregate: 'job', type: 'EscalateJob', data: { jobId, orgId: job.orgId, reason: ours, escalateTo: settings.escalateTo } },
      commandId: `exec:${jobId}:${eventId}:escalate`,
      ifRefused: 'stop',
    },
    resolve,
  ];
}

function onCompleted(event: SagaEvent<'TaskCompleted'>, state: ExecutionState): ExecutionStep[] {
  const { taskId } = event.data;
  const { task, job } = state;
  // A sub-task's result is its parent's business (the assignee folds it into the parent's result).
  if (task === null || task.completion === null || task.parentTaskId !== null) return [];
  if (job === null || job.assignment?.contractId !== task.contractId) return [];
  const outputs = task.completion.outputs === null ? { result: null } : task.completion.outputs;
  return [
    ...(job.status === 'assigned' ? [startWork(taskId, job.jobId, job.orgId)] : []),
    {
      kind: 'command',
      command: {
        aggregate: 'job',
        type: 'DeliverJob',
        data: { jobId: job.jobId, orgId: job.orgId, deliverable: outputs, note: `delivered by task ${taskId}` },
      },
      commandId: `exec:${taskId}:deliver`,
    },
  ];
}

function onDelivered(event: SagaEvent<'JobDelivered'>, state: ExecutionState): ExecutionStep[] {
  const { jobId } = event.data;
  const { job, settings } = state;
  if (job === null || settings === null || job.status !== 'delivered' || job.delivery === null) return [];
  if (job.verifierSubjectIds.length === 0) {
    return [
      {
        kind: 'command',
        command: {
          aggregate: 'job',
          type: 'VerifyJob',
          data: { jobId, orgId: job.orgId, note: `completion mode ${job.completionMode}: accepted on delivery by the platform` },
        },
        commandId: `exec:${jobId}:verify:${event.eventId}`,
      },
    ];
  }
  // Verifiers are asked once: without a verdict in time, the job is escalated rather than left delivered for good.
  const timeoutMs = settings.verificationTimeoutMs;
  const { deliveredAt, deliverable } = job.delivery;
  const timer = {
    key: `${VERDICT_DUE}:${jobId}:${deliveredAt}`,
    orgId: job.orgId,
    dueAt: new Date(Date.parse(deliveredAt) + timeoutMs).toISOString(),
    purpose: VERDICT_DUE,
    ref: { jobId, deliveredAt, timeoutMs },
  };
  const request: VerificationRequest = { orgId: job.orgId, jobId, goal: job.goal, deliverable, outputTemplate: job.outputTemplate };
  return [
    { kind: 'schedule', timer },
    ...job.verifierSubjectIds.map((verifier): ExecutionStep => ({ kind: 'publish', subject: agentInboxSubject(verifier, 'verify'), data: request })),
  ];
}

function onVerdictDue(timer: Extract<ExecutionTimer, { purpose: typeof VERDICT_DUE }>, state: ExecutionState): ExecutionStep[] {
  const { job, settings } = state;
  if (job === null || settings === null || job.status !== 'delivered' || job.delivery?.deliveredAt !== timer.deliveredAt) return [];
  return [
    {
      kind: 'command',
      command: {
        aggregate: 'job',
        type: 'EscalateJob',
        data: {
          jobId: job.jobId,
          orgId: job.orgId,
          reason: `no verdict on the delivery within ${String(timer.timeoutMs)} ms`,
          escalateTo: settings.escalateTo,
        },
      },
      commandId: `exec:${job.jobId}:${timer.deliveredAt}:verdict-due`,
    },
  ];
}

/** The contract (and open task) of the job's latest assignment, once the job is over or sent back. */
function endContract(state: ExecutionState, how: 'fulfil' | 'terminate', reason: string): ExecutionStep[] {
  const { lastAssignment, task } = state;
  if (lastAssignment === null) return [];
  const { contractId, orgId } = lastAssignment;
  if (how === 'fulfil') {
    return [
      { kind: 'command', command: { aggregate: 'contract', type: 'FulfilContract', data: { contractId, orgId } }, commandId: `exec:${contractId}:fulfil` },
    ];
  }
  const taskId = taskIdFor(contractId);
  const open = task !== null && task.taskId === taskId && !['completed', 'accepted', 'rejected', 'failed', 'cancelled'].includes(task.status);
  return [
    ...(open ? cancelTask({ taskId, orgId, assigneeSubjectId: task.assigneeSubjectId }, reason) : []),
    {
      kind: 'command',
      command: { aggregate: 'contract', type: 'TerminateContract', data: { contractId, orgId, reason } },
      commandId: `exec:${contractId}:terminate`,
    },
  ];
}
