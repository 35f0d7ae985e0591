import type { SagaEvent } from '../../saga-runner.ts';

export const ESCALATION_TIMEOUT = 'escalation.timeout';

/** The ref an escalation timer was scheduled with, when a fired timer is one. */
export function escalationTimerRef(event: SagaEvent<'TimerFired'>): { jobId: string; escalatedAt?: string; timeoutMs?: number } | null {
  // The ref is the JSON this workflow scheduled the timer with.
  const ref = event.data.ref as { jobId?: string; escalatedAt?: string; timeoutMs?: number };
  if (event.data.purpose !== ESCALATION_TIMEOUT || typeof ref.jobId !== 'string') return null;
  return { ...ref, jobId: ref.jobId };
}
