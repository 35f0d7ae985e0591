import type { SagaEvent } from '../../saga-runner.ts';

export const OBLIGATION_DUE = 'contract.obligation';

/** The ref an obligation timer was scheduled with, when a fired timer is one. */
export function obligationTimerRef(event: SagaEvent<'TimerFired'>): { contractId: string; obligationId: string; dueAt: string } | null {
  if (event.data.purpose !== OBLIGATION_DUE) return null;
  // The ref is the JSON this workflow scheduled the timer with.
  const ref = event.data.ref as { contractId?: string; obligationId?: string; dueAt?: string };
  const { contractId, obligationId, dueAt } = ref;
  if (typeof contractId !== 'string' || typeof obligationId !== 'string' || typeof dueAt !== 'string') return null;
  return { contractId, obligationId, dueAt };
}
