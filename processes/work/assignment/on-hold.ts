import { isFinalContractStatus, type Contract } from '../../../domain/contract/state.ts';
import type { SagaEvent } from '../../saga-runner.ts';
import { runRound } from './rounds.ts';
import type { AssignmentWorkflowState as State } from './state.ts';
import { type AssignmentStep, assignUnder, failRound } from './steps.ts';
import { escalateJob } from '../escalate-job.ts';

/** No assignee found in the last round: the job is escalated to the org's `work.escalateTo` role. */
export function onEscalated(event: SagaEvent<'AssignmentEscalated'>, state: State): AssignmentStep[] {
  const { job, assignment, settings } = state;
  if (job === null || settings === null || assignment?.phase !== 'escalated') return [];
  if (job.status !== 'contracting' && job.status !== 'submitted') return [];
  return [
    escalateJob(job, {
      reason: `no assignee found: ${event.data.reason}`,
      escalateTo: settings.escalateTo,
      commandId: `assign:${job.jobId}:escalate:${assignment.round}`,
    }),
  ];
}

/**
 * An escalation resolved. Back to contracting: `reassign` drops whoever was chosen (its contract is terminated) and
 * assigns anew without it; `resume` / `extend` carry on where the assignment was (an offer signed meanwhile is
 * assigned now). Cancelled: as a cancelled job.
 */
export function onEscalationResolved(event: SagaEvent<'JobEscalationResolved'>, state: State): AssignmentStep[] {
  const { status, resolution } = event.data;
  if (status === 'cancelled') return onJobEnded(state);
  if (status !== 'contracting') return [];
  const { job, assignment, contract } = state;
  if (job === null || assignment === null) return [];
  if (assignment.phase === 'completed' || assignment.phase === 'escalated') {
    const exclude = resolution === 'reassign' && assignment.phase === 'completed' && assignment.award ? [assignment.award.subjectId] : [];
    return [
      {
        kind: 'command',
        command: {
          aggregate: 'assignment',
          type: 'RestartAssignment',
          data: { jobId: job.jobId, orgId: job.orgId, reason: `the job went back to contracting (${resolution})`, exclude },
        },
        commandId: `assign:${job.jobId}:restart:${event.eventId}`,
      },
    ];
  }
  if (assignment.phase === 'awarded' && assignment.award) {
    const awarded = contract?.contractId === assignment.award.contractId ? contract : null;
    if (resolution === 'reassign') {
      return [
        ...terminateAward(job.orgId, awarded, 'the job was reassigned before it was assigned'),
        failRound(job, assignment, 'assignee_lost', 'the job was reassigned by its escalatee'),
      ];
    }
    // Signed while the job was on hold: assign it now.
    return awarded?.status === 'active' ? assignUnder(job, assignment.award.contractId, awarded.assigneeSubjectId) : [];
  }
  // Assessing (or a round that failed while on hold): run it now that the job is contracting again.
  return runRound(state);
}

/** The job ended before it was assigned: the assignment stops and an offer still open is withdrawn. */
export function onJobEnded(state: State): AssignmentStep[] {
  const { job, assignment, contract } = state;
  if (job === null || assignment === null) return [];
  const cancel: AssignmentStep = {
    kind: 'command',
    command: { aggregate: 'assignment', type: 'CancelAssignment', data: { jobId: job.jobId, orgId: job.orgId, reason: 'the job was cancelled' } },
    commandId: `assign:${job.jobId}:cancel`,
  };
  if (assignment.phase !== 'awarded' || !assignment.award) return [cancel];
  const awarded = contract?.contractId === assignment.award.contractId ? contract : null;
  return [cancel, ...terminateAward(job.orgId, awarded, 'the job was cancelled')];
}

function terminateAward(orgId: string, contract: Contract | null, reason: string): AssignmentStep[] {
  if (contract === null || isFinalContractStatus(contract.status)) return [];
  const { contractId } = contract;
  return [
    {
      kind: 'command',
      command: { aggregate: 'contract', type: 'TerminateContract', data: { contractId, orgId, reason } },
      commandId: `assign:${contractId}:terminate`,
    },
  ];
}
