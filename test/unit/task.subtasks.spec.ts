import { describe, it } from 'vitest';
import type { TaskEvent } from '../../domain/task/events.ts';
import {
  activeTerms,
  assignee,
  assigneeId,
  contractId,
  createTask,
  jobId,
  newAssigneeId,
  parentTaskId,
  stranger,
  system,
  taskCompleted,
  taskCreated,
  taskDispatched,
  taskSpec as spec,
  taskStateAfter,
  termsWith,
} from '../support/task-fixtures.ts';

/** The parent: a task of the same job, under the contract, with the given history after its creation. */
const parentAfter = (...events: TaskEvent[]) => taskStateAfter([taskCreated({ taskId: parentTaskId, parentTaskId: null, contractId }), ...events]);
const split = (overrides: Parameters<typeof createTask>[0] = {}) => createTask({ parentTaskId, contractId, assigneeSubjectId: assigneeId, ...overrides });

describe('splitting a task into sub-tasks', () => {
  it('lets the assignee split its open task, for itself, under the same contract', () => {
    spec
      .given([])
      .when(split(), { principal: assignee, parent: parentAfter(taskDispatched(1)), contract: activeTerms })
      .thenTypes(['TaskCreated']);
  });

  it("gives an assignee's sub-task its parent's heartbeat timeout and attempts", () => {
    const parent = taskStateAfter([
      taskCreated({ taskId: parentTaskId, parentTaskId: null, contractId, heartbeatTimeoutMs: 5_000, maxAttempts: 7 }),
      taskDispatched(1),
    ]);
    const outcome = spec.given([]).when(split(), { principal: assignee, parent, contract: activeTerms });
    outcome.thenEvents([taskCreated({ parentTaskId, contractId, heartbeatTimeoutMs: 5_000, maxAttempts: 7, createdBy: assignee })]);
  });

  it('lets the platform create a sub-task of any open task', () => {
    spec
      .given([])
      .when(split({ assigneeSubjectId: newAssigneeId }), { principal: system, parent: parentAfter() })
      .thenTypes(['TaskCreated']);
  });

  it('refuses a sub-task of a task that does not exist, is of another job, or is over', () => {
    spec.given([]).when(split(), { principal: system, parent: null }).thenError('PARENT_TASK_NOT_FOUND');
    spec.given([]).when(split(), { principal: system }).thenError('PARENT_TASK_NOT_FOUND');
    spec
      .given([])
      .when(split({ jobId: '66666666-6666-4666-8666-666666666666' }), { principal: system, parent: parentAfter() })
      .thenError('SUBTASK_OF_ANOTHER_JOB', { jobId });
    spec
      .given([])
      .when(split(), { principal: assignee, parent: parentAfter(taskDispatched(1), taskCompleted(1)), contract: activeTerms })
      .thenError('PARENT_TASK_CLOSED', { status: 'completed' });
  });

  it("refuses a subject splitting someone else's task, or handing the sub-task to another subject or contract", () => {
    spec
      .given([])
      .when(split(), { principal: stranger, parent: parentAfter(taskDispatched(1)), contract: activeTerms })
      .thenError('NOT_THE_ASSIGNEE');
    spec
      .given([])
      .when(split({ assigneeSubjectId: newAssigneeId }), { principal: assignee, parent: parentAfter(taskDispatched(1)), contract: activeTerms })
      .thenError('SUBTASK_MISMATCH');
    spec
      .given([])
      .when(split({ contractId: null }), { principal: assignee, parent: parentAfter(taskDispatched(1)), contract: activeTerms })
      .thenError('SUBTASK_MISMATCH');
  });

  it('checks a split against the contract: it must permit task.create', () => {
    spec
      .given([])
      .when(split(), {
        principal: assignee,
        parent: parentAfter(taskDispatched(1)),
        contract: termsWith({ permittedActions: ['task.progress', 'task.complete'] }),
      })
      .thenError('CONTRACT_VIOLATION', { clause: 'permittedActions', action: 'task.create' });
  });

  it('leaves root tasks to the platform', () => {
    spec
      .given([])
      .when(createTask({ parentTaskId: null }), { principal: assignee })
      .thenError('NOT_THE_PLATFORM');
  });
});
