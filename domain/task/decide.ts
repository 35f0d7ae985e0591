import { appError, isAppError, type AppError } from '../shared/app-error.ts';
import type { DecisionContext } from '../shared/decider.ts';
import { actsForThePlatform, isSubject, type Principal } from '../shared/principal.ts';
import { taskActions, type TaskCommand, type TaskCommandType } from './commands.ts';
import { ACTIVE_CONTRACT_STATUS, termsViolation, type ContractTerms } from './contract-terms.ts';
import type { TaskEvent } from './events.ts';
import { isFinalTaskStatus, type Task, type TaskState } from './state.ts';
import { taskTransitions } from './transitions.ts';
import { illegalTransition } from '../shared/illegal-transition.ts';

/**
 * What a decision needs beyond the task's own stream: the terms of the task's contract. The handler loads them for
 * a subject's work on a task under a contract (ReportTaskProgress, UseTool, CompleteTask, FailTaskAttempt) and for a
 * subject's review. `null`: the contract does not exist; `undefined`: not loaded. Either way a command that needs the
 * terms is refused (CONTRACT_NOT_FOUND), never waved through.
 */
export interface TaskDecisionContext extends DecisionContext {
  contract?: ContractTerms | null;
  /** For a sub-task's CreateTask: the parent task (null: it does not exist; undefined: not loaded). */
  parent?: Task | null;
}

/** The assignee's work, checked against the task's contract when a subject does it. */
export const contractBoundCommands: readonly TaskCommandType[] = ['ReportTaskProgress', 'UseTool', 'CompleteTask', 'FailTaskAttempt'];

/**
 * Whether deciding `command` for `principal` reads the contract's terms (when the task has a contract): a subject's
 * work, and a subject's review (the contract lists the verifiers). The platform's commands never need them.
 */
export function needsContractTerms(command: TaskCommand, principal: Principal): boolean {
  if (principal.kind !== 'subject') return false;
  return command.type === 'ReviewTask' || contractBoundCommands.includes(command.type);
}

export function decideTask(command: TaskCommand, state: TaskState, context: TaskDecisionContext): readonly TaskEvent[] | AppError {
  const { taskId, orgId } = command.data;
  const { principal, now } = context;
  if (command.type === 'CreateTask') {
    if (state !== null) return appError('conflict', 'TASK_ALREADY_EXISTS', `task ${taskId} already exists`, { taskId });
    const { data } = command;
    const refused = subtaskRefusal(data, principal, context);
    if (refused) return refused;
    // An assignee's sub-task runs on its parent's terms (heartbeat and attempts set by the org for the parent).
    const inherited = data.parentTaskId !== null && principal.kind === 'subject' && context.parent ? context.parent : null;
    return [
      {
        type: 'TaskCreated',
        data: {
          taskId,
          orgId,
          jobId: data.jobId,
          parentTaskId: data.parentTaskId,
          contractId: data.contractId,
          title: data.title,
          input: data.input ?? null,
          assigneeSubjectId: data.assigneeSubjectId,
          heartbeatTimeoutMs: inherited?.heartbeatTimeoutMs ?? data.heartbeatTimeoutMs,
          maxAttempts: inherited?.maxAttempts ?? data.maxAttempts,
          createdBy: principal,
          createdAt: now,
        },
      },
    ];
  }

  // A task of another org is as absent as one that does not exist: naming the wrong org reveals nothing.
  if (state === null || state.orgId !== orgId) {
    return appError('not_found', 'TASK_NOT_FOUND', `org ${orgId} has no task ${taskId}`, { taskId, orgId });
  }
  if (taskTransitions[state.status][command.type] === undefined) return illegal(state, command.type);

  const ref = { taskId, orgId, jobId: state.jobId };
  switch (command.type) {
    case 'DispatchTask': {
      const refused = onlyThePlatform(state, principal) ?? attemptsLeft(state) ?? sameAttempt(state, command.data.attempt, state.attempt + 1);
      if (refused) return refused;
      const { assigneeSubjectId, heartbeatTimeoutMs } = state;
      return [
        {
          type: 'TaskDispatched',
          data: { ...ref, attempt: command.data.attempt, assigneeSubjectId, heartbeatTimeoutMs, dispatchedBy: principal, dispatchedAt: now },
        },
      ];
    }
    case 'ReportTaskProgress': {
      const refused = onlyTheAssignee(state, principal) ?? withinContract(state, principal, context, command.type);
      if (refused) return refused;
      const { progress, message } = command.data;
      return [{ type: 'TaskProgressReported', data: { ...ref, attempt: state.attempt, progress, message: message ?? null, reportedAt: now } }];
    }
    case 'UseTool': {
      const { tool, purpose } = command.data;
      const refused = onlyTheAssignee(state, principal) ?? withinContract(state, principal, context, command.type, tool);
      if (refused) return refused;
      return [{ type: 'TaskToolUsed', data: { ...ref, attempt: state.attempt, tool, purpose: purpose ?? null, usedAt: now } }];
    }
    case 'CompleteTask': {
      const refused = onlyTheAssignee(state, principal) ?? withinContract(state, principal, context, command.type);
      if (refused) return refused;
      return [{ type: 'TaskCompleted', data: { ...ref, attempt: state.attempt, outputs: command.data.outputs, completedBy: principal, completedAt: now } }];
    }
    case 'FailTaskAttempt': {
      const { attempt, reason } = command.data;
      const refused =
        (actsForThePlatform(principal) ? undefined : onlyTheAssignee(state, principal)) ??
        withinContract(state, principal, context, command.type) ??
        sameAttempt(state, attempt, state.attempt);
      if (refused) return refused;
      const willRetry = attempt < state.maxAttempts;
      const failed: TaskEvent = { type: 'TaskAttemptFailed', data: { ...ref, attempt, reason, willRetry, failedBy: principal, failedAt: now } };
      if (willRetry) return [failed];
      return [failed, { type: 'TaskFailed', data: { ...ref, reason, attempts: attempt, failedAt: now } }];
    }
    case 'ReassignTask': {
      const refused = onlyThePlatform(state, principal) ?? attemptsLeft(state);
      if (refused) return refused;
      const { assigneeSubjectId, reason } = command.data;
      const contractId = command.data.contractId === undefined ? state.contractId : command.data.contractId;
      return [
        {
          type: 'TaskReassigned',
          data: {
            ...ref,
            assigneeSubjectId,
            previousAssigneeSubjectId: state.assigneeSubjectId,
            contractId,
            reason,
            reassignedBy: principal,
            reassignedAt: now,
          },
        },
      ];
    }
    case 'ReviewTask': {
      const refused = onlyAVerifier(state, principal, context);
      if (refused) return refused;
      const { verdict, note } = command.data;
      return [{ type: 'TaskReviewed', data: { ...ref, verdict, note: note ?? null, reviewedBy: principal, reviewedAt: now } }];
    }
    case 'CancelTask':
      return [{ type: 'TaskCancelled', data: { ...ref, reason: command.data.reason, cancelledBy: principal, cancelledAt: now } }];
  }
}

function illegal(task: Task, command: TaskCommandType): AppError {
  return illegalTransition('a task', { taskId: task.taskId }, task.status, command);
}

/** Dispatching and reassigning are the platform's: admins and its own processes (the task-execution saga). */
function onlyThePlatform(task: Task, principal: Principal): AppError | undefined {
  if (actsForThePlatform(principal)) return undefined;
  return appError('forbidden', 'NOT_THE_PLATFORM', `only the platform dispatches and reassigns task ${task.taskId}`, {
    taskId: task.taskId,
    principal: principal.id,
  });
}

/**
 * The work of an attempt (progress, tools, completion) is the assignee's own: a subject principal with the
 * assignee's id. Nobody, admins included, works for an agent: the work is what the contract covers.
 */
export function onlyTheAssignee(task: Task, principal: Principal): AppError | undefined {
  if (isSubject(principal, task.assigneeSubjectId)) return undefined;
  return appError('forbidden', 'NOT_THE_ASSIGNEE', `only the assignee of task ${task.taskId} may do that`, { taskId: task.taskId, principal: principal.id });
}

/** Attempts are numbered across assignees: reassigning keeps the count, so a task out of attempts takes no more. */
function attemptsLeft(task: Task): AppError | undefined {
  if (task.attempt < task.maxAttempts) return undefined;
  return appError('conflict', 'ATTEMPTS_EXHAUSTED', `task ${task.taskId} has used all ${task.maxAttempts} of its attempts`, {
    taskId: task.taskId,
    attempt: task.attempt,
    maxAttempts: task.maxAttempts,
  });
}

function sameAttempt(task: Task, attempt: number, expected: number): AppError | undefined {
  if (attempt === expected) return undefined;
  return appError('conflict', 'ATTEMPT_MISMATCH', `task ${task.taskId} expects attempt ${expected}, not ${attempt}`, {
    taskId: task.taskId,
    attempt,
    expectedAttempt: expected,
  });
}

/** The terms of the task's own contract, or why they are not at hand. */
function termsOf(task: Task, contractId: string, context: TaskDecisionContext): ContractTerms | AppError {
  const terms = context.contract;
  // Terms of another contract than the task's are no terms for it.
  if (terms === undefined || terms === null || terms.contractId !== contractId) {
    return appError('conflict', 'CONTRACT_NOT_FOUND', `the contract ${contractId} of task ${task.taskId} was not found`, {
      taskId: task.taskId,
      contractId,
    });
  }
  return terms;
}

/**
 * A subject's work on a task under a contract stays within the contract: the contract must be in force, bind this
 * subject, and permit the action (and the tool used). The platform's own commands (a system failing a timed-out
 * attempt) are not the assignee's acts and are not checked.
 */
export function withinContract(task: Task, principal: Principal, context: TaskDecisionContext, command: TaskCommandType, tool?: string): AppError | undefined {
  if (principal.kind !== 'subject') return undefined;
  const { contractId } = task;
  if (contractId === null) return undefined;
  const terms = termsOf(task, contractId, context);
  if (isAppError(terms)) return terms;
  if (terms.status !== ACTIVE_CONTRACT_STATUS) {
    return appError('conflict', 'CONTRACT_NOT_ACTIVE', `contract ${contractId} is ${terms.status}, not in force`, {
      taskId: task.taskId,
      contractId,
      status: terms.status,
    });
  }
  if (terms.assigneeSubjectId !== principal.id) {
    return appError('forbidden', 'NOT_THE_CONTRACT_ASSIGNEE', `contract ${contractId} does not bind subject ${principal.id}`, {
      taskId: task.taskId,
      contractId,
      principal: principal.id,
    });
  }
  const action = taskActions[command];
  const violation = termsViolation(terms, tool === undefined ? { action } : { action, tool });
  if (violation === null) return undefined;
  return appError('forbidden', 'CONTRACT_VIOLATION', violation.message, {
    taskId: task.taskId,
    contractId: violation.contractId,
    clause: violation.clause,
    action,
    tool: tool ?? null,
  });
}

/**
 * A completed task is reviewed by one of its contract's verifiers, or by the platform. A task under no contract has
 * no verifiers: the platform reviews it. The assignee never reviews its own work.
 */
function onlyAVerifier(task: Task, principal: Principal, context: TaskDecisionContext): AppError | undefined {
  if (actsForThePlatform(principal)) return undefined;
  const notAVerifier = appError('forbidden', 'NOT_THE_VERIFIER', `only a verifier of task ${task.taskId} may review it`, {
    taskId: task.taskId,
    principal: principal.id,
  });
  const { contractId } = task;
  if (contractId === null || isSubject(principal, task.assigneeSubjectId)) return notAVerifier;
  const terms = termsOf(task, contractId, context);
  if (isAppError(terms)) return terms;
  return terms.verifierSubjectIds.some((verifier) => isSubject(principal, verifier)) ? undefined : notAVerifier;
}

/**
 * Root tasks are the platform's (the execution saga creates one per assignment). A sub-task splits a task that is
 * still open, within the same job; an assignee splits only its own task, for itself, under the same contract (which
 * must permit `task.create`), so splitting never hands work to someone the contract does not bind.
 */
function subtaskRefusal(data: Extract<TaskCommand, { type: 'CreateTask' }>['data'], principal: Principal, context: TaskDecisionContext): AppError | undefined {
  const { taskId, orgId, parentTaskId } = data;
  if (parentTaskId === null) {
    if (actsForThePlatform(principal)) return undefined;
    return appError('forbidden', 'NOT_THE_PLATFORM', 'root tasks are created by the platform; an assignee may split its own task into sub-tasks', { taskId });
  }
  const parent = context.parent;
  if (parent === undefined || parent === null || parent.orgId !== orgId) {
    return appError('not_found', 'PARENT_TASK_NOT_FOUND', `org ${orgId} has no task ${parentTaskId}`, { taskId, parentTaskId });
  }
  if (parent.jobId !== data.jobId) {
    return appError('conflict', 'SUBTASK_OF_ANOTHER_JOB', `task ${parentTaskId} belongs to job ${parent.jobId}, not ${data.jobId}`, {
      taskId,
      parentTaskId,
      jobId: parent.jobId,
    });
  }
  // A completed task's work is done (only its review is open): it is split no more.
  if (isFinalTaskStatus(parent.status) || parent.status === 'completed') {
    return appError('conflict', 'PARENT_TASK_CLOSED', `task ${parentTaskId} is ${parent.status}; it takes no sub-tasks`, {
      taskId,
      parentTaskId,
      status: parent.status,
    });
  }
  if (actsForThePlatform(principal)) return undefined;
  if (!isSubject(principal, parent.assigneeSubjectId)) {
    return appError('forbidden', 'NOT_THE_ASSIGNEE', `only the assignee of task ${parentTaskId} may split it`, {
      taskId: parentTaskId,
      principal: principal.id,
    });
  }
  if (data.assigneeSubjectId !== principal.id || data.contractId !== parent.contractId) {
    return appError('forbidden', 'SUBTASK_MISMATCH', 'a sub-task of your task is yours, under the same contract', {
      taskId,
      parentTaskId,
      assigneeSubjectId: parent.assigneeSubjectId,
      contractId: parent.contractId,
    });
  }
  return withinContract(parent, principal, context, 'CreateTask');
}
