import { describe, expect, it } from 'vitest';
import { assessCandidate, type CandidateFacts, type Requirements } from '../../domain/assignment/eligibility.ts';
import { candidateAssessmentSchema } from '../../domain/assignment/fields.ts';
import { compileScore, type ScoreFunction, type ScoreJob } from '../../domain/assignment/score.ts';
import { subject } from './assignment.support.ts';

const id = subject(1);
const facts = (overrides: Partial<CandidateFacts> = {}): CandidateFacts => ({
  subjectId: id,
  status: 'active',
  roles: ['writer', 'member'],
  capabilities: { 'text.summarize': { level: 3, verifiedInOrg: true }, translation: { level: 2, verifiedInOrg: false } },
  openAssignments: 1,
  policy: { permitted: true, reason: 'rule allow-members permits job.accept' },
  ...overrides,
});
const requirements = (overrides: Partial<Requirements> = {}): Requirements => ({
  requiredRoles: ['writer'],
  requiredCapabilities: [
    { name: 'text.summarize', level: 2 },
    { name: 'translation', level: 1 },
  ],
  maxOpenAssignments: 5,
  verifiedCapabilitiesOnly: false,
  verifierSubjectIds: [],
  excluded: [],
  ...overrides,
});
const job: ScoreJob = { priority: 'normal', requiredCapabilities: ['text.summarize', 'translation'], requiredRoles: ['writer'] };
const scoring = (expression: string) => {
  const compiled = compileScore(expression);
  if (!compiled.ok) throw new Error(compiled.message);
  return { score: compiled.score, job };
};
const defaultScoring = () => scoring('candidate.capabilityLevel * 10 - candidate.openAssignments');

describe('assessCandidate: eligible', () => {
  it('finds a candidate meeting every requirement eligible, without a score when none is asked for', () => {
    expect(assessCandidate(facts(), requirements())).toEqual({ subjectId: id, eligible: true, reasons: [], score: null });
  });

  it('scores an eligible candidate: the levels of the required capabilities, less its open assignments', () => {
    // capabilityLevel = 3 + 2 (required ones only), openAssignments = 1.
    expect(
      assessCandidate(facts({ capabilities: { ...facts().capabilities, cooking: { level: 9, verifiedInOrg: true } } }), requirements(), defaultScoring()),
    ).toEqual({
      subjectId: id,
      eligible: true,
      reasons: [],
      score: 49,
    });
  });

  it('gives the score function the candidate as the expression sees it', () => {
    let seen: unknown;
    const spy: ScoreFunction = (candidate, scoredJob) => {
      seen = { candidate, scoredJob };
      return { ok: true, score: 1 };
    };
    assessCandidate(facts(), requirements(), { score: spy, job });
    expect(seen).toEqual({
      candidate: { subjectId: id, roles: ['writer', 'member'], capabilities: { 'text.summarize': 3, translation: 2 }, capabilityLevel: 5, openAssignments: 1 },
      scoredJob: job,
    });
  });

  it('keeps a candidate whose score fails to evaluate eligible, ranked last, saying why', () => {
    const assessment = assessCandidate(facts(), requirements(), scoring('candidate.capabilityLevel / (candidate.openAssignments - 1)'));
    expect(assessment).toMatchObject({ subjectId: id, eligible: true, score: Number.MIN_SAFE_INTEGER });
    expect(assessment.reasons).toHaveLength(1);
    expect(assessment.reasons[0]).toMatch(/^score failed: division by zero/);
    expect(candidateAssessmentSchema.safeParse(assessment).success).toBe(true);
  });

  it('accepts a capability at exactly the required level, and one unverified when declared ones count', () => {
    expect(
      assessCandidate(
        facts(),
        requirements({
          requiredCapabilities: [
            { name: 'text.summarize', level: 3 },
            { name: 'translation', level: 2 },
          ],
        }),
      ).eligible,
    ).toBe(true);
  });
});

describe('assessCandidate: every failing reason', () => {
  it('lists a missing role', () => {
    expect(assessCandidate(facts({ roles: ['member'] }), requirements({ requiredRoles: ['writer', 'member', 'editor'] }))).toEqual({
      subjectId: id,
      eligible: false,
      reasons: ['lacks role(s) writer, editor'],
      score: null,
    });
  });

  it('lists a missing capability, one below the level, and one unverified when only verified ones count', () => {
    const assessment = assessCandidate(
      facts(),
      requirements({
        verifiedCapabilitiesOnly: true,
        requiredCapabilities: [
          { name: 'code.review', level: 1 },
          { name: 'text.summarize', level: 4 },
          { name: 'translation', level: 1 },
        ],
      }),
    );
    expect(assessment.reasons).toEqual([
      'lacks capability code.review',
      'capability text.summarize at level 3, below 4',
      'capability translation is not verified in this org',
    ]);
    expect(assessment.eligible).toBe(false);
  });

  it('lists a suspended subject, and one that does not exist', () => {
    expect(assessCandidate(facts({ status: 'suspended' }), requirements()).reasons).toEqual(['subject is suspended']);
    expect(assessCandidate(facts({ status: null }), requirements()).reasons).toEqual(['no such subject']);
  });

  it('lists a workload at the limit, not one below it', () => {
    expect(assessCandidate(facts({ openAssignments: 5 }), requirements()).reasons).toEqual(['workload: 5 open assignment(s), the limit is 5']);
    expect(assessCandidate(facts({ openAssignments: 4 }), requirements()).eligible).toBe(true);
  });

  it("lists the policy's refusal with its reason", () => {
    expect(assessCandidate(facts({ policy: { permitted: false, reason: 'no rule permits job.accept' } }), requirements()).reasons).toEqual([
      'policy: no rule permits job.accept',
    ]);
  });

  it('lists a verifier of the job (separation of duties), and a subject excluded from the job', () => {
    expect(assessCandidate(facts(), requirements({ verifierSubjectIds: [subject(7), id] })).reasons).toEqual(['verifies this job (separation of duties)']);
    expect(assessCandidate(facts(), requirements({ excluded: [id] })).reasons).toEqual(['refused or lost this job before']);
  });

  it('lists every reason at once, not only the first, and scores no ineligible candidate', () => {
    const assessment = assessCandidate(
      facts({ status: 'suspended', roles: [], capabilities: {}, openAssignments: 9, policy: { permitted: false, reason: 'forbidden' } }),
      requirements({ verifierSubjectIds: [id], excluded: [id] }),
      defaultScoring(),
    );
    expect(assessment).toEqual({
      subjectId: id,
      eligible: false,
      reasons: [
        'subject is suspended',
        'refused or lost this job before',
        'verifies this job (separation of duties)',
        'lacks role(s) writer',
        'lacks capability text.summarize',
        'lacks capability translation',
        'workload: 9 open assignment(s), the limit is 5',
        'policy: forbidden',
      ],
      score: null,
    });
  });

  it('keeps the assessment within its schema: at most 20 reasons, each at most 500 characters', () => {
    const many = Array.from({ length: 30 }, (_, index) => ({ name: `skill${index}`, level: 1 }));
    const roles = Array.from({ length: 20 }, (_, index) => `role-with-a-rather-long-name-number-${index}-${'x'.repeat(20)}`);
    const assessment = assessCandidate(
      facts({ policy: { permitted: false, reason: 'p'.repeat(2000) } }),
      requirements({ requiredCapabilities: many, requiredRoles: roles }),
    );
    expect(assessment.reasons).toHaveLength(20);
    expect(assessment.reasons[0]).toMatch(/^lacks role\(s\) role-with/);
    expect(candidateAssessmentSchema.safeParse(assessment).success).toBe(true);
    const policyOnly = assessCandidate(facts({ policy: { permitted: false, reason: 'p'.repeat(2000) } }), requirements());
    expect(policyOnly.reasons[0]?.length).toBeLessThanOrEqual(500);
    expect(policyOnly.reasons[0]).toMatch(/^policy: p+…$/);
  });
});

describe('assessCandidate: capability names are looked up as own keys only', () => {
  for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
    it(`does not find a capability named ${name} on Object.prototype`, () => {
      const assessment = assessCandidate(facts({ capabilities: {} }), requirements({ requiredCapabilities: [{ name, level: 1 }] }), defaultScoring());
      expect(assessment).toEqual({ subjectId: id, eligible: false, reasons: [`lacks capability ${name}`], score: null });
    });
  }

  it('finds a capability named constructor when the subject declares it', () => {
    const capabilities = { constructor: { level: 2, verifiedInOrg: true } };
    const assessment = assessCandidate(facts({ capabilities }), requirements({ requiredCapabilities: [{ name: 'constructor', level: 2 }] }), defaultScoring());
    expect(assessment).toEqual({ subjectId: id, eligible: true, reasons: [], score: 19 });
  });
});
