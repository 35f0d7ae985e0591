import type { JobCommandType } from './commands.ts';
import type { EscalationResolution } from './fields.ts';
import type { EscalatableJobStatus, JobStatus } from './state.ts';

/** ResolveEscalation's target depends on the resolution (and, for `resume`, on where the job came from). */
export const BY_RESOLUTION = 'by-resolution';
export type JobTransitionTarget = JobStatus | typeof BY_RESOLUTION;

/**
 * The job lifecycle: for each status, the commands it accepts and the status each leads to. Anything not listed is
 * an illegal transition (SubmitJob creates the job and is decided before this table applies).
 *
 *   submitted -> contracting -> assigned -> in_progress -> delivered -> verified | rejected
 *
 * - Final: verified, rejected, failed, cancelled. `rejected` is final: a rejected delivery ends the job; rework is a
 *   new job (a later ReopenJob may add a way back, it is not part of this lifecycle).
 * - Any open status may be cancelled.
 * - Any open status but `escalated` itself may be escalated; from `escalated`, ResolveEscalation either resumes
 *   (back to the status it was escalated from), cancels, or reassigns (back to contracting, the assignment and any
 *   delivery cleared). Nothing else happens while a job is escalated, except cancelling it.
 * - Only a job someone holds can fail: `assigned` or `in_progress`.
 */
export const jobTransitions: Readonly<Record<JobStatus, Partial<Record<Exclude<JobCommandType, 'SubmitJob'>, JobTransitionTarget>>>> = {
  submitted: { StartContracting: 'contracting', CancelJob: 'cancelled', EscalateJob: 'escalated' },
  contracting: { AssignJob: 'assigned', CancelJob: 'cancelled', EscalateJob: 'escalated' },
  assigned: { StartWork: 'in_progress', FailJob: 'failed', CancelJob: 'cancelled', EscalateJob: 'escalated' },
  in_progress: { DeliverJob: 'delivered', FailJob: 'failed', CancelJob: 'cancelled', EscalateJob: 'escalated' },
  delivered: { VerifyJob: 'verified', RejectDelivery: 'rejected', CancelJob: 'cancelled', EscalateJob: 'escalated' },
  escalated: { ResolveEscalation: BY_RESOLUTION, RaiseEscalation: 'escalated', CancelJob: 'cancelled' },
  verified: {},
  rejected: {},
  failed: {},
  cancelled: {},
};

/** Where resolving an escalation of a job escalated from `from` puts it. */
export function resolutionTarget(resolution: EscalationResolution, from: EscalatableJobStatus): JobStatus {
  switch (resolution) {
    case 'resume':
    case 'extend':
      return from;
    case 'cancel':
      return 'cancelled';
    case 'reassign':
      return 'contracting';
  }
}
