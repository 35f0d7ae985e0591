import { describe, expect, it } from 'vitest';
import type { AssignmentEvent } from '../../domain/assignment/events.ts';
import {
  assignmentAwarded,
  assignmentCancelled,
  assignmentCompleted,
  assignmentEscalated,
  assignmentRestarted,
  assignmentStarted,
  cancelAssignment,
  candidatesAssessed,
  closeRound,
  completeAssignment,
  contract,
  decide,
  eligible,
  expectWritable,
  failRound,
  ineligible,
  jobId,
  now,
  orgId,
  otherOrgId,
  recordAssessment,
  restartAssignment,
  roundFailed,
  spec,
  startAssignment,
  stateAfter,
  subject,
} from './assignment.support.ts';

const [a, b, c, d] = [subject(1), subject(2), subject(3), subject(4)];
const NONE = 'no candidate is eligible';
const REJECTED = 'the assignee rejected the contract';

const assessed = (candidates = [eligible(a, 5), eligible(b, 12), eligible(c, 7), ineligible(d, 'subject is suspended')], maxRounds = 3): AssignmentEvent[] => [
  assignmentStarted('criteria', maxRounds),
  candidatesAssessed(1, candidates),
];
/** b won round 1 and then rejected the contract: round 2 starts without b. */
const rejectedByB = (maxRounds = 3): AssignmentEvent[] => [
  ...assessed(undefined, maxRounds),
  assignmentAwarded(1, b, 'highest score 12 of 3 eligible candidate(s)'),
  roundFailed(1, 'contract_rejected', REJECTED),
];

describe('criteria: choosing the candidate', () => {
  it('awards the eligible candidate with the highest score', () => {
    spec
      .given(assessed())
      .when(closeRound(1))
      .thenEvents([assignmentAwarded(1, b, 'highest score 12 of 3 eligible candidate(s)', [])]);
  });

  it('never chooses an ineligible candidate, whatever its score', () => {
    spec
      .given(assessed([eligible(a, 1), { ...ineligible(b, 'subject is suspended'), score: 1000 }]))
      .when(closeRound(1))
      .thenEvents([assignmentAwarded(1, a, 'highest score 1 of 1 eligible candidate(s)')]);
  });

  it('breaks a tie on score in favour of the lowest subject id, whatever the order assessed', () => {
    const tie = [eligible(c, 9), eligible(b, 3), eligible(a, 9)];
    spec
      .given(assessed(tie))
      .when(closeRound(1))
      .thenEvents([assignmentAwarded(1, a, 'highest score 9 of 3 eligible candidate(s); 2 tied, the lowest subject id won')]);
    spec
      .given(assessed([...tie].reverse()))
      .when(closeRound(1))
      .thenEvents([assignmentAwarded(1, a, 'highest score 9 of 3 eligible candidate(s); 2 tied, the lowest subject id won')]);
  });

  it('ranks negative scores below zero, and a failed score (Number.MIN_SAFE_INTEGER) last', () => {
    const failed = { subjectId: a, eligible: true, reasons: ['score failed: division by zero'], score: Number.MIN_SAFE_INTEGER };
    spec
      .given(assessed([failed, eligible(b, -4), eligible(c, -2)]))
      .when(closeRound(1))
      .thenEvents([assignmentAwarded(1, c, 'highest score -2 of 3 eligible candidate(s)')]);
    spec
      .given(assessed([failed]))
      .when(closeRound(1))
      .thenEvents([assignmentAwarded(1, a, `highest score ${Number.MIN_SAFE_INTEGER} of 1 eligible candidate(s)`)]);
  });

  it('fails the round when no candidate is eligible (or none was found)', () => {
    spec
      .given(assessed([ineligible(a, 'lacks role(s) writer')]))
      .when(closeRound(1))
      .thenEvents([roundFailed(1, 'no_eligible_candidates', NONE)]);
    spec
      .given(assessed([]))
      .when(closeRound(1))
      .thenEvents([roundFailed(1, 'no_eligible_candidates', NONE)]);
  });

  it('closes only an assessed round', () => {
    spec
      .given([assignmentStarted('criteria')])
      .when(closeRound(1))
      .thenError('ROUND_NOT_ASSESSED', { jobId, round: 1 });
    spec.given(assessed()).when(closeRound(2)).thenError('WRONG_ROUND', { round: 1, requested: 2 });
  });

  it('awards once: closing the awarded round again decides nothing', () => {
    spec
      .given([...assessed(), assignmentAwarded(1, b, 'highest score 12 of 3 eligible candidate(s)')])
      .when(closeRound(1))
      .thenNothing();
  });
});

describe('criteria: failed rounds and exclusion', () => {
  it('fails the awarded round when the contract is rejected, and excludes the awardee', () => {
    spec
      .given([...assessed(), assignmentAwarded(1, b, 'highest score 12 of 3 eligible candidate(s)')])
      .when(failRound(1, 'contract_rejected', REJECTED))
      .thenEvents([roundFailed(1, 'contract_rejected', REJECTED)]);
    expect(stateAfter(rejectedByB())).toMatchObject({ round: 2, phase: 'assessing', assessments: null, award: null, failedRounds: 1, excluded: [b] });
  });

  it('does not choose an excluded subject in the next round, even with the best score', () => {
    const round2 = [...rejectedByB(), candidatesAssessed(2, [eligible(a, 5), eligible(b, 99), eligible(c, 7)])];
    spec
      .given(round2)
      .when(closeRound(2))
      .thenEvents([assignmentAwarded(2, c, 'highest score 7 of 2 eligible candidate(s)')]);
    spec
      .given([...rejectedByB(), candidatesAssessed(2, [eligible(b, 99)])])
      .when(closeRound(2))
      .thenEvents([roundFailed(2, 'no_eligible_candidates', NONE)]);
  });

  it('excludes an assignee lost after the award too, and only the awardee of that round', () => {
    const lost = [...assessed(), assignmentAwarded(1, b, 'x'), roundFailed(1, 'assignee_lost', 'the assignee was suspended')];
    expect(stateAfter(lost)).toMatchObject({ excluded: [b] });
    const noAward = [...assessed(), roundFailed(1, 'no_eligible_candidates', NONE)];
    expect(stateAfter(noAward)).toMatchObject({ excluded: [], round: 2, failedRounds: 1 });
  });

  it('fails a round once: failing it again, or closing it, decides nothing', () => {
    spec
      .given(rejectedByB())
      .when(failRound(1, 'contract_rejected', REJECTED))
      .thenNothing();
    spec.given(rejectedByB()).when(closeRound(1)).thenNothing();
    spec.given(assessed()).when(failRound(2, 'assignee_lost')).thenError('WRONG_ROUND', { round: 1, requested: 2 });
  });

  it('escalates when maxRounds rounds have failed', () => {
    const last = [...rejectedByB(2), candidatesAssessed(2, [eligible(a, 1)]), assignmentAwarded(2, a, 'highest score 1 of 1 eligible candidate(s)')];
    spec
      .given(last)
      .when(failRound(2, 'contract_rejected', REJECTED))
      .thenEvents([roundFailed(2, 'contract_rejected', REJECTED), assignmentEscalated(`2 round(s) failed; the last: ${REJECTED}`, 2)]);
    spec
      .given(assessed([], 1))
      .when(closeRound(1))
      .thenEvents([roundFailed(1, 'no_eligible_candidates', NONE), assignmentEscalated(`1 round(s) failed; the last: ${NONE}`, 1)]);
    spec
      .given(assessed([], 2))
      .when(closeRound(1))
      .thenEvents([roundFailed(1, 'no_eligible_candidates', NONE)]);
  });

  it('escalates with a reason within the event schema, however long the failure detail', () => {
    const events = decide(assessed([], 1), failRound(1, 'assignee_lost', 'y'.repeat(500)));
    expect(events.map((event) => event.type)).toEqual(['AssignmentRoundFailed', 'AssignmentEscalated']);
    expectWritable(events);
  });

  it('decides nothing on an escalated assignment but restarting or cancelling it', () => {
    const escalated = [...assessed([], 1), roundFailed(1, 'no_eligible_candidates', NONE), assignmentEscalated(`1 round(s) failed; the last: ${NONE}`, 1)];
    expect(stateAfter(escalated)).toMatchObject({ phase: 'escalated' });
    spec.given(escalated).when(closeRound(1)).thenNothing();
    spec.given(escalated).when(failRound(2, 'no_eligible_candidates')).thenNothing();
    spec
      .given(escalated)
      .when(recordAssessment(2, [eligible(a)]))
      .thenError('ILLEGAL_PHASE', { phase: 'escalated' });
  });
});

describe('criteria: restarting', () => {
  const escalated = (): AssignmentEvent[] => [
    ...rejectedByB(2),
    candidatesAssessed(2, []),
    roundFailed(2, 'no_eligible_candidates', NONE),
    assignmentEscalated(`2 round(s) failed; the last: ${NONE}`, 2),
  ];
  const completed = (): AssignmentEvent[] => [...assessed(), assignmentAwarded(1, b, 'x'), assignmentCompleted(1, b)];

  it('restarts a completed assignment in a new round, without the subjects named', () => {
    spec
      .given(completed())
      .when(restartAssignment([b, b]))
      .thenEvents([assignmentRestarted([b])]);
    const restarted = [...completed(), assignmentRestarted([b])];
    expect(stateAfter(restarted)).toMatchObject({ round: 2, phase: 'assessing', assessments: null, award: null, failedRounds: 0, excluded: [b] });
    spec
      .given([...restarted, candidatesAssessed(2, [eligible(a, 1), eligible(b, 50)])])
      .when(closeRound(2))
      .thenEvents([assignmentAwarded(2, a, 'highest score 1 of 1 eligible candidate(s)')]);
  });

  it('restarts an escalated assignment with its rounds counted afresh, numbered on from the last', () => {
    spec
      .given(escalated())
      .when(restartAssignment([a]))
      .thenEvents([assignmentRestarted([a])]);
    const restarted = [...escalated(), assignmentRestarted([a])];
    expect(stateAfter(restarted)).toMatchObject({ round: 3, phase: 'assessing', failedRounds: 0, excluded: [b, a] });
    spec
      .given(restarted)
      .when(recordAssessment(3, [eligible(c, 2)]))
      .thenEvents([candidatesAssessed(3, [eligible(c, 2)])]);
    // maxRounds (2) counts from the restart: one more failed round does not escalate.
    spec
      .given([...restarted, candidatesAssessed(3, [])])
      .when(closeRound(3))
      .thenEvents([roundFailed(3, 'no_eligible_candidates', NONE)]);
  });

  it('refuses to restart an assignment in progress or cancelled', () => {
    spec.given(assessed()).when(restartAssignment()).thenError('ASSIGNMENT_IN_PROGRESS', { phase: 'assessing' });
    spec
      .given([...assessed(), assignmentAwarded(1, b, 'x')])
      .when(restartAssignment())
      .thenError('ASSIGNMENT_IN_PROGRESS', { phase: 'awarded' });
    spec
      .given([...assessed(), assignmentCancelled()])
      .when(restartAssignment())
      .thenError('ASSIGNMENT_IN_PROGRESS', { phase: 'cancelled' });
  });
});

describe('the assignment stream', () => {
  it('starts once, with the default of 3 rounds', () => {
    spec
      .given([])
      .when(startAssignment('criteria'))
      .thenEvents([assignmentStarted('criteria', 3)]);
    spec
      .given([])
      .when(startAssignment('direct', 1))
      .thenEvents([assignmentStarted('direct', 1)]);
    spec.given(assessed()).when(startAssignment('criteria')).thenNothing();
    expect(stateAfter([assignmentStarted('criteria')])).toMatchObject({ jobId, orgId, round: 1, phase: 'assessing', failedRounds: 0, excluded: [] });
  });

  it('answers ASSIGNMENT_NOT_FOUND for a job without an assignment, or for another org', () => {
    spec.given([]).when(closeRound(1)).thenError('ASSIGNMENT_NOT_FOUND', { jobId, orgId });
    const otherOrg = (command: ReturnType<typeof closeRound>) => ({ ...command, data: { ...command.data, orgId: otherOrgId } }) as typeof command;
    spec
      .given(assessed())
      .when(otherOrg(closeRound(1)))
      .thenError('ASSIGNMENT_NOT_FOUND', { orgId: otherOrgId });
    spec
      .given(assessed())
      .when(otherOrg(startAssignment('criteria')))
      .thenError('ASSIGNMENT_NOT_FOUND', { orgId: otherOrgId });
  });

  it('assesses each round once, and only the current one', () => {
    spec
      .given([assignmentStarted('criteria')])
      .when(recordAssessment(1, [eligible(a, 1)]))
      .thenEvents([candidatesAssessed(1, [eligible(a, 1)])]);
    spec
      .given(assessed())
      .when(recordAssessment(1, [eligible(a, 1)]))
      .thenError('ROUND_ALREADY_ASSESSED', { round: 1 });
    spec
      .given([assignmentStarted('criteria')])
      .when(recordAssessment(2, [eligible(a, 1)]))
      .thenError('WRONG_ROUND', { round: 1, requested: 2 });
  });

  it('completes under the awarded contract only, once', () => {
    const awarded = [...assessed(), assignmentAwarded(1, b, 'x')];
    spec
      .given(awarded)
      .when(completeAssignment(contract(1)))
      .thenEvents([assignmentCompleted(1, b)]);
    spec
      .given(awarded)
      .when(completeAssignment(contract(2)))
      .thenError('NOT_AWARDED', { contractId: contract(2) });
    spec
      .given(assessed())
      .when(completeAssignment(contract(1)))
      .thenError('NOT_AWARDED');
    spec
      .given([...awarded, assignmentCompleted(1, b)])
      .when(completeAssignment(contract(1)))
      .thenNothing();
  });

  it('cancels once, after which rounds decide nothing', () => {
    spec.given(assessed()).when(cancelAssignment()).thenEvents([assignmentCancelled()]);
    const cancelled = [...assessed(), assignmentCancelled()];
    spec.given(cancelled).when(cancelAssignment()).thenNothing();
    spec.given(cancelled).when(closeRound(1)).thenNothing();
    spec.given(cancelled).when(failRound(1, 'assignee_lost')).thenNothing();
  });

  it('stamps the start with the decision time', () => {
    const [started] = decide([], startAssignment('auction'), { now: '2027-01-01T00:00:00.000Z' });
    expect(started).toMatchObject({ data: { startedAt: '2027-01-01T00:00:00.000Z' } });
    expect(now).not.toBe('2027-01-01T00:00:00.000Z');
  });
});
