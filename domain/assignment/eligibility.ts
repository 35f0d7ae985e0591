import type { CapabilityRequirement } from '../job/fields.ts';
import { MAX_REASONS, reasonTextSchema, type CandidateAssessment } from './fields.ts';
import type { ScoreFunction, ScoreJob } from './score.ts';

/** What the saga found out about one candidate, at the instant of the assessment. */
export interface CandidateFacts {
  subjectId: string;
  /** null: no such subject. */
  status: 'active' | 'suspended' | null;
  roles: readonly string[];
  /** Declared capabilities: level, and whether it is verified in the job's org. */
  capabilities: Readonly<Record<string, { level: number; verifiedInOrg: boolean }>>;
  openAssignments: number;
  /** The org's policy on `job.accept` for this subject. */
  policy: { permitted: boolean; reason: string };
}

export interface Requirements {
  requiredRoles: readonly string[];
  requiredCapabilities: readonly CapabilityRequirement[];
  /** Work limit: a subject holding this many open assignments takes no more. */
  maxOpenAssignments: number;
  /** Only capabilities verified in the org count (org setting `work.capabilities = verified`). */
  verifiedCapabilitiesOnly: boolean;
  verifierSubjectIds: readonly string[];
  excluded: readonly string[];
}

/** A reason must fit `reasonTextSchema` (a long policy reason or many missing roles would not), or RecordAssessment is refused. */
const REASON_LIMIT = reasonTextSchema.maxLength ?? 500;
const clip = (text: string) => (text.length > REASON_LIMIT ? `${text.slice(0, REASON_LIMIT - 1)}…` : text);

/**
 * One eligibility decision, with EVERY reason a candidate fails (not only the first), so "why was agent X not
 * chosen" has a complete answer in the log. Eligible candidates are scored when a score function is given.
 */
export function assessCandidate(facts: CandidateFacts, requirements: Requirements, scoring?: { score: ScoreFunction; job: ScoreJob }): CandidateAssessment {
  const reasons: string[] = [];
  if (facts.status === null) reasons.push('no such subject');
  else if (facts.status !== 'active') reasons.push(`subject is ${facts.status}`);
  if (requirements.excluded.includes(facts.subjectId)) reasons.push('refused or lost this job before');
  if (requirements.verifierSubjectIds.includes(facts.subjectId)) reasons.push('verifies this job (separation of duties)');
  const missingRoles = requirements.requiredRoles.filter((role) => !facts.roles.includes(role));
  if (missingRoles.length > 0) reasons.push(`lacks role(s) ${missingRoles.join(', ')}`);
  for (const requirement of requirements.requiredCapabilities) {
    const held = Object.hasOwn(facts.capabilities, requirement.name) ? facts.capabilities[requirement.name] : undefined;
    if (held === undefined) reasons.push(`lacks capability ${requirement.name}`);
    else if (held.level < requirement.level) reasons.push(`capability ${requirement.name} at level ${held.level}, below ${requirement.level}`);
    else if (requirements.verifiedCapabilitiesOnly && !held.verifiedInOrg) reasons.push(`capability ${requirement.name} is not verified in this org`);
  }
  if (facts.openAssignments >= requirements.maxOpenAssignments) {
    reasons.push(`workload: ${facts.openAssignments} open assignment(s), the limit is ${requirements.maxOpenAssignments}`);
  }
  if (!facts.policy.permitted) reasons.push(`policy: ${facts.policy.reason}`);
  if (reasons.length > 0) return { subjectId: facts.subjectId, eligible: false, reasons: reasons.slice(0, MAX_REASONS).map(clip), score: null };
  if (scoring === undefined) return { subjectId: facts.subjectId, eligible: true, reasons: [], score: null };

  const levels = Object.fromEntries(Object.entries(facts.capabilities).map(([name, capability]) => [name, capability.level]));
  const capabilityLevel = requirements.requiredCapabilities.reduce(
    (sum, requirement) => sum + (Object.hasOwn(levels, requirement.name) ? (levels[requirement.name] ?? 0) : 0),
    0,
  );
  const result = scoring.score(
    { subjectId: facts.subjectId, roles: facts.roles, capabilities: levels, capabilityLevel, openAssignments: facts.openAssignments },
    scoring.job,
  );
  // A score that fails to evaluate ranks the candidate last rather than dropping it: the expression is the org's
  // ranking preference, not an eligibility rule.
  if (!result.ok)
    return { subjectId: facts.subjectId, eligible: true, reasons: [`score failed: ${result.message.slice(0, 400)}`], score: Number.MIN_SAFE_INTEGER };
  return { subjectId: facts.subjectId, eligible: true, reasons: [], score: result.score };
}
