import { buildPolicyRequest, type BuiltPolicyRequest } from '../../commands/governance/policy-request.ts';
import type { StreamReader } from '../../commands/stream-loader.ts';
import { assessCandidate, type CandidateFacts } from '../../domain/assignment/eligibility.ts';
import type { CandidateAssessment } from '../../domain/assignment/fields.ts';
import { compileScore } from '../../domain/assignment/score.ts';
import type { Assignment } from '../../domain/assignment/state.ts';
import type { WorkSettings } from '../../domain/assignment/work-settings.ts';
import type { Job } from '../../domain/job/state.ts';
import { evaluatePolicy } from '../../domain/policy/evaluate.ts';
import { platformPolicy } from '../../domain/policy/platform-policy.ts';
import { rosterDecider } from '../../domain/roster/decider.ts';
import { effectiveRoles, heldRoles } from '../../domain/roster/effective-roles.ts';
import { rosterStream } from '../../domain/roster/events.ts';
import { isActive, type Association, type RosterState } from '../../domain/roster/state.ts';
import { subjectCapabilities } from '../../domain/subject/capabilities.ts';
import { subjectDecider, subjectStream } from '../../domain/subject/decider.ts';
import type { SubjectState } from '../../domain/subject/state.ts';

/** Open assignments per subject in one org (jobs assigned to it and not yet over). */
export type WorkloadsOf = (orgId: string) => Promise<ReadonlyMap<string, number>>;

export const ACCEPT_ACTION = 'job.accept';

/**
 * What assessing a job's round reads from the write side, as it is now: the org's roster, each candidate subject and
 * the policy request (the org and its policy) that only differs in the principal from one candidate to the next.
 */
export interface CandidateFactsSource {
  roster: RosterState;
  subjects: ReadonlyMap<string, SubjectState>;
  policy: Pick<BuiltPolicyRequest, 'request' | 'policy'>;
}

/** Who is assessed: the named subject of a `direct` job, else every member of the org (an active role association). */
export function candidateIds(job: Job, assignment: Assignment, roster: RosterState, now: string): string[] {
  const candidates = new Set<string>();
  if (assignment.strategy === 'direct' && job.directAssignee !== null) candidates.add(job.directAssignee);
  else for (const association of roster.associations.values()) if (isActive(association, now)) candidates.add(association.subjectId);
  return [...candidates].sort();
}

/** Reads what `assessLoadedCandidates` decides on. */
export async function loadCandidateFacts(reader: StreamReader, job: Job, assignment: Assignment, now: string): Promise<CandidateFactsSource> {
  const roster = (await reader.load(rosterDecider, rosterStream(job.orgId))).state;
  // The org, its roster and its policy, read once; only the principal differs from one candidate to the next.
  const policy = await buildPolicyRequest(reader, {
    principal: { id: 'assignment', kind: 'system' },
    action: ACCEPT_ACTION,
    orgId: job.orgId,
    resource: { type: 'job', id: job.jobId, jobSpace: null },
    command: { type: 'AcceptJob', data: { jobId: job.jobId, orgId: job.orgId } },
    now,
  });
  const subjects = new Map<string, SubjectState>();
  for (const subjectId of candidateIds(job, assignment, roster, now))
    subjects.set(subjectId, (await reader.load(subjectDecider, subjectStream(subjectId))).state);
  return { roster, subjects, policy };
}

/**
 * Assesses every candidate for a job's round, so that "why was X not chosen" has an answer for each member. Pure:
 * the write side comes in as `source` (read as it is now), workloads from the read model, which may lag by the
 * projection's delay (a limit checked best-effort, as the open-jobs quota is).
 */
export function assessLoadedCandidates(input: {
  job: Job;
  assignment: Assignment;
  settings: WorkSettings;
  workloads: ReadonlyMap<string, number>;
  now: string;
  source: CandidateFactsSource;
}): CandidateAssessment[] {
  const { job, assignment, settings, workloads, now, source } = input;
  const { roster } = source;
  // Each candidate's roles come from its own associations: indexed once, not by scanning the whole roster per
  // candidate (which made an assessment quadratic in the org's size).
  const associationsOf = new Map<string, Map<string, Association>>();
  for (const [id, association] of roster.associations) {
    const own = associationsOf.get(association.subjectId) ?? new Map<string, Association>();
    own.set(id, association);
    associationsOf.set(association.subjectId, own);
  }
  const rosterOf = (subjectId: string): RosterState => ({ ...roster, associations: associationsOf.get(subjectId) ?? new Map() });
  const base = source.policy;
  const rules = [...platformPolicy, ...base.policy.rules];

  const compiled = assignment.strategy === 'criteria' ? compileScore(settings.scoreExpression) : null;
  const scoring =
    compiled?.ok === true
      ? {
          score: compiled.score,
          job: { priority: job.priority, requiredCapabilities: job.requiredCapabilities.map((c) => c.name), requiredRoles: job.requiredRoles },
        }
      : undefined;
  const requirements = {
    requiredRoles: job.requiredRoles,
    requiredCapabilities: job.requiredCapabilities,
    maxOpenAssignments: settings.maxOpenAssignments,
    verifiedCapabilitiesOnly: settings.verifiedCapabilitiesOnly,
    verifierSubjectIds: job.verifierSubjectIds,
    excluded: assignment.excluded,
  };

  const assessments: CandidateAssessment[] = [];
  for (const subjectId of candidateIds(job, assignment, roster, now)) {
    const subject = source.subjects.get(subjectId) ?? null;
    const own = rosterOf(subjectId);
    // As principalFacts builds it for a command (org-wide roles, no job space), from the subject loaded above.
    const effective = effectiveRoles(own, subjectId, now, null);
    const request = {
      ...base.request,
      principal: { id: subjectId, kind: 'subject' as const, roles: effective.roles, groups: effective.groups, capabilities: subjectCapabilities(subject) },
    };
    const decision = evaluatePolicy(rules, request);
    const capabilities: CandidateFacts['capabilities'] = Object.fromEntries(
      Object.entries(subject?.capabilities ?? {}).map(([name, capability]) => [
        name,
        { level: capability.level, verifiedInOrg: Object.hasOwn(capability.verifiedIn, job.orgId) },
      ]),
    );
    const facts: CandidateFacts = {
      subjectId,
      status: subject?.status ?? null,
      roles: [...heldRoles(own, subjectId, now)],
      capabilities,
      openAssignments: workloads.get(subjectId) ?? 0,
      policy: { permitted: decision.outcome === 'permitted', reason: `${decision.outcome}: ${decision.reasons.join('; ')}` },
    };
    assessments.push(assessCandidate(facts, requirements, scoring));
  }
  if (compiled?.ok === false) {
    // The org's score expression does not compile: every eligible candidate ties, and the log says why.
    for (const assessment of assessments) if (assessment.eligible) assessment.reasons.push(`score expression refused: ${compiled.message.slice(0, 400)}`);
  }
  return assessments;
}

/** Reads the candidates' facts and assesses them (`loadCandidateFacts` then `assessLoadedCandidates`). */
export async function assessCandidates(input: {
  reader: StreamReader;
  job: Job;
  assignment: Assignment;
  settings: WorkSettings;
  workloads: ReadonlyMap<string, number>;
  now: string;
}): Promise<CandidateAssessment[]> {
  const { reader, ...rest } = input;
  return assessLoadedCandidates({ ...rest, source: await loadCandidateFacts(reader, input.job, input.assignment, input.now) });
}
