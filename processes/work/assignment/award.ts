import type { Award, ProposalRejected } from '../../../domain/agent-protocol/messages.ts';
import { agentInboxSubject } from '../../../domain/agent-protocol/subjects.ts';
import type { Job } from '../../../domain/job/state.ts';
import type { SagaEvent } from '../../saga-runner.ts';
import type { WorkflowContext } from '../../workflow.ts';
import type { AssignmentFollowUp } from './follow-ups.ts';
import type { AssignmentWorkflowState as State } from './state.ts';
import { type AssignmentStep, failRound } from './steps.ts';
import { SIGNATURE_DUE } from './timer-refs.ts';

/** An award: the contract drafted (once), the other bidders told, and the contract offered unless the org reviews it first. */
export function onAwarded(event: SagaEvent<'AssignmentAwarded'>, state: State, context: WorkflowContext): AssignmentStep[] {
  const { job, assignment, settings } = state;
  const award = event.data;
  if (job === null || settings === null || assignment === null) return [];
  if (assignment.award?.contractId !== award.contractId || assignment.phase !== 'awarded') return [];
  const { jobId } = job;
  const steps: AssignmentStep[] = [];
  // Drafted already (a replay; the deadline or the settings may differ by now): the step is done.
  if (state.contract === null) {
    const obligations =
      job.deadline !== null && Date.parse(job.deadline) > Date.parse(context.now)
        ? [{ obligationId: 'delivery', description: `deliver: ${job.goal}`.slice(0, 500), dueAt: job.deadline }]
        : [];
    steps.push({
      kind: 'command',
      command: {
        aggregate: 'contract',
        type: 'DraftContract',
        data: {
          contractId: award.contractId,
          orgId: job.orgId,
          jobId,
          assigneeSubjectId: award.subjectId,
          verifierSubjectIds: job.verifierSubjectIds,
          permittedActions: settings.permittedActions,
          permittedTools: settings.permittedTools,
          deliverables: job.objectives.length > 0 ? job.objectives.map((objective) => objective.slice(0, 500)) : [job.goal.slice(0, 500)],
          obligations,
          escalateTo: settings.escalateTo,
          reviewRequired: settings.contractReviewRequired,
        },
      },
      commandId: `assign:${award.contractId}:draft`,
      ifRefused: (refusal) => [
        { kind: 'log', level: 'warn', fields: { jobId, code: refusal.code }, message: 'the contract of an award could not be drafted; the round fails' },
        failRound(job, assignment, 'contract_rejected', `the contract could not be drafted: ${refusal.message}`.slice(0, 500)),
      ],
    });
  }
  for (const subjectId of award.declined) {
    const rejected: ProposalRejected = { orgId: job.orgId, jobId, round: award.round, reason: 'another bid won' };
    steps.push({ kind: 'publish', subject: agentInboxSubject(subjectId, 'reject'), data: rejected });
  }
  if (!settings.contractReviewRequired) steps.push(...offer(job, award.contractId, award.round, award.basis));
  return steps;
}

/** The org signs its side; then the chosen agent is asked to sign (accept-proposal). */
export function offer(job: Job, contractId: string, round: number, basis: string): AssignmentStep[] {
  return [
    {
      kind: 'command',
      command: { aggregate: 'contract', type: 'SignContract', data: { contractId, orgId: job.orgId, party: 'org' } },
      commandId: `assign:${contractId}:sign-org`,
    },
    { kind: 'follow', input: { type: 'offer', jobId: job.jobId, contractId, round, basis } },
  ];
}

/** The org has signed: the winner is offered the contract as it now stands, with a deadline to sign. */
export function onOrgSigned(input: Extract<AssignmentFollowUp, { type: 'offer' }>, state: State, context: WorkflowContext): AssignmentStep[] {
  const { job, contract, settings } = state;
  const { contractId, round, basis } = input;
  if (job === null || settings === null || contract === null || contract.contractId !== contractId || contract.status !== 'awaiting_signatures') return [];
  const message: Award = {
    orgId: job.orgId,
    jobId: job.jobId,
    round,
    basis,
    goal: job.goal,
    contract: {
      contractId,
      permittedActions: contract.permittedActions,
      permittedTools: contract.permittedTools,
      deliverables: contract.deliverables,
      obligations: contract.obligations.map(({ obligationId, description, dueAt }) => ({ obligationId, description, dueAt })),
    },
  };
  // The offer is a one-off message: an agent that never answers must not hold the job. The timer is durable.
  const timeoutMs = settings.signatureTimeoutMs;
  const timer = {
    key: `${SIGNATURE_DUE}:${contractId}`,
    orgId: job.orgId,
    dueAt: new Date(Date.parse(context.now) + timeoutMs).toISOString(),
    purpose: SIGNATURE_DUE,
    ref: { contractId, jobId: job.jobId, timeoutMs },
  };
  return [
    { kind: 'schedule', timer },
    { kind: 'publish', subject: agentInboxSubject(contract.assigneeSubjectId, 'accept'), data: message },
  ];
}

/** Not signed in time: the org withdraws the offer (a rejection, on record), and the next round goes on without it. */
export function onSignatureDue(timer: { contractId: string; timeoutMs?: unknown }, state: State): AssignmentStep[] {
  const { contract } = state;
  if (contract === null || contract.contractId !== timer.contractId || contract.status !== 'awaiting_signatures') return [];
  return [
    {
      kind: 'command',
      command: {
        aggregate: 'contract',
        type: 'RejectContract',
        data: {
          contractId: contract.contractId,
          orgId: contract.orgId,
          party: 'org',
          reason: `the assignee did not sign within ${String(timer.timeoutMs)} ms`,
        },
      },
      commandId: `assign:${contract.contractId}:signature-due`,
    },
  ];
}
