import type { WorkSettings } from '../../../domain/assignment/work-settings.ts';
import type { Job } from '../../../domain/job/state.ts';
import type { Subject } from '../../../domain/subject/state.ts';
import type { Task } from '../../../domain/task/state.ts';

/** What the execution workflow decides on, as it is now; each input reads only the parts it needs. */
export interface ExecutionState {
  job: Job | null;
  task: Task | null;
  /** The work settings of the job's (or task's) org. */
  settings: WorkSettings | null;
  /** The subject of a SubjectSuspended. */
  subject: Subject | null;
  /** The job's last JobAssigned before the event that ends it (its state forgets it when it goes back to contracting). */
  lastAssignment: { contractId: string; orgId: string } | null;
  /** The open jobs a suspended subject holds (from the workloads read model), as they are now. */
  heldJobs: Job[];
}

export const noExecutionState: ExecutionState = { job: null, task: null, settings: null, subject: null, lastAssignment: null, heldJobs: [] };
