import { describe, it } from 'vitest';
import type { JobEvent } from '../../domain/job/events.ts';
import { workSettingsOf } from '../../domain/assignment/work-settings.ts';
import { decideEscalation } from '../../processes/work/escalation/decide.ts';
import { noEscalationState } from '../../processes/work/escalation/state.ts';
import { ESCALATION_TIMEOUT } from '../../processes/work/escalation/timer-ref.ts';
import { contractingStarted, jobEscalated, jobId, jobStateAfter, jobSubmitted, now, orgId, system } from '../support/job-fixtures.ts';
import { placed, workflowSpec } from '../support/workflow-spec.ts';

const spec = workflowSpec(decideEscalation, { now });
const timeoutMs = workSettingsOf({}).escalationTimeoutMs;
const escalatedToManager = (escalatedAt: string, escalateTo = 'manager') =>
  placed({
    type: 'JobEscalated',
    data: { jobId, orgId, from: 'contracting', reason: 'no bids', escalateTo, escalatedBy: { id: 'system', kind: 'system' }, escalatedAt },
  });
const escalationTimerFired = (escalatedAt: string, purpose = ESCALATION_TIMEOUT) =>
  placed({
    type: 'TimerFired',
    data: { timerId: '99999999-9999-4999-8999-999999999999', orgId, purpose, ref: { jobId, escalatedAt, timeoutMs }, dueAt: now, firedAt: now },
  });

describe('escalation workflow: an escalation unresolved in time is raised to the owner', () => {
  it('times a new escalation from when it was escalated, keyed by that instant', () => {
    spec
      .given({ ...noEscalationState, escalationTimeoutMs: timeoutMs })
      .when(escalatedToManager(now))
      .thenSteps([
        {
          kind: 'schedule',
          timer: {
            key: `${ESCALATION_TIMEOUT}:${jobId}:${now}`,
            orgId,
            dueAt: new Date(Date.parse(now) + timeoutMs).toISOString(),
            purpose: ESCALATION_TIMEOUT,
            ref: { jobId, escalatedAt: now, timeoutMs },
          },
        },
      ]);
  });

  it('sets no timer for an escalation already with the owner', () => {
    spec
      .given({ ...noEscalationState, escalationTimeoutMs: timeoutMs })
      .when(escalatedToManager(now, 'owner'))
      .thenNothing();
  });

  it('raises an escalation still open when its timer fires', () => {
    // The fixture escalates to `board` at `now`.
    const job = jobStateAfter([jobSubmitted(), contractingStarted, jobEscalated('contracting')]);
    spec
      .given({ ...noEscalationState, job })
      .when(escalationTimerFired(now))
      .thenSteps([
        {
          kind: 'command',
          command: {
            aggregate: 'job',
            type: 'RaiseEscalation',
            data: { jobId, orgId, reason: `the escalation to board was not resolved within ${timeoutMs} ms`, escalateTo: 'owner' },
          },
          commandId: `escalation:${jobId}:${now}:raise`,
        },
      ]);
  });

  it('does nothing when the escalation was resolved, escalated again later, or is with the owner already', () => {
    const escalated = [jobSubmitted(), contractingStarted, jobEscalated('contracting')];
    const raised: JobEvent = {
      type: 'JobEscalationRaised',
      data: { jobId, orgId, reason: 'not resolved in time', escalateTo: 'owner', previousEscalateTo: 'board', raisedBy: system, raisedAt: now },
    };
    spec
      .given({ ...noEscalationState, job: jobStateAfter([jobSubmitted(), contractingStarted]) })
      .when(escalationTimerFired(now))
      .thenNothing();
    spec
      .given({ ...noEscalationState, job: jobStateAfter(escalated) })
      .when(escalationTimerFired('2026-01-01T00:00:00.000Z'))
      .thenNothing();
    spec
      .given({ ...noEscalationState, job: jobStateAfter([...escalated, raised]) })
      .when(escalationTimerFired(now))
      .thenNothing();
    spec
      .given({ ...noEscalationState, job: null })
      .when(escalationTimerFired(now))
      .thenNothing();
  });

  it('ignores a timer of its purpose whose ref it did not write', () => {
    const job = jobStateAfter([jobSubmitted(), contractingStarted, jobEscalated('contracting')]);
    const foreign = placed({
      type: 'TimerFired',
      data: {
        timerId: '99999999-9999-4999-8999-999999999999',
        orgId,
        purpose: ESCALATION_TIMEOUT,
        ref: { job: jobId, escalatedAt: now },
        dueAt: now,
        firedAt: now,
      },
    });
    spec
      .given({ ...noEscalationState, job })
      .when(foreign)
      .thenNothing();
  });

  it('ignores the timers of other workflows', () => {
    const job = jobStateAfter([jobSubmitted(), contractingStarted, jobEscalated('contracting')]);
    spec
      .given({ ...noEscalationState, job })
      .when(escalationTimerFired(now, 'auction.close'))
      .thenNothing();
  });
});
