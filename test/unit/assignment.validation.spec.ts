import { describe, expect, it } from 'vitest';
import { assignmentCommandSchema } from '../../domain/assignment/commands.ts';
import { assignmentEventDefinitions } from '../../domain/assignment/events.ts';
import { MAX_CANDIDATES } from '../../domain/assignment/fields.ts';
import { closesAt, eligible, ineligible, jobId, orgId, subject } from './assignment.support.ts';

const ref = { jobId, orgId };
const parse = (type: string, data: Record<string, unknown>) => assignmentCommandSchema.safeParse({ type, data: { ...ref, ...data } });
const accepts = (type: string, data: Record<string, unknown>) => expect(parse(type, data).success, JSON.stringify(parse(type, data).error?.issues)).toBe(true);
const refuses = (type: string, data: Record<string, unknown>) => expect(parse(type, data).success).toBe(false);

const [a, b] = [subject(1), subject(2)];

describe('command schemas', () => {
  it('accepts well-formed commands (the baseline the refusals differ from)', () => {
    accepts('StartAssignment', { strategy: 'auction' });
    accepts('RecordAssessment', { round: 1, candidates: [eligible(a, 3), ineligible(b, 'subject is suspended')] });
    accepts('IssueCallForProposals', { round: 1, closesAt });
    accepts('RecordProposal', { round: 1, subjectId: a, bid: { price: 0, etaSeconds: 60, note: 'can start now' } });
    accepts('CloseRound', { round: 1, contractId: b });
    accepts('FailRound', { round: 1, reason: 'contract_rejected', detail: 'rejected' });
    accepts('CompleteAssignment', { contractId: b });
    accepts('CancelAssignment', { reason: 'job cancelled' });
    accepts('RestartAssignment', { reason: 'reassign' });
  });

  it('refuses an unknown command type', () => {
    refuses('AwardAnyway', {});
  });

  it('refuses a negative, infinite or unsafe price, and a bad eta', () => {
    for (const price of [-0.01, -1, Number.POSITIVE_INFINITY, Number.NaN, Number.MAX_SAFE_INTEGER + 2, '10'])
      refuses('RecordProposal', { round: 1, subjectId: a, bid: { price } });
    for (const etaSeconds of [0, -5, 1.5, 365 * 24 * 3600 + 1]) refuses('RecordProposal', { round: 1, subjectId: a, bid: { price: 1, etaSeconds } });
    refuses('RecordProposal', { round: 1, subjectId: a, bid: { price: 1, note: '   ' } });
  });

  it('refuses unknown fields, in the command and in nested objects', () => {
    refuses('StartAssignment', { strategy: 'criteria', winner: a });
    refuses('RecordProposal', { round: 1, subjectId: a, bid: { price: 1, currency: 'EUR' } });
    refuses('RecordAssessment', { round: 1, candidates: [{ ...eligible(a, 1), weight: 2 }] });
    refuses('CloseRound', { round: 1, contractId: b, subjectId: a });
  });

  it('refuses two assessments of the same candidate, in any spelling of its id', () => {
    refuses('RecordAssessment', { round: 1, candidates: [eligible(a, 1), ineligible(a, 'subject is suspended')] });
    refuses('RecordAssessment', { round: 1, candidates: [eligible(a, 1), eligible(a.toUpperCase(), 2)] });
  });

  it('keeps the ids of assessed candidates in lower case, as bids and exclusions carry them', () => {
    const parsed = parse('RecordAssessment', { round: 1, candidates: [eligible(a.toUpperCase(), 1)] });
    expect(parsed.success && parsed.data.type === 'RecordAssessment' && parsed.data.data.candidates[0]?.subjectId).toBe(a);
    const bid = parse('RecordProposal', { round: 1, subjectId: a.toUpperCase(), bid: { price: 1 } });
    expect(bid.success && bid.data.type === 'RecordProposal' && bid.data.data.subjectId).toBe(a);
  });

  it('refuses bad uuids wherever an id is expected', () => {
    for (const bad of ['', 'job-1', '7a1c0000-0000-4000-8000-00000000000', '7a1c0000-0000-4000-8000-00000000000g']) {
      refuses('StartAssignment', { strategy: 'criteria', jobId: bad });
      refuses('StartAssignment', { strategy: 'criteria', orgId: bad });
      refuses('RecordProposal', { round: 1, subjectId: bad, bid: { price: 1 } });
      refuses('CloseRound', { round: 1, contractId: bad });
      refuses('RecordAssessment', { round: 1, candidates: [eligible(bad, 1)] });
      refuses('RestartAssignment', { reason: 'reassign', exclude: [bad] });
    }
  });

  it('refuses rounds that are not positive integers, and maxRounds out of 1..10', () => {
    for (const round of [0, -1, 1.5, '1']) refuses('CloseRound', { round, contractId: b });
    for (const maxRounds of [0, 11, 2.5]) refuses('StartAssignment', { strategy: 'criteria', maxRounds });
    accepts('StartAssignment', { strategy: 'criteria', maxRounds: 10 });
  });

  it('refuses an unknown strategy, failure reason, or a reason out of bounds', () => {
    refuses('StartAssignment', { strategy: 'lottery' });
    refuses('FailRound', { round: 1, reason: 'bored', detail: 'x' });
    refuses('FailRound', { round: 1, reason: 'assignee_lost', detail: '' });
    refuses('FailRound', { round: 1, reason: 'assignee_lost', detail: 'x'.repeat(501) });
    refuses('CancelAssignment', { reason: '' });
  });

  it('refuses a malformed assessment: a non-finite score, too many reasons, too many candidates', () => {
    refuses('RecordAssessment', { round: 1, candidates: [eligible(a, Number.POSITIVE_INFINITY)] });
    refuses('RecordAssessment', { round: 1, candidates: [ineligible(a, ...Array.from({ length: 21 }, (_, index) => `reason ${index}`))] });
    refuses('RecordAssessment', { round: 1, candidates: [ineligible(a, 'x'.repeat(501))] });
    const many = Array.from({ length: MAX_CANDIDATES + 1 }, (_, index) => eligible(subject(index + 1), 1));
    refuses('RecordAssessment', { round: 1, candidates: many });
    accepts('RecordAssessment', { round: 1, candidates: many.slice(0, MAX_CANDIDATES) });
  });

  it('refuses a closing time that is not an ISO instant, and normalises one with an offset', () => {
    refuses('IssueCallForProposals', { round: 1, closesAt: 'tomorrow' });
    refuses('IssueCallForProposals', { round: 1, closesAt: '2026-11-27' });
    const parsed = parse('IssueCallForProposals', { round: 1, closesAt: '2026-11-27T12:00:05+02:00' });
    expect(parsed.success && parsed.data.type === 'IssueCallForProposals' && parsed.data.data.closesAt).toBe(closesAt);
  });

  it('defaults maxRounds to 3 and exclude to none', () => {
    const started = parse('StartAssignment', { strategy: 'criteria' });
    expect(started.success && started.data.type === 'StartAssignment' && started.data.data.maxRounds).toBe(3);
    const restarted = parse('RestartAssignment', { reason: 'reassign' });
    expect(restarted.success && restarted.data.type === 'RestartAssignment' && restarted.data.data.exclude).toEqual([]);
  });
});

describe('event schemas', () => {
  it('registers every assignment event once, at version 1', () => {
    const types = assignmentEventDefinitions.map((definition) => definition.type);
    expect(new Set(types).size).toBe(types.length);
    expect(types).toEqual([
      'AssignmentStarted',
      'CandidatesAssessed',
      'CallForProposalsIssued',
      'ProposalRecorded',
      'AssignmentAwarded',
      'AssignmentRoundFailed',
      'AssignmentEscalated',
      'AssignmentCompleted',
      'AssignmentCancelled',
      'AssignmentRestarted',
    ]);
    expect(assignmentEventDefinitions.every((definition) => definition.schemaVersion === 1)).toBe(true);
  });
});
