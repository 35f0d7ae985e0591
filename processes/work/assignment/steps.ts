import type { Assignment } from '../../../domain/assignment/state.ts';
import type { Job } from '../../../domain/job/state.ts';
import type { WorkStep } from '../work-command.ts';
import type { AssignmentFollowUp } from './follow-ups.ts';
import { contractIdFor } from './ids.ts';

/** A step of the assignment workflow. */
export type AssignmentStep = WorkStep<AssignmentFollowUp>;

export function closeRound(job: Job, round: number): AssignmentStep {
  return {
    kind: 'command',
    command: { aggregate: 'assignment', type: 'CloseRound', data: { jobId: job.jobId, orgId: job.orgId, round, contractId: contractIdFor(job.jobId, round) } },
    commandId: `assign:${job.jobId}:close:${round}`,
  };
}

export function failRound(job: Job, assignment: Assignment, reason: 'contract_rejected' | 'assignee_lost', detail: string): AssignmentStep {
  return {
    kind: 'command',
    command: { aggregate: 'assignment', type: 'FailRound', data: { jobId: job.jobId, orgId: job.orgId, round: assignment.round, reason, detail } },
    commandId: `assign:${job.jobId}:fail:${assignment.round}`,
  };
}

/** The job assigned under the signed contract (unless the job refuses it), then the assignment completed. */
export function assignUnder(job: Job, contractId: string, assigneeSubjectId: string): AssignmentStep[] {
  const { jobId, orgId } = job;
  const complete: AssignmentStep = {
    kind: 'command',
    command: { aggregate: 'assignment', type: 'CompleteAssignment', data: { jobId, orgId, contractId } },
    commandId: `assign:${contractId}:complete`,
  };
  if (job.status !== 'contracting') return [complete];
  return [
    {
      kind: 'command',
      command: { aggregate: 'job', type: 'AssignJob', data: { jobId, orgId, assigneeSubjectId, contractId } },
      commandId: `assign:${contractId}:assign-job`,
      ifRefused: 'stop',
    },
    complete,
  ];
}
