import { describe, expect, it } from 'vitest';
import { isAppError } from '../../domain/shared/app-error.ts';
import { taskDecider } from '../../domain/task/decider.ts';
import type { TaskEvent } from '../../domain/task/events.ts';
import { finalTaskStatuses, isFinalTaskStatus, type TaskStatus } from '../../domain/task/state.ts';
import { BY_ATTEMPTS_LEFT, BY_VERDICT, taskTransitions } from '../../domain/task/transitions.ts';
import {
  admin,
  allTaskStatuses,
  assignee,
  assigneeId,
  commandsOnATask,
  contractId,
  createTask,
  historyTo,
  jobId,
  newAssignee,
  newAssigneeId,
  now,
  otherContractId,
  orgId,
  otherOrgId,
  outputs,
  parentTaskId,
  progressReported,
  stranger,
  system,
  taskAfter,
  taskCancelled,
  taskCompleted,
  taskContext,
  taskCreated,
  taskDispatched,
  taskId,
  taskReassigned,
  taskReviewed,
  taskSpec as spec,
  taskStateAfter,
  termsWith,
  toolUsed,
  usualPrincipal,
  verifier,
  type CommandOnATaskType,
} from '../support/task-fixtures.ts';

describe('task creation', () => {
  it('creates a task, recording who created it and when', () => {
    spec.given([]).when(createTask()).thenEvents([taskCreated()]);
  });

  it('records a parent task, no contract, and an absent input as null', () => {
    const { input: _input, ...withoutInput } = createTask({ parentTaskId, contractId: null }).data as Record<string, unknown>;
    spec
      .given([])
      .when({ type: 'CreateTask', data: withoutInput } as never, { parent: taskStateAfter([taskCreated({ taskId: parentTaskId, parentTaskId: null })]) })
      .thenEvents([taskCreated({ parentTaskId, contractId: null, input: null })]);
  });

  it('starts pending at attempt 0, with nothing reported, completed or reviewed', () => {
    const { createdBy, createdAt, ...fields } = taskCreated().data as Record<string, unknown>;
    expect(taskStateAfter([taskCreated()])).toEqual({
      ...fields,
      createdBy,
      createdAt,
      status: 'pending',
      attempt: 0,
      progress: null,
      lastHeartbeatAt: null,
      lastFailure: null,
      completion: null,
      review: null,
      statusReason: null,
    });
  });

  it('refuses to create the same task twice, in any status', () => {
    for (const status of allTaskStatuses) {
      spec.given(historyTo[status]).when(createTask()).thenError('TASK_ALREADY_EXISTS', { taskId });
    }
  });

  it('answers TASK_NOT_FOUND for a task that does not exist, or is not the named org’s', () => {
    for (const command of Object.values(commandsOnATask(1))) {
      spec.given([]).when(command).thenError('TASK_NOT_FOUND', { taskId });
      const elsewhere = { ...command, data: { ...command.data, orgId: otherOrgId } } as typeof command;
      spec.given(historyTo.in_progress).when(elsewhere, { principal: usualPrincipal[command.type] }).thenError('TASK_NOT_FOUND', { taskId, orgId: otherOrgId });
    }
  });
});

describe('task lifecycle', () => {
  const commands = commandsOnATask(1);

  it('walks pending -> dispatched -> in_progress -> completed -> accepted', () => {
    spec
      .given(historyTo.pending)
      .when(commandsOnATask(0).DispatchTask, { principal: system })
      .thenEvents([taskDispatched(1)]);
    spec
      .given(historyTo.dispatched)
      .when(commands.ReportTaskProgress, { principal: assignee })
      .thenEvents([progressReported(1)]);
    spec
      .given(historyTo.in_progress)
      .when(commands.CompleteTask, { principal: assignee })
      .thenEvents([taskCompleted(1)]);
    spec
      .given(historyTo.completed)
      .when(commands.ReviewTask, { principal: verifier })
      .thenEvents([taskReviewed('accept')]);
    expect(taskAfter(historyTo.accepted)).toMatchObject({
      status: 'accepted',
      attempt: 1,
      progress: 50,
      completion: { outputs, attempt: 1, completedBy: assignee, completedAt: now },
      review: { verdict: 'accept', note: null, reviewedBy: verifier, reviewedAt: now },
    });
  });

  it('rejects a completed task with a note, which ends it', () => {
    spec
      .given(historyTo.completed)
      .when({ type: 'ReviewTask', data: { taskId, orgId, verdict: 'reject', note: 'too long' } }, { principal: verifier })
      .thenEvents([taskReviewed('reject', verifier, 'too long')]);
    expect(taskAfter(historyTo.rejected).status).toBe('rejected');
  });

  it('records progress messages and keeps the latest progress; each report is a heartbeat', () => {
    spec
      .given(historyTo.in_progress)
      .when({ ...commands.ReportTaskProgress, data: { ...commands.ReportTaskProgress.data, progress: 80, message: 'almost' } }, { principal: assignee })
      .thenEvents([progressReported(1, 80, 'almost')]);
    const later = '2026-11-27T10:05:00.000Z';
    const reported: TaskEvent = { type: 'TaskProgressReported', data: { taskId, orgId, jobId, attempt: 1, progress: 80, message: null, reportedAt: later } };
    expect(taskAfter([...historyTo.dispatched, reported])).toMatchObject({ status: 'in_progress', progress: 80, lastHeartbeatAt: later });
    expect(taskAfter(historyTo.dispatched)).toMatchObject({ status: 'dispatched', progress: null, lastHeartbeatAt: now });
  });

  it('completes straight from dispatched, and uses tools without changing the status', () => {
    spec
      .given(historyTo.dispatched)
      .when(commands.CompleteTask, { principal: assignee })
      .thenEvents([taskCompleted(1)]);
    spec
      .given(historyTo.dispatched)
      .when(commands.UseTool, { principal: assignee })
      .thenEvents([toolUsed(1)]);
    spec
      .given(historyTo.in_progress)
      .when({ ...commands.UseTool, data: { ...commands.UseTool.data, purpose: 'find the source' } }, { principal: assignee })
      .thenEvents([toolUsed(1, 'web.search', 'find the source')]);
    expect(taskAfter([...historyTo.dispatched, toolUsed(1)]).status).toBe('dispatched');
    expect(taskAfter([...historyTo.in_progress, toolUsed(1)]).status).toBe('in_progress');
  });

  it('cancels a task in any open status, completed included', () => {
    for (const status of ['pending', 'dispatched', 'in_progress', 'retrying', 'completed'] as const) {
      spec.given(historyTo[status]).when(commands.CancelTask, { principal: admin }).thenEvents([taskCancelled()]);
    }
    expect(taskAfter(historyTo.cancelled)).toMatchObject({ status: 'cancelled', statusReason: 'no longer needed' });
  });

  it('takes no command at all in a final status', () => {
    expect([...finalTaskStatuses].sort()).toEqual(['accepted', 'cancelled', 'failed', 'rejected']);
    for (const status of finalTaskStatuses) {
      expect(isFinalTaskStatus(status)).toBe(true);
      for (const command of Object.values(commandsOnATask(taskAfter(historyTo[status]).attempt))) {
        spec
          .given(historyTo[status])
          .when(command, { principal: usualPrincipal[command.type] })
          .thenError('ILLEGAL_TRANSITION', { taskId, status, command: command.type });
      }
    }
  });

  it('accepts exactly what the transition table lists, and lands where it says', () => {
    for (const status of allTaskStatuses) {
      const history = historyTo[status];
      const task = taskAfter(history);
      for (const command of Object.values(commandsOnATask(task.attempt))) {
        const outcome = taskDecider.decide(command, task, { ...taskContext, principal: usualPrincipal[command.type] });
        const target = taskTransitions[status][command.type as CommandOnATaskType];
        if (target === undefined) {
          expect(isAppError(outcome) && outcome.code, `${command.type} in ${status}`).toBe('ILLEGAL_TRANSITION');
          continue;
        }
        if (isAppError(outcome)) throw new Error(`${command.type} in ${status}: ${outcome.code}`);
        const after = outcome.reduce(taskDecider.evolve, task);
        const expected: TaskStatus = target === BY_VERDICT ? 'accepted' : target === BY_ATTEMPTS_LEFT ? 'retrying' : target;
        expect(after?.status, `${command.type} in ${status}`).toBe(expected);
      }
    }
  });

  it('does not reassign a completed task: its outputs await review', () => {
    spec.given(historyTo.completed).when(commands.ReassignTask, { principal: system }).thenError('ILLEGAL_TRANSITION', { status: 'completed' });
  });
});

describe('who may do what', () => {
  const commands = commandsOnATask(1);

  it('dispatches and reassigns only as the platform', () => {
    for (const principal of [assignee, verifier, stranger]) {
      spec.given(historyTo.pending).when(commandsOnATask(0).DispatchTask, { principal }).thenError('NOT_THE_PLATFORM', { taskId, principal: principal.id });
      spec.given(historyTo.in_progress).when(commands.ReassignTask, { principal }).thenError('NOT_THE_PLATFORM');
    }
    spec
      .given(historyTo.pending)
      .when(commandsOnATask(0).DispatchTask, { principal: admin })
      .thenEvents([taskDispatched(1, assigneeId, admin)]);
  });

  it('lets only the assignee itself report, use tools and complete: not a stranger, not an admin, not the system', () => {
    for (const principal of [stranger, verifier, admin, system, { id: assigneeId, kind: 'admin' as const }]) {
      for (const command of [commands.ReportTaskProgress, commands.UseTool, commands.CompleteTask]) {
        spec.given(historyTo.in_progress).when(command, { principal }).thenError('NOT_THE_ASSIGNEE', { taskId, principal: principal.id });
      }
    }
  });

  it('fails an attempt as the assignee or the platform, never as someone else', () => {
    spec.given(historyTo.in_progress).when(commands.FailTaskAttempt, { principal: stranger }).thenError('NOT_THE_ASSIGNEE');
    spec.given(historyTo.in_progress).when(commands.FailTaskAttempt, { principal: verifier }).thenError('NOT_THE_ASSIGNEE');
    for (const principal of [assignee, system, admin]) {
      spec.given(historyTo.in_progress).when(commands.FailTaskAttempt, { principal }).thenTypes(['TaskAttemptFailed']);
    }
  });

  it('is reviewed by a verifier of its contract or the platform; never by its assignee or a stranger', () => {
    for (const principal of [verifier, admin, system]) {
      spec
        .given(historyTo.completed)
        .when(commands.ReviewTask, { principal })
        .thenEvents([taskReviewed('accept', principal)]);
    }
    spec.given(historyTo.completed).when(commands.ReviewTask, { principal: stranger }).thenError('NOT_THE_VERIFIER', { taskId, principal: stranger.id });
    // Separation of duties: even listed as a verifier, the assignee does not review its own work.
    spec
      .given(historyTo.completed)
      .when(commands.ReviewTask, { principal: assignee, contract: termsWith({ verifierSubjectIds: [verifier.id, assigneeId] }) })
      .thenError('NOT_THE_VERIFIER', { principal: assigneeId });
  });

  it('is reviewed by the platform only when it is under no contract (no verifiers)', () => {
    const uncontracted = [taskCreated({ contractId: null }), taskDispatched(1), taskCompleted(1)];
    spec.given(uncontracted).when(commands.ReviewTask, { principal: verifier, contract: null }).thenError('NOT_THE_VERIFIER');
    spec
      .given(uncontracted)
      .when(commands.ReviewTask, { principal: system, contract: null })
      .thenEvents([taskReviewed('accept', system)]);
  });

  it('leaves cancelling to the policy: the decider lets anyone the policy permits cancel', () => {
    spec
      .given(historyTo.pending)
      .when(commands.CancelTask, { principal: stranger })
      .thenEvents([taskCancelled(stranger)]);
  });
});

describe('reassignment', () => {
  const commands = commandsOnATask(1);

  it('hands the task to another subject, back to pending, keeping its contract and its attempt count', () => {
    spec.given(historyTo.in_progress).when(commands.ReassignTask, { principal: system }).thenEvents([taskReassigned()]);
    const task = taskAfter([...historyTo.in_progress, taskReassigned()]);
    expect(task).toMatchObject({ status: 'pending', assigneeSubjectId: newAssigneeId, contractId, attempt: 1, progress: null, lastHeartbeatAt: null });
  });

  it('moves the task to the contract the command names, or to none', () => {
    spec
      .given(historyTo.pending)
      .when({ ...commands.ReassignTask, data: { ...commands.ReassignTask.data, contractId: otherContractId } }, { principal: admin })
      .thenEvents([taskReassigned({ contractId: otherContractId, reassignedBy: admin })]);
    spec
      .given(historyTo.retrying)
      .when({ ...commands.ReassignTask, data: { ...commands.ReassignTask.data, contractId: null } }, { principal: system })
      .thenEvents([taskReassigned({ contractId: null })]);
    expect(taskAfter([...historyTo.pending, taskReassigned({ contractId: null })]).contractId).toBeNull();
  });

  it('takes the work away from the previous assignee and gives it to the new one', () => {
    const history = [...historyTo.in_progress, taskReassigned({ contractId: otherContractId }), taskDispatched(2, newAssigneeId)];
    expect(taskAfter(history)).toMatchObject({ status: 'dispatched', attempt: 2, assigneeSubjectId: newAssigneeId });
    spec.given(history).when(commands.ReportTaskProgress, { principal: assignee }).thenError('NOT_THE_ASSIGNEE');
    const newTerms = termsWith({ contractId: otherContractId, assigneeSubjectId: newAssigneeId });
    spec
      .given(history)
      .when(commands.ReportTaskProgress, { principal: newAssignee, contract: newTerms })
      .thenEvents([progressReported(2)]);
  });

  it('dispatches to the current assignee', () => {
    spec
      .given([...historyTo.pending, taskReassigned()])
      .when(commandsOnATask(0).DispatchTask, { principal: system })
      .thenEvents([taskDispatched(1, newAssigneeId)]);
  });
});
