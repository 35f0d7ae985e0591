import type { SagaEvent } from '../../saga-runner.ts';
import { OWNER_ESCALATION_ROLE } from '../obligation/owner-role.ts';
import type { WorkStep } from '../work-command.ts';
import type { EscalationState } from './state.ts';
import { ESCALATION_TIMEOUT, escalationTimerRef } from './timer-ref.ts';

export type EscalationInput = SagaEvent<'JobEscalated' | 'TimerFired'>;

/**
 * The escalation path: an escalation goes to a role first (the contract's or the org's `work.escalateTo`); if nobody
 * resolves it within `work.escalationTimeoutMs`, it is raised to the org's owner. A durable timer per escalation,
 * keyed by when it was escalated, so a resolved-and-escalated-again job is timed afresh.
 */
export function decideEscalation(input: EscalationInput, state: EscalationState): WorkStep<never>[] {
  if (input.type === 'JobEscalated') {
    const { jobId, orgId, escalateTo, escalatedAt } = input.data;
    if (escalateTo === OWNER_ESCALATION_ROLE || state.escalationTimeoutMs === null) return [];
    const timeoutMs = state.escalationTimeoutMs;
    const timer = {
      key: `${ESCALATION_TIMEOUT}:${jobId}:${escalatedAt}`,
      orgId,
      dueAt: new Date(Date.parse(escalatedAt) + timeoutMs).toISOString(),
      purpose: ESCALATION_TIMEOUT,
      ref: { jobId, escalatedAt, timeoutMs },
    };
    return [{ kind: 'schedule', timer }];
  }
  const ref = escalationTimerRef(input);
  const { job } = state;
  // Resolved meanwhile, or escalated again later (a later timer keeps that one), or already with the owner.
  if (ref === null || job?.escalation == null || job.escalation.escalatedAt !== ref.escalatedAt || job.escalation.escalateTo === OWNER_ESCALATION_ROLE) {
    return [];
  }
  return [
    {
      kind: 'command',
      command: {
        aggregate: 'job',
        type: 'RaiseEscalation',
        data: {
          jobId: job.jobId,
          orgId: job.orgId,
          reason: `the escalation to ${job.escalation.escalateTo} was not resolved within ${String(ref.timeoutMs)} ms`,
          escalateTo: OWNER_ESCALATION_ROLE,
        },
      },
      commandId: `escalation:${job.jobId}:${job.escalation.escalatedAt}:raise`,
    },
  ];
}
