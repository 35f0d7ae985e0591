import type { TaskCommandType } from './commands.ts';
import type { TaskStatus } from './state.ts';

/** FailTaskAttempt's target depends on the attempts left: `retrying` below `maxAttempts`, `failed` at it. */
export const BY_ATTEMPTS_LEFT = 'by-attempts-left';
/** ReviewTask's target depends on the verdict: `accepted` or `rejected`. */
export const BY_VERDICT = 'by-verdict';
export type TaskTransitionTarget = TaskStatus | typeof BY_ATTEMPTS_LEFT | typeof BY_VERDICT;

/**
 * The task lifecycle: for each status, the commands it accepts and the status each leads to. Anything not listed is
 * an illegal transition (CreateTask creates the task and is decided before this table applies).
 *
 *   pending -> dispatched -> in_progress -> completed -> accepted | rejected
 *                  ^              |
 *                  +- retrying <--+ (a failed attempt with attempts left; at maxAttempts: failed)
 *
 * - Final: accepted, rejected, failed, cancelled.
 * - An attempt runs while `dispatched` or `in_progress`: the assignee reports progress (-> in_progress), uses tools
 *   (status unchanged), completes or fails it. Completing straight from `dispatched` is allowed.
 * - ReassignTask sends any open task but a completed one back to `pending` (attempt count kept): a completed task
 *   awaits its review, and its outputs are not discarded by handing the task to someone else.
 * - Any open status may be cancelled, `completed` included.
 */
export const taskTransitions: Readonly<Record<TaskStatus, Partial<Record<Exclude<TaskCommandType, 'CreateTask'>, TaskTransitionTarget>>>> = {
  pending: { DispatchTask: 'dispatched', ReassignTask: 'pending', CancelTask: 'cancelled' },
  dispatched: {
    ReportTaskProgress: 'in_progress',
    UseTool: 'dispatched',
    CompleteTask: 'completed',
    FailTaskAttempt: BY_ATTEMPTS_LEFT,
    ReassignTask: 'pending',
    CancelTask: 'cancelled',
  },
  in_progress: {
    ReportTaskProgress: 'in_progress',
    UseTool: 'in_progress',
    CompleteTask: 'completed',
    FailTaskAttempt: BY_ATTEMPTS_LEFT,
    ReassignTask: 'pending',
    CancelTask: 'cancelled',
  },
  retrying: { DispatchTask: 'dispatched', ReassignTask: 'pending', CancelTask: 'cancelled' },
  completed: { ReviewTask: BY_VERDICT, CancelTask: 'cancelled' },
  accepted: {},
  rejected: {},
  failed: {},
  cancelled: {},
};
