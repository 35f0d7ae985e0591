import { describe, expect, it } from 'vitest';
import { required } from '../../domain/shared/required.ts';
import type { AssignmentEvent } from '../../domain/assignment/events.ts';
import {
  assignmentAwarded,
  assignmentEscalated,
  assignmentStarted,
  at,
  callForProposalsIssued,
  candidatesAssessed,
  closeRound,
  closesAt,
  contract,
  decide,
  eligible,
  expectWritable,
  failRound,
  ineligible,
  issueCallForProposals,
  jobId,
  proposalRecorded,
  recordAssessment,
  recordProposal,
  roundFailed,
  spec,
  stateAfter,
  startAssignment,
  subject,
} from './assignment.support.ts';

const [a, b, c, d, stranger] = [subject(1), subject(2), subject(3), subject(4), subject(9)];

/** Round 1 of an auction: a, b and c eligible, d not (two reasons); the call for proposals is open until `closesAt`. */
const open = (maxRounds = 3): AssignmentEvent[] => [
  assignmentStarted('auction', maxRounds),
  candidatesAssessed(1, [eligible(a), eligible(b), eligible(c), ineligible(d, 'lacks role(s) reviewer', 'subject is suspended')]),
  callForProposalsIssued(1, [a, b, c]),
];
const bid = (price: number, etaSeconds?: number) => (etaSeconds === undefined ? { price } : { price, etaSeconds });
const valid = (subjectId: string, price: number, etaSeconds: number | undefined, second: number) =>
  proposalRecorded(1, subjectId, bid(price, etaSeconds), at(second));
const NO_VALID_BIDS = 'nobody made a valid bid before the deadline';

describe('auction: the call for proposals', () => {
  it('invites the eligible candidates that are not excluded', () => {
    const assessed = [assignmentStarted('auction'), candidatesAssessed(1, [eligible(a), ineligible(d, 'subject is suspended'), eligible(b)])];
    spec
      .given(assessed)
      .when(issueCallForProposals(1))
      .thenEvents([callForProposalsIssued(1, [a, b])]);
  });

  it('refuses a call that would close now or in the past, or that has nobody to invite', () => {
    const assessed = [assignmentStarted('auction'), candidatesAssessed(1, [eligible(a)])];
    spec
      .given(assessed)
      .when(issueCallForProposals(1, at(0)))
      .thenError('CLOSES_IN_PAST');
    spec
      .given([assignmentStarted('auction'), candidatesAssessed(1, [ineligible(d, 'subject is suspended')])])
      .when(issueCallForProposals(1))
      .thenError('NO_ELIGIBLE_CANDIDATES', { jobId, round: 1 });
  });

  it('calls only after the round is assessed, and only for an auction', () => {
    spec
      .given([assignmentStarted('auction')])
      .when(issueCallForProposals(1))
      .thenError('ROUND_NOT_ASSESSED');
    spec
      .given([assignmentStarted('criteria'), candidatesAssessed(1, [eligible(a)])])
      .when(issueCallForProposals(1))
      .thenError('NOT_AN_AUCTION');
    spec
      .given([assignmentStarted('criteria'), candidatesAssessed(1, [eligible(a)])])
      .when(recordProposal(1, a, bid(1)))
      .thenError('NOT_AN_AUCTION');
  });

  it('does not call twice in a round', () => {
    spec.given(open()).when(issueCallForProposals(1)).thenError('ILLEGAL_PHASE', { phase: 'bidding' });
  });
});

describe('auction: recording bids', () => {
  it('records a bid from an invited, eligible subject as valid', () => {
    spec
      .given(open())
      .when(recordProposal(1, a, bid(10, 60)), { now: at(1) })
      .thenEvents([valid(a, 10, 60, 1)]);
  });

  it("records a bid from an ineligible subject as invalid, with the assessment's reasons", () => {
    spec
      .given(open())
      .when(recordProposal(1, d, bid(1)), { now: at(1) })
      .thenEvents([proposalRecorded(1, d, bid(1), at(1), ['ineligible: lacks role(s) reviewer', 'ineligible: subject is suspended'])]);
  });

  it('refuses a bid from a subject assessed ineligible even when the assessment gave no reason', () => {
    const history = [assignmentStarted('auction'), candidatesAssessed(1, [eligible(a), ineligible(d)]), callForProposalsIssued(1, [a])];
    const [event] = decide(history, recordProposal(1, d, bid(1)), { now: at(1) });
    expect(event).toMatchObject({ type: 'ProposalRecorded', data: { valid: false, reasons: ['ineligible: the assessment found the subject ineligible'] } });
    spec
      .given([...history, required(event, 'a proposal is always recorded')])
      .when(closeRound(1), { now: closesAt })
      .thenEvents([roundFailed(1, 'no_valid_bids', NO_VALID_BIDS)]);
  });

  it('keeps every reason of a refused bid within the event schema, however long the assessment reason', () => {
    const long = 'x'.repeat(500);
    const history = [assignmentStarted('auction'), candidatesAssessed(1, [eligible(a), ineligible(d, long)]), callForProposalsIssued(1, [a])];
    const events = decide(history, recordProposal(1, d, bid(1)), { now: at(1) });
    expect(events[0]).toMatchObject({ data: { valid: false } });
    expectWritable(events);
  });

  it('records a bid from a subject that was not assessed as not invited', () => {
    spec
      .given(open())
      .when(recordProposal(1, stranger, bid(1)), { now: at(1) })
      .thenEvents([proposalRecorded(1, stranger, bid(1), at(1), ['not invited: the subject was not a candidate'])]);
  });

  it('records a second bid from the same subject as invalid; the first one stands', () => {
    const history = [...open(), valid(a, 10, undefined, 1)];
    spec
      .given(history)
      .when(recordProposal(1, a, bid(5)), { now: at(2) })
      .thenEvents([proposalRecorded(1, a, bid(5), at(2), ['a second bid in the same round (the first one stands)'])]);
    const second = proposalRecorded(1, a, bid(5), at(2), ['a second bid in the same round (the first one stands)']);
    spec
      .given([...history, second, valid(b, 8, undefined, 3)])
      .when(closeRound(1), { now: closesAt })
      .thenEvents([assignmentAwarded(1, b, 'lowest price 8 of 2 valid bid(s)', [a])]);
  });

  it('accepts a bid at the closing instant and records one after it as late', () => {
    spec
      .given(open())
      .when(recordProposal(1, a, bid(10)), { now: closesAt })
      .thenEvents([proposalRecorded(1, a, bid(10), closesAt)]);
    spec
      .given(open())
      .when(recordProposal(1, a, bid(10)), { now: at(6) })
      .thenEvents([proposalRecorded(1, a, bid(10), at(6), [`late: bids closed at ${closesAt}`])]);
  });

  it('records a bid for a past round as late', () => {
    const failed = [...open(), roundFailed(1, 'no_valid_bids', NO_VALID_BIDS)];
    spec
      .given(failed)
      .when(recordProposal(1, a, bid(10)), { now: at(1) })
      .thenEvents([proposalRecorded(1, a, bid(10), at(1), ['late: round 1 is not open for bids'])]);
  });

  it('records a bid for a round that was awarded as late', () => {
    const awarded = [...open(), valid(b, 8, undefined, 1), assignmentAwarded(1, b, 'lowest price 8 of 1 valid bid(s)')];
    spec
      .given(awarded)
      .when(recordProposal(1, a, bid(1)), { now: at(2) })
      .thenEvents([proposalRecorded(1, a, bid(1), at(2), ['late: round 1 is not open for bids'])]);
  });

  it('refuses a bid for a round not open yet without recording it (the bid sent when the call comes is the first)', () => {
    spec
      .given(open())
      .when(recordProposal(2, a, bid(10)), { now: at(1) })
      .thenError('ROUND_NOT_OPEN', { round: 2, currentRound: 1 });
    const assessing = [assignmentStarted('auction'), candidatesAssessed(1, [eligible(a)])];
    spec
      .given(assessing)
      .when(recordProposal(1, a, bid(10)), { now: at(1) })
      .thenError('ROUND_NOT_OPEN', { round: 1, phase: 'assessing' });
  });

  it('records a bid from a subject excluded from the job as invalid', () => {
    const round2 = [
      ...open(),
      valid(a, 5, undefined, 1),
      assignmentAwarded(1, a, 'lowest price 5 of 1 valid bid(s)'),
      roundFailed(1, 'contract_rejected', 'the assignee rejected the contract'),
      candidatesAssessed(2, [eligible(a), eligible(b)]),
      callForProposalsIssued(2, [b]),
    ];
    spec
      .given(round2)
      .when(recordProposal(2, a, bid(1)), { now: at(1) })
      .thenEvents([proposalRecorded(2, a, bid(1), at(1), ['excluded: the subject refused or lost this job before'])]);
  });
});

describe('auction: closing the round', () => {
  it('refuses to close before the call for proposals closes', () => {
    spec
      .given(open())
      .when(closeRound(1), { now: at(4) })
      .thenError('BIDDING_OPEN', { jobId, closesAt });
  });

  it('refuses to close a round with invitees before calling for proposals', () => {
    spec
      .given([assignmentStarted('auction'), candidatesAssessed(1, [eligible(a)])])
      .when(closeRound(1))
      .thenError('NO_CALL_FOR_PROPOSALS');
  });

  it('awards the lowest price, and declines the other valid bidders (not the invalid ones)', () => {
    const history = [
      ...open(),
      valid(a, 12, undefined, 1),
      proposalRecorded(1, d, bid(1), at(2), ['ineligible: subject is suspended']),
      valid(b, 9.5, undefined, 3),
      valid(c, 30, undefined, 4),
    ];
    spec
      .given(history)
      .when(closeRound(1), { now: closesAt })
      .thenEvents([assignmentAwarded(1, b, 'lowest price 9.5 of 3 valid bid(s)', [a, c])]);
  });

  it('decides a tie on price by the shortest eta; a bid without an eta comes after those with one', () => {
    const history = [...open(), valid(a, 10, undefined, 1), valid(b, 10, 60, 2), valid(c, 10, 30, 3)];
    spec
      .given(history)
      .when(closeRound(1), { now: closesAt })
      .thenEvents([assignmentAwarded(1, c, 'lowest price 10 of 3 valid bid(s); 3 bids at that price, decided by eta, then by the earliest received', [a, b])]);
  });

  it('prefers a bid with an eta to an earlier one without, at the same price', () => {
    const history = [...open(), valid(a, 10, undefined, 1), valid(b, 10, 3600, 2)];
    spec
      .given(history)
      .when(closeRound(1), { now: closesAt })
      .thenEvents([assignmentAwarded(1, b, 'lowest price 10 of 2 valid bid(s); 2 bids at that price, decided by eta, then by the earliest received', [a])]);
  });

  it('decides a tie on price and eta by the earliest received, not by subject id', () => {
    const history = [...open(), valid(c, 10, 60, 1), valid(a, 10, 60, 2), valid(b, 11, 1, 3)];
    spec
      .given(history)
      .when(closeRound(1), { now: closesAt })
      .thenEvents([assignmentAwarded(1, c, 'lowest price 10 of 3 valid bid(s); 2 bids at that price, decided by eta, then by the earliest received', [a, b])]);
  });

  it('fails the round with no_valid_bids when nobody bid, or nobody bid validly', () => {
    spec
      .given(open())
      .when(closeRound(1), { now: closesAt })
      .thenEvents([roundFailed(1, 'no_valid_bids', NO_VALID_BIDS)]);
    const onlyInvalid = [...open(), proposalRecorded(1, d, bid(1), at(1), ['ineligible: subject is suspended'])];
    spec
      .given(onlyInvalid)
      .when(closeRound(1), { now: closesAt })
      .thenEvents([roundFailed(1, 'no_valid_bids', NO_VALID_BIDS)]);
  });

  it('fails the round with no_eligible_candidates when nobody could be invited', () => {
    const nobody = [assignmentStarted('auction'), candidatesAssessed(1, [ineligible(d, 'subject is suspended')])];
    spec
      .given(nobody)
      .when(closeRound(1))
      .thenEvents([roundFailed(1, 'no_eligible_candidates', 'no candidate is eligible')]);
  });

  it('escalates when the round without bids was the last one', () => {
    spec
      .given(open(1))
      .when(closeRound(1), { now: closesAt })
      .thenEvents([roundFailed(1, 'no_valid_bids', NO_VALID_BIDS), assignmentEscalated(`1 round(s) failed; the last: ${NO_VALID_BIDS}`, 1)]);
    const thirdRound = [
      ...open(3),
      roundFailed(1, 'no_valid_bids', NO_VALID_BIDS),
      candidatesAssessed(2, [eligible(a)]),
      callForProposalsIssued(2, [a]),
      roundFailed(2, 'no_valid_bids', NO_VALID_BIDS),
      candidatesAssessed(3, [eligible(a)]),
      callForProposalsIssued(3, [a]),
    ];
    spec
      .given(thirdRound)
      .when(closeRound(3), { now: closesAt })
      .thenEvents([roundFailed(3, 'no_valid_bids', NO_VALID_BIDS), assignmentEscalated(`3 round(s) failed; the last: ${NO_VALID_BIDS}`, 3)]);
    expect(stateAfter(thirdRound)).toMatchObject({ round: 3, failedRounds: 2, phase: 'bidding' });
  });

  it('awards nothing twice: closing the same round again decides nothing', () => {
    const awarded = [...open(), valid(a, 10, undefined, 1), assignmentAwarded(1, a, 'lowest price 10 of 1 valid bid(s)')];
    spec
      .given(awarded)
      .when(closeRound(1), { now: at(10) })
      .thenNothing();
    const failed = [...open(), roundFailed(1, 'no_valid_bids', NO_VALID_BIDS)];
    spec
      .given(failed)
      .when(closeRound(1), { now: at(10) })
      .thenNothing();
    spec
      .given(failed)
      .when(failRound(1, 'no_valid_bids'), { now: at(10) })
      .thenNothing();
  });

  it('refuses to close a round that has not started', () => {
    spec.given(open()).when(closeRound(2), { now: closesAt }).thenError('WRONG_ROUND', { round: 1, requested: 2 });
  });

  it('keeps the award and the round in the state', () => {
    const awarded = [...open(), valid(a, 10, undefined, 1), assignmentAwarded(1, a, 'lowest price 10 of 1 valid bid(s)', [])];
    expect(stateAfter(awarded)).toMatchObject({ phase: 'awarded', round: 1, award: { round: 1, subjectId: a, contractId: contract(1) } });
  });

  it('records invalid proposals without counting them as bids', () => {
    const history = [...open(), proposalRecorded(1, d, bid(1), at(1), ['ineligible: subject is suspended'])];
    expect(stateAfter(history)).toMatchObject({ proposals: [] });
  });
});

describe('auction: the whole round through the decider', () => {
  it('runs start, assess, call, bids and close as the saga would', () => {
    let history: AssignmentEvent[] = [];
    const step = (command: Parameters<typeof decide>[1], now = at(0)) => {
      const events = decide(history, command, { now });
      expectWritable(events);
      history = [...history, ...events];
      return events;
    };
    step(startAssignment('auction'));
    step(recordAssessment(1, [eligible(a), eligible(b), ineligible(d, 'subject is suspended')]));
    step(issueCallForProposals(1));
    step(recordProposal(1, b, bid(7, 100)), at(1));
    step(recordProposal(1, a, bid(7, 50)), at(2));
    step(recordProposal(1, d, bid(1)), at(3));
    step(recordProposal(1, a, bid(1)), at(6));
    const award = step(closeRound(1), at(7));
    expect(award).toEqual([
      assignmentAwarded(1, a, 'lowest price 7 of 2 valid bid(s); 2 bids at that price, decided by eta, then by the earliest received', [b]),
    ]);
  });
});
