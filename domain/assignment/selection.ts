import type { CandidateAssessment } from './fields.ts';
import type { ValidProposal } from './state.ts';

export interface Choice {
  subjectId: string;
  basis: string;
}

const bySubjectId = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * `criteria` (and `direct`, whose one candidate is the named subject): the eligible candidate with the highest score;
 * ties go to the lowest subject id, so replaying the log always picks the same one.
 */
export function bestCandidate(assessments: Iterable<CandidateAssessment>, excluded: readonly string[]): Choice | null {
  const eligible = [...assessments].filter((candidate) => candidate.eligible && !excluded.includes(candidate.subjectId));
  eligible.sort((a, b) => (b.score ?? 0) - (a.score ?? 0) || bySubjectId(a.subjectId, b.subjectId));
  const [best] = eligible;
  if (!best) return null;
  const tied = eligible.filter((candidate) => (candidate.score ?? 0) === (best.score ?? 0)).length;
  return {
    subjectId: best.subjectId,
    basis: `highest score ${best.score ?? 0} of ${eligible.length} eligible candidate(s)${tied > 1 ? `; ${tied} tied, the lowest subject id won` : ''}`,
  };
}

/**
 * `auction`: the lowest price; then the shortest eta (a bid without one comes after those with one); then the bid
 * received first; then the lowest subject id. Proposals arrive in log order, so "first" is the same on every replay.
 */
export function bestProposal(proposals: readonly ValidProposal[]): Choice | null {
  const [first] = proposals
    .map((proposal, order) => ({ proposal, order }))
    .sort(
      (a, b) =>
        a.proposal.bid.price - b.proposal.bid.price ||
        (a.proposal.bid.etaSeconds ?? Number.POSITIVE_INFINITY) - (b.proposal.bid.etaSeconds ?? Number.POSITIVE_INFINITY) ||
        a.order - b.order ||
        bySubjectId(a.proposal.subjectId, b.proposal.subjectId),
    );
  if (!first) return null;
  const best = first.proposal;
  const samePrice = proposals.filter((proposal) => proposal.bid.price === best.bid.price).length;
  const tie = samePrice > 1 ? `; ${samePrice} bids at that price, decided by eta, then by the earliest received` : '';
  return { subjectId: best.subjectId, basis: `lowest price ${best.bid.price} of ${proposals.length} valid bid(s)${tie}` };
}
