import { isEscalatableJobStatus } from '../../../domain/job/state.ts';
import type { SagaEvent } from '../../saga-runner.ts';
import { escalateJob } from '../escalate-job.ts';
import type { WorkStep } from '../work-command.ts';
import { OWNER_ESCALATION_ROLE } from './owner-role.ts';
import type { ObligationState } from './state.ts';
import { OBLIGATION_DUE, obligationTimerRef } from './timer-ref.ts';

export type ObligationInput = SagaEvent<'ContractActivated' | 'ObligationExtended' | 'JobEscalationResolved' | 'TimerFired'>;
type ObligationStep = WorkStep<never>;

/**
 * Keeps contracts' deadlines. Each obligation of an active contract is a durable timer (it fires after a restart
 * too); when it fires and the obligation is still open (not met, not extended), the breach is recorded on the
 * contract and the job is escalated to the contract's `escalateTo` role (the org's `work.escalateTo`, by default the
 * owner). The escalatee resolves the job's escalation: `extend` (a new deadline: the obligation is extended and its
 * timer set again), `reassign` or `cancel`.
 */
export function decideObligations(input: ObligationInput, state: ObligationState): ObligationStep[] {
  switch (input.type) {
    case 'ContractActivated': {
      const { contract } = state;
      if (contract === null) return [];
      return contract.obligations.map((obligation) => obligationTimer(contract.contractId, contract.orgId, obligation.obligationId, obligation.dueAt));
    }
    case 'ObligationExtended': {
      const { contractId, orgId, obligationId, dueAt } = input.data;
      return [obligationTimer(contractId, orgId, obligationId, dueAt)];
    }
    case 'JobEscalationResolved':
      return onResolved(input, state);
    case 'TimerFired': {
      const ref = obligationTimerRef(input);
      return ref === null ? [] : onDue(ref, state);
    }
  }
}

function obligationTimer(contractId: string, orgId: string, obligationId: string, dueAt: string): ObligationStep {
  const timer = {
    // The due time is part of the key: an extension is a new timer, and the old one finds the obligation moved.
    key: `${OBLIGATION_DUE}:${contractId}:${obligationId}:${dueAt}`,
    orgId,
    dueAt,
    purpose: OBLIGATION_DUE,
    ref: { contractId, obligationId, dueAt },
  };
  return { kind: 'schedule', timer };
}

function onDue(ref: { contractId: string; obligationId: string; dueAt: string }, state: ObligationState): ObligationStep[] {
  const { contractId, obligationId, dueAt } = ref;
  const { contract, job } = state;
  if (contract === null || contract.status !== 'active') return [];
  const obligation = contract.obligations.find((item) => item.obligationId === obligationId);
  if (obligation === undefined || obligation.dueAt !== dueAt) return []; // extended since: a later timer keeps it
  if (job === null || job.assignment?.contractId !== contractId) return [];
  // The delivery obligation is met once the job is delivered (verification is the verifier's, not the assignee's).
  if (['delivered', 'verified'].includes(job.status)) return [];
  const steps: ObligationStep[] = [
    {
      kind: 'command',
      command: {
        aggregate: 'contract',
        type: 'RecordBreach',
        data: {
          contractId,
          orgId: contract.orgId,
          breachId: `deadline:${obligationId}:${dueAt}`,
          kind: 'deadline_missed',
          clause: `obligations.${obligationId}`,
          details: `${obligation.description} was due at ${dueAt}; the job is ${job.status}`.slice(0, 1000),
        },
      },
      commandId: `obligation:${contractId}:${obligationId}:${dueAt}:breach`,
    },
  ];
  if (!isEscalatableJobStatus(job.status)) return steps;
  steps.push(
    escalateJob(job, {
      reason: `missed deadline: ${obligation.description} was due at ${dueAt}`,
      escalateTo: contract.escalateTo ?? OWNER_ESCALATION_ROLE,
      commandId: `obligation:${contractId}:${obligationId}:${dueAt}:escalate`,
    }),
  );
  return steps;
}

/** `extend`: the job's new deadline becomes the new due time of every obligation due before it. */
function onResolved(event: SagaEvent<'JobEscalationResolved'>, state: ObligationState): ObligationStep[] {
  const { data } = event;
  if (data.resolution !== 'extend' || data.deadline === undefined) return [];
  const { deadline } = data;
  const { job, contract } = state;
  const contractId = job?.assignment?.contractId;
  if (job == null || contractId === undefined) return [];
  if (contract === null || contract.contractId !== contractId || contract.status !== 'active') return [];
  return contract.obligations
    .filter((obligation) => Date.parse(obligation.dueAt) < Date.parse(deadline))
    .map((obligation) => ({
      kind: 'command',
      command: {
        aggregate: 'contract',
        type: 'ExtendObligation',
        data: { contractId, orgId: contract.orgId, obligationId: obligation.obligationId, dueAt: deadline },
      },
      commandId: `obligation:${contractId}:${obligation.obligationId}:extend:${event.eventId}`,
    }));
}
