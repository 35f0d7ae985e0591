import type { Assignment } from '../../../domain/assignment/state.ts';
import type { WorkSettings } from '../../../domain/assignment/work-settings.ts';
import type { Contract } from '../../../domain/contract/state.ts';
import type { Job } from '../../../domain/job/state.ts';
import type { CandidateFactsSource } from '../candidates.ts';

/** What the assignment workflow decides on, as it is now; each input reads only the parts it needs. */
export interface AssignmentWorkflowState {
  job: Job | null;
  assignment: Assignment | null;
  /** The work settings of the job's org. */
  settings: WorkSettings | null;
  /** The contract the input concerns (the award's, the offer's, the timer's). */
  contract: Contract | null;
  /** For an assessment: the write side's facts about the candidates, and their open assignments (read model). */
  candidates: { source: CandidateFactsSource; workloads: ReadonlyMap<string, number> } | null;
}

export const noAssignmentState: AssignmentWorkflowState = { job: null, assignment: null, settings: null, contract: null, candidates: null };
