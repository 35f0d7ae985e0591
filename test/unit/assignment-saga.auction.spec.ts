import { describe, it } from 'vitest';
import { agentInboxSubject } from '../../domain/agent-protocol/subjects.ts';
import { workSettingsOf } from '../../domain/assignment/work-settings.ts';
import { AUCTION_CLOSE } from '../../processes/work/assignment/timer-refs.ts';
import { assigneeId, jobId, now, orgId, strangerId } from '../support/job-fixtures.ts';
import { placedAs } from '../support/workflow-spec.ts';
import {
  assessed,
  type AssignmentStep,
  at,
  cfpIssued,
  contractOf,
  contractingJob,
  eligible,
  event,
  ineligible,
  roundFailed,
  spec,
  started,
  stateWith,
} from './assignment-saga.support.ts';

const settings = workSettingsOf({ 'work.bidWindowMs': '5000' });
const closeRound = (round: number): AssignmentStep => ({
  kind: 'command',
  command: { aggregate: 'assignment', type: 'CloseRound', data: { jobId, orgId, round, contractId: contractOf(round) } },
  commandId: `assign:${jobId}:close:${round}`,
});
const candidatesAssessed = (round: number) => placedAs('CandidatesAssessed', assessed(round, []));

describe('assignment workflow: after the assessment', () => {
  it('closes the round at once for direct and criteria assignments', () => {
    spec
      .given(stateWith([started('criteria'), assessed(1, [eligible(assigneeId, 50)])], { settings }))
      .when(candidatesAssessed(1))
      .thenSteps([closeRound(1)]);
    spec
      .given(stateWith([started('direct'), assessed(1, [eligible(assigneeId)])], { settings }))
      .when(candidatesAssessed(1))
      .thenSteps([closeRound(1)]);
  });

  it('calls for proposals in an auction, open for the org’s bid window', () => {
    spec
      .given(stateWith([started('auction'), assessed(1, [eligible(assigneeId), ineligible(strangerId, 'lacks role(s) writer')])], { settings }))
      .when(candidatesAssessed(1))
      .thenSteps([
        {
          kind: 'command',
          command: { aggregate: 'assignment', type: 'IssueCallForProposals', data: { jobId, orgId, round: 1, closesAt: at(5000) } },
          commandId: `assign:${jobId}:cfp:1`,
        },
      ]);
  });

  it('closes an auction round nobody is eligible for at once (it fails)', () => {
    spec
      .given(stateWith([started('auction'), assessed(1, [ineligible(strangerId, 'lacks role(s) writer')])], { settings }))
      .when(candidatesAssessed(1))
      .thenSteps([closeRound(1)]);
  });

  it('does not count a subject excluded from the job (it refused or lost it) as eligible', () => {
    const refused = [started('auction'), assessed(1, [eligible(assigneeId)]), roundFailed(1)];
    const state = stateWith([...refused, assessed(2, [eligible(assigneeId)])], { settings });
    const excluded = state.assignment === null ? null : { ...state.assignment, excluded: [assigneeId] };
    spec
      .given({ ...state, assignment: excluded })
      .when(candidatesAssessed(2))
      .thenSteps([closeRound(2)]);
  });

  it('does nothing before the assessment or after the round moved on', () => {
    spec
      .given(stateWith([started('auction')], { settings }))
      .when(candidatesAssessed(1))
      .thenNothing();
    spec
      .given(stateWith([started('auction'), assessed(1, [eligible(assigneeId)]), cfpIssued(1, [assigneeId], at(5000))], { settings }))
      .when(candidatesAssessed(1))
      .thenNothing();
  });
});

describe('assignment workflow: the call for proposals', () => {
  const issued = (closesAt: string, invitees = [assigneeId, strangerId]) => placedAs('CallForProposalsIssued', cfpIssued(1, invitees, closesAt));
  const bidding = (closesAt: string) =>
    stateWith([started('auction'), assessed(1, [eligible(assigneeId), eligible(strangerId)]), cfpIssued(1, [assigneeId, strangerId], closesAt)], { settings });
  const deadline = (closesAt: string): AssignmentStep => ({
    kind: 'schedule',
    timer: { key: `${AUCTION_CLOSE}:${jobId}:1`, orgId, dueAt: closesAt, purpose: AUCTION_CLOSE, ref: { jobId, round: 1 } },
  });

  it('sets the bid deadline and sends `cfp` to each invitee with the job’s terms', () => {
    const job = contractingJob({ budget: { amount: 100, currency: 'EUR' }, deadline: at(86_400_000) });
    const cfp = {
      orgId,
      jobId,
      round: 1,
      closesAt: at(5000),
      goal: 'Summarise the quarterly report',
      objectives: ['one page', 'plain English'],
      requiredCapabilities: [{ name: 'nlp.summarize', level: 5 }],
      budget: { amount: 100, currency: 'EUR' },
      deadline: at(86_400_000),
    };
    spec
      .given({ ...bidding(at(5000)), job })
      .when(issued(at(5000)))
      .thenSteps([
        deadline(at(5000)),
        { kind: 'publish', subject: agentInboxSubject(assigneeId, 'cfp'), data: cfp },
        { kind: 'publish', subject: agentInboxSubject(strangerId, 'cfp'), data: cfp },
      ]);
  });

  it('only sets the deadline of a call that has closed by now (a replay after a restart)', () => {
    spec
      .given(bidding(now))
      .when(issued(now))
      .thenSteps([deadline(now)]);
  });

  it('does nothing once the round is no longer bidding', () => {
    spec
      .given(stateWith([started('auction'), assessed(1, [eligible(assigneeId)])], { settings }))
      .when(issued(at(5000)))
      .thenNothing();
  });
});

describe('assignment workflow: the bid deadline', () => {
  const deadlineFired = (round: number) =>
    event<'TimerFired'>({
      type: 'TimerFired',
      data: { timerId: '99999999-9999-4999-8999-999999999999', orgId, purpose: AUCTION_CLOSE, ref: { jobId, round }, dueAt: at(5000), firedAt: at(5000) },
    });
  const bidding = stateWith([started('auction'), assessed(1, [eligible(assigneeId)]), cfpIssued(1, [assigneeId], at(5000))], { settings });

  it('closes the round it was set for', () => {
    spec
      .given(bidding)
      .when(deadlineFired(1))
      .thenSteps([closeRound(1)]);
  });

  it('does nothing for a round the assignment has moved past', () => {
    spec.given(bidding).when(deadlineFired(2)).thenNothing();
    spec
      .given({ ...bidding, job: null })
      .when(deadlineFired(1))
      .thenNothing();
  });
});
