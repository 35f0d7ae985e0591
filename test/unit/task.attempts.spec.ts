import { describe, expect, it } from 'vitest';
import { isAppError } from '../../domain/shared/app-error.ts';
import type { Principal } from '../../domain/shared/principal.ts';
import type { TaskCommand } from '../../domain/task/commands.ts';
import { taskDecider } from '../../domain/task/decider.ts';
import type { TaskEvent } from '../../domain/task/events.ts';
import type { TaskState } from '../../domain/task/state.ts';
import {
  assignee,
  attemptFailed,
  commandsOnATask,
  historyTo,
  newAssigneeId,
  now,
  orgId,
  progressReported,
  system,
  taskAfter,
  taskContext,
  taskCreated,
  taskDispatched,
  taskFailed,
  taskId,
  taskReassigned,
  taskSpec as spec,
} from '../support/task-fixtures.ts';

const dispatch = (attempt: number): TaskCommand => ({ type: 'DispatchTask', data: { taskId, orgId, attempt } });
const fail = (attempt: number, reason = 'heartbeat timed out'): TaskCommand => ({ type: 'FailTaskAttempt', data: { taskId, orgId, attempt, reason } });
const progress = (value: number): TaskCommand => ({ type: 'ReportTaskProgress', data: { taskId, orgId, progress: value } });

/** Decides each command on the state the previous ones left, as the pipeline would; throws on a refusal. */
function run(history: readonly TaskEvent[], steps: ReadonlyArray<[TaskCommand, Principal]>) {
  let state: TaskState = history.reduce(taskDecider.evolve, taskDecider.initialState);
  const emitted: TaskEvent[] = [];
  for (const [command, principal] of steps) {
    const outcome = taskDecider.decide(command, state, { ...taskContext, principal });
    if (isAppError(outcome)) throw new Error(`${command.type}: ${outcome.code} ${outcome.message}`);
    emitted.push(...outcome);
    state = outcome.reduce(taskDecider.evolve, state);
  }
  return { state, emitted };
}

describe('attempts', () => {
  it('retries until maxAttempts, numbering the attempts 1, 2, 3, then fails the task', () => {
    const { state, emitted } = run(historyTo.pending, [
      [dispatch(1), system],
      [progress(10), assignee],
      [fail(1), system],
      [dispatch(2), system],
      [progress(20), assignee],
      [fail(2), assignee],
      [dispatch(3), system],
      [fail(3, 'gave up'), system],
    ]);
    expect(emitted).toEqual([
      taskDispatched(1),
      progressReported(1, 10),
      attemptFailed(1, true),
      taskDispatched(2),
      progressReported(2, 20),
      attemptFailed(2, true, assignee),
      taskDispatched(3),
      attemptFailed(3, false, system, 'gave up'),
      taskFailed(3, 'gave up'),
    ]);
    expect(state).toMatchObject({
      status: 'failed',
      attempt: 3,
      statusReason: 'gave up',
      lastFailure: { attempt: 3, reason: 'gave up', failedBy: system, failedAt: now },
      lastHeartbeatAt: null,
    });
  });

  it('waits in retrying after a failed attempt with attempts left', () => {
    spec
      .given(historyTo.dispatched)
      .when(fail(1), { principal: system })
      .thenEvents([attemptFailed(1, true)]);
    expect(taskAfter(historyTo.retrying)).toMatchObject({ status: 'retrying', attempt: 1, lastFailure: { attempt: 1 }, statusReason: null });
  });

  it('fails the task on the first failure when it has one attempt', () => {
    const history = [taskCreated({ maxAttempts: 1 }), taskDispatched(1)];
    spec
      .given(history)
      .when(fail(1), { principal: system })
      .thenEvents([attemptFailed(1, false), taskFailed(1)]);
    expect(taskAfter([...history, attemptFailed(1, false), taskFailed(1)]).status).toBe('failed');
  });

  it('dispatches attempt current+1 only', () => {
    spec.given(historyTo.pending).when(dispatch(2), { principal: system }).thenError('ATTEMPT_MISMATCH', { taskId, attempt: 2, expectedAttempt: 1 });
    spec.given(historyTo.retrying).when(dispatch(1), { principal: system }).thenError('ATTEMPT_MISMATCH', { attempt: 1, expectedAttempt: 2 });
    spec.given(historyTo.retrying).when(dispatch(3), { principal: system }).thenError('ATTEMPT_MISMATCH', { attempt: 3, expectedAttempt: 2 });
    spec
      .given(historyTo.retrying)
      .when(dispatch(2), { principal: system })
      .thenEvents([taskDispatched(2)]);
  });

  it('fails the current attempt only: a stale failure (an old heartbeat timeout) is refused', () => {
    const second = [...historyTo.retrying, taskDispatched(2)];
    spec.given(second).when(fail(1), { principal: system }).thenError('ATTEMPT_MISMATCH', { taskId, attempt: 1, expectedAttempt: 2 });
    spec.given(second).when(fail(3), { principal: system }).thenError('ATTEMPT_MISMATCH', { attempt: 3, expectedAttempt: 2 });
    spec
      .given(second)
      .when(fail(2), { principal: system })
      .thenEvents([attemptFailed(2, true)]);
    // Once failed, the attempt is over: failing it again is no transition.
    spec.given(historyTo.retrying).when(fail(1), { principal: system }).thenError('ILLEGAL_TRANSITION', { status: 'retrying' });
  });

  it('numbers what happens in an attempt with it, and starts each attempt with no progress', () => {
    const second = [...historyTo.retrying, taskDispatched(2)];
    expect(taskAfter([...historyTo.in_progress, attemptFailed(1, true), taskDispatched(2)])).toMatchObject({
      attempt: 2,
      progress: null,
      lastHeartbeatAt: now,
    });
    spec
      .given(second)
      .when(progress(70), { principal: assignee })
      .thenEvents([progressReported(2, 70)]);
    spec.given(second).when(commandsOnATask(2).UseTool, { principal: assignee }).thenTypes(['TaskToolUsed']);
    const { emitted } = run(second, [[commandsOnATask(2).CompleteTask, assignee]]);
    expect(emitted[0]).toMatchObject({ type: 'TaskCompleted', data: { attempt: 2 } });
  });

  it('keeps the attempt count across a reassignment', () => {
    const reassigned = [...historyTo.retrying, taskReassigned()];
    expect(taskAfter(reassigned)).toMatchObject({ status: 'pending', attempt: 1 });
    spec.given(reassigned).when(dispatch(1), { principal: system }).thenError('ATTEMPT_MISMATCH', { expectedAttempt: 2 });
    spec
      .given(reassigned)
      .when(dispatch(2), { principal: system })
      .thenEvents([taskDispatched(2, newAssigneeId)]);
  });

  it('gives no attempt beyond maxAttempts: the last running attempt cannot be reassigned, only ended', () => {
    const last = [taskCreated({ maxAttempts: 2 }), taskDispatched(1), attemptFailed(1, true), taskDispatched(2)];
    spec.given(last).when(commandsOnATask(2).ReassignTask, { principal: system }).thenError('ATTEMPTS_EXHAUSTED', { taskId, attempt: 2, maxAttempts: 2 });
    spec
      .given(last)
      .when(fail(2), { principal: system })
      .thenEvents([attemptFailed(2, false), taskFailed(2)]);
    // With attempts left, the running attempt is given up and the next goes to the new assignee.
    spec.given(historyTo.in_progress).when(commandsOnATask(1).ReassignTask, { principal: system }).thenTypes(['TaskReassigned']);
  });

  it('dispatches no attempt beyond maxAttempts, even from a history that ran out of attempts before it was pending', () => {
    // Not a history the decider writes today (it refuses such a reassignment): the dispatch holds the bound on its own.
    const outOfAttempts = [taskCreated({ maxAttempts: 1 }), taskDispatched(1), taskReassigned()];
    spec.given(outOfAttempts).when(dispatch(2), { principal: system }).thenError('ATTEMPTS_EXHAUSTED', { taskId, attempt: 1, maxAttempts: 1 });
  });

  it('takes nothing more once failed', () => {
    spec.given(historyTo.failed).when(dispatch(2), { principal: system }).thenError('ILLEGAL_TRANSITION', { status: 'failed' });
    spec.given(historyTo.failed).when(commandsOnATask(1).ReassignTask, { principal: system }).thenError('ILLEGAL_TRANSITION');
  });
});
