import { z } from 'zod';
import type { SagaEvent } from '../../saga-runner.ts';

export const TASK_HEARTBEAT = 'task.heartbeat';
export const TASK_RETRY = 'task.retry';
export const VERDICT_DUE = 'job.verification';

/** The refs this workflow schedules its timers with, by purpose (a timeout only goes into a reason). */
const verdictDueRefSchema = z.object({ jobId: z.string(), deliveredAt: z.string().optional(), timeoutMs: z.unknown() });
const taskTimerRefSchema = z.object({ taskId: z.string(), attempt: z.number(), check: z.number().optional() });

/** A fired timer of the execution workflow, by what it was set for, with the ref it was scheduled with. */
export type ExecutionTimer =
  | ({ purpose: typeof VERDICT_DUE } & z.infer<typeof verdictDueRefSchema>)
  /** `dueAt`: when the timer was due (a heartbeat check counts silence from it). */
  | ({ purpose: typeof TASK_HEARTBEAT | typeof TASK_RETRY; dueAt: string } & z.infer<typeof taskTimerRefSchema>);

export function executionTimerOf(event: SagaEvent<'TimerFired'>): ExecutionTimer | null {
  const { purpose, ref, dueAt } = event.data;
  if (purpose === VERDICT_DUE) {
    const parsed = verdictDueRefSchema.safeParse(ref);
    return parsed.success ? { purpose, ...parsed.data } : null;
  }
  if (purpose !== TASK_HEARTBEAT && purpose !== TASK_RETRY) return null;
  const parsed = taskTimerRefSchema.safeParse(ref);
  return parsed.success ? { purpose, dueAt, ...parsed.data } : null;
}
