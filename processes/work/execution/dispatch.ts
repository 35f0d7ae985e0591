import type { TaskDispatch } from '../../../domain/agent-protocol/messages.ts';
import { agentInboxSubject } from '../../../domain/agent-protocol/subjects.ts';
import { backoffDelay } from '../../../infra/retry/backoff.ts';
import { taskRetry } from '../../../infra/retry/policies.ts';
import type { SagaEvent } from '../../saga-runner.ts';
import type { WorkflowContext } from '../../workflow.ts';
import { taskIdFor } from './ids.ts';
import type { ExecutionState } from './state.ts';
import { cancelTask, dispatch, type ExecutionStep, startWork } from './steps.ts';
import { type ExecutionTimer, TASK_HEARTBEAT, TASK_RETRY } from './timer-refs.ts';

/** An assignment: its task created (once, under the contract) and dispatched. */
export function onAssigned(event: SagaEvent<'JobAssigned'>, state: ExecutionState): ExecutionStep[] {
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

/** A dispatched attempt: the job's work started, the first heartbeat check set, and the assignee sent `dispatch`. */
export function onDispatched(event: SagaEvent<'TaskDispatched'>, state: ExecutionState): ExecutionStep[] {
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

/** A heartbeat check or a retry timer of a task's attempt. */
export function onTaskTimer(timer: Extract<ExecutionTimer, { taskId: string }>, state: ExecutionState, context: WorkflowContext): ExecutionStep[] {
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

/** A failed attempt with attempts left: retried after the org's backoff. */
export function onAttemptFailed(event: SagaEvent<'TaskAttemptFailed'>, state: ExecutionState): ExecutionStep[] {
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
