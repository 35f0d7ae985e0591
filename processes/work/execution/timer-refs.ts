import type { SagaEvent } from '../../saga-runner.ts';

export const TASK_HEARTBEAT = 'task.heartbeat';
export const TASK_RETRY = 'task.retry';
export const VERDICT_DUE = 'job.verification';

/** A fired timer of the execution workflow, by what it was set for, with the ref it was scheduled with. */
export type ExecutionTimer =
  | { purpose: typeof VERDICT_DUE; jobId: string; deliveredAt?: string; timeoutMs?: number }
  /** `dueAt`: when the timer was due (a heartbeat check counts silence from it). */
  | { purpose: typeof TASK_HEARTBEAT | typeof TASK_RETRY; taskId: string; attempt: number; check?: number; dueAt: string };

export function executionTimerOf(event: SagaEvent<'TimerFired'>): ExecutionTimer | null {
  const { purpose } = event.data;
  // The ref is the JSON this workflow scheduled the timer with: its shape depends on the purpose.
  if (purpose === VERDICT_DUE) {
    const ref = event.data.ref as { jobId?: string; deliveredAt?: string; timeoutMs?: number };
    return typeof ref.jobId === 'string' ? { ...ref, purpose, jobId: ref.jobId } : null;
  }
  if (purpose !== TASK_HEARTBEAT && purpose !== TASK_RETRY) return null;
  const ref = event.data.ref as { taskId?: string; attempt?: number; check?: number };
  if (typeof ref.taskId !== 'string' || typeof ref.attempt !== 'number') return null;
  return { ...ref, purpose, taskId: ref.taskId, attempt: ref.attempt, dueAt: event.data.dueAt };
}
