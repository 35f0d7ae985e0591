import type { SagaEvent } from '../../saga-runner.ts';

export const AUCTION_CLOSE = 'auction.close';
export const SIGNATURE_DUE = 'contract.signature';

/** A fired timer of the assignment workflow, by what it was set for, with the ref it was scheduled with. */
export type AssignmentTimer =
  | { purpose: typeof AUCTION_CLOSE; jobId: string; round: number }
  | { purpose: typeof SIGNATURE_DUE; contractId: string; timeoutMs?: number };

export function assignmentTimerOf(event: SagaEvent<'TimerFired'>): AssignmentTimer | null {
  const { purpose } = event.data;
  // The ref is the JSON this workflow scheduled the timer with: its shape depends on the purpose.
  if (purpose === AUCTION_CLOSE) {
    const ref = event.data.ref as { jobId?: string; round?: number };
    return typeof ref.jobId === 'string' && typeof ref.round === 'number' ? { purpose, jobId: ref.jobId, round: ref.round } : null;
  }
  if (purpose === SIGNATURE_DUE) {
    const ref = event.data.ref as { contractId?: string; timeoutMs?: number };
    if (typeof ref.contractId !== 'string') return null;
    return { purpose, contractId: ref.contractId, ...(ref.timeoutMs === undefined ? {} : { timeoutMs: ref.timeoutMs }) };
  }
  return null;
}
