import type { Job } from '../../../domain/job/state.ts';

/** What the escalation workflow decides on: the org's timeout for a new escalation, the job when its timer fires. */
export interface EscalationState {
  /** The org's `work.escalationTimeoutMs` (read for JobEscalated). */
  escalationTimeoutMs: number | null;
  /** The job of a fired escalation timer, as it is now. */
  job: Job | null;
}

export const noEscalationState: EscalationState = { escalationTimeoutMs: null, job: null };
