import type { Contract } from '../../../domain/contract/state.ts';
import type { Job } from '../../../domain/job/state.ts';

/** What the obligation workflow decides on: the contract and its job, as they are now. */
export interface ObligationState {
  contract: Contract | null;
  job: Job | null;
}

export const noObligationState: ObligationState = { contract: null, job: null };
