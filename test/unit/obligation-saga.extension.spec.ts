import { describe, it } from 'vitest';
import type { PlatformEventOf } from '../../domain/events/catalog.ts';
import { decideObligations } from '../../processes/work/obligation/decide.ts';
import { noObligationState } from '../../processes/work/obligation/state.ts';
import { contractDrafted, contractStateAfter, finalObligation, historyTo as contractHistoryTo, inAMonth, inAWeek } from '../support/contract-fixtures.ts';
import { admin, contractId, historyTo as jobHistoryTo, jobId, jobStateAfter, now, orgId } from '../support/job-fixtures.ts';
import { placed, workflowSpec } from '../support/workflow-spec.ts';

const spec = workflowSpec(decideObligations, { now });
const resolved = (resolution: 'extend' | 'resume' | 'reassign', deadline?: string) => {
  const event: PlatformEventOf<'JobEscalationResolved'> = {
    type: 'JobEscalationResolved',
    data: { jobId, orgId, resolution, status: 'in_progress', note: null, resolvedBy: admin, resolvedAt: now, ...(deadline ? { deadline } : {}) },
  };
  return placed(event);
};
const job = jobStateAfter(jobHistoryTo.in_progress);

describe('obligations workflow: an escalation resolved with `extend` moves the deadlines', () => {
  it('extends every obligation due before the new deadline, with ids derived from the resolution', () => {
    const early = { obligationId: 'draft', description: 'A first draft', dueAt: now };
    const late = { obligationId: 'late', description: 'An appendix', dueAt: '2027-06-01T00:00:00.000Z' };
    const contract = contractStateAfter([contractDrafted({ obligations: [early, finalObligation, late] }), ...contractHistoryTo.active.slice(1)]);
    const event = resolved('extend', inAMonth);
    spec
      .given({ job, contract })
      .when(event)
      .thenSteps(
        ['draft', 'final'].map((obligationId) => ({
          kind: 'command',
          command: { aggregate: 'contract', type: 'ExtendObligation', data: { contractId, orgId, obligationId, dueAt: inAMonth } },
          commandId: `obligation:${contractId}:${obligationId}:extend:${event.eventId}`,
        })),
      );
  });

  it('does nothing for another resolution, without a deadline, or when the contract is not active', () => {
    const active = contractStateAfter(contractHistoryTo.active);
    spec.given({ job, contract: active }).when(resolved('resume')).thenNothing();
    spec.given({ job, contract: active }).when(resolved('extend')).thenNothing();
    spec
      .given({ job, contract: contractStateAfter(contractHistoryTo.terminated) })
      .when(resolved('extend', inAMonth))
      .thenNothing();
    spec.given(noObligationState).when(resolved('extend', inAMonth)).thenNothing();
  });

  it('leaves obligations already due at or after the new deadline as they are', () => {
    spec
      .given({ job, contract: contractStateAfter(contractHistoryTo.active) })
      .when(resolved('extend', inAWeek))
      .thenNothing();
  });
});
