import type { Decider } from '../shared/decider.ts';
import type { TaskCommand } from './commands.ts';
import { decideTask, type TaskDecisionContext } from './decide.ts';
import type { TaskEvent } from './events.ts';
import { evolveTask } from './evolve.ts';
import { initialTaskState, type TaskState } from './state.ts';

export const taskDecider: Decider<TaskCommand, TaskState, TaskEvent, TaskDecisionContext> = {
  initialState: initialTaskState,
  evolve: evolveTask,
  decide: decideTask,
};

export const taskStream = (taskId: string) => `task-${taskId}`;
