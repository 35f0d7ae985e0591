import { orgDecider } from '../org/decider.ts';
import type { OrgEvent } from '../org/events.ts';
import type { OrgState } from '../org/state.ts';
import { policyDecider } from '../policy/decider.ts';
import type { PolicyEvent } from '../policy/events.ts';
import { hashPolicyRules } from '../policy/hash.ts';
import { defaultOrgPolicy } from '../policy/platform-policy.ts';
import type { PolicyState } from '../policy/state.ts';
import { rosterDecider } from '../roster/decider.ts';
import { ANY_JOB_SPACE, effectiveRoles } from '../roster/effective-roles.ts';
import type { RosterEvent } from '../roster/events.ts';
import { isActive, type RosterState } from '../roster/state.ts';
import { instantMs, StreamTimeline, type LoggedEvent } from './timeline.ts';

/** The three streams that make an org's governance: `org-<id>`, `roster-<id>`, `policy-<id>`, decoded. */
export interface OrgHistory {
  orgId: string;
  org: readonly LoggedEvent[];
  roster: readonly LoggedEvent[];
  policy: readonly LoggedEvent[];
}

/** The org's streams as timelines, foldable to any cut. */
export interface OrgTimelines {
  orgId: string;
  org: StreamTimeline<OrgState, OrgEvent>;
  roster: StreamTimeline<RosterState, RosterEvent>;
  policy: StreamTimeline<PolicyState, PolicyEvent>;
}

export function orgTimelines(history: OrgHistory): OrgTimelines {
  return {
    orgId: history.orgId,
    org: new StreamTimeline(orgDecider, history.org),
    roster: new StreamTimeline(rosterDecider, history.roster),
    policy: new StreamTimeline(policyDecider, history.policy),
  };
}

/**
 * Where the log is cut: every event at or before `position` counts, nothing after it. `at` is the instant the cut
 * stands for (effective roles depend on time: an association's expiry needs no event to take effect).
 */
export interface Cut {
  /** How the cut was asked for. */
  by: 'head' | 'position' | 'time';
  position: bigint;
  /** ISO-8601 instant. */
  at: string;
}

/**
 * The cut for an instant: positions are the reliable order, clocks are not (two processes' clocks may disagree), so
 * a time becomes a position: that of the last event, among `events`, whose `occurredAt` is at or before `at`
 * (0n when there is none: nothing happened yet). Every event up to that position then counts, including one whose
 * clock ran ahead of a later event's.
 */
export function positionAtTime(events: Iterable<LoggedEvent>, at: string): bigint {
  const limit = instantMs(at);
  let position = 0n;
  for (const event of events) {
    if (instantMs(event.occurredAt) <= limit && event.position > position) position = event.position;
  }
  return position;
}

/** Which org rules were in force: the published version, the default policy before any, none before the org. */
export interface EffectivePolicyRef {
  source: 'org' | 'default' | 'none';
  version: number | null;
  hash: string;
}

const defaultPolicyHash = hashPolicyRules(defaultOrgPolicy);
const noRulesHash = hashPolicyRules([]);

export function effectivePolicyRef(org: OrgState, policy: PolicyState): EffectivePolicyRef {
  if (org === null) return { source: 'none', version: null, hash: noRulesHash };
  const published = policy.published === null ? undefined : policy.versions.get(policy.published);
  if (!published) return { source: 'default', version: null, hash: defaultPolicyHash };
  return { source: 'org', version: published.version, hash: published.hash };
}

export interface OrgStateAsOf {
  orgId: string;
  cut: Cut;
  org: OrgState;
  orgRevision: bigint;
  roster: RosterState;
  rosterRevision: bigint;
  policy: PolicyState;
  policyRevision: bigint;
  effectivePolicy: EffectivePolicyRef;
  /** How many events of each stream the cut includes. */
  events: { org: number; roster: number; policy: number };
}

/** The org, its roster and its policy sets, folded with their deciders' evolve from the events at or before the cut. */
export function orgStateAsOf(timelines: OrgTimelines, cut: Cut): OrgStateAsOf {
  const org = timelines.org.stateAtPosition(cut.position);
  const roster = timelines.roster.stateAtPosition(cut.position);
  const policy = timelines.policy.stateAtPosition(cut.position);
  return {
    orgId: timelines.orgId,
    cut,
    org: org.state,
    orgRevision: org.revision,
    roster: roster.state,
    rosterRevision: roster.revision,
    policy: policy.state,
    policyRevision: policy.revision,
    effectivePolicy: effectivePolicyRef(org.state, policy.state),
    events: {
      org: timelines.org.countUpToPosition(cut.position),
      roster: timelines.roster.countUpToPosition(cut.position),
      policy: timelines.policy.countUpToPosition(cut.position),
    },
  };
}

/** `'*'`: roles of every job space (is this a member at all?); a name: that job space's; null: org-wide only. */
export type JobSpaceScope = string | null | '*';

export interface SubjectRoles {
  subjectId: string;
  jobSpace: JobSpaceScope;
  roles: string[];
  groups: string[];
  /** Ids of the associations that grant the held roles at that instant. */
  associations: string[];
}

/** What a subject effectively is in the org at the cut's instant (domain/roster/effective-roles.ts). */
export function subjectRolesAt(roster: RosterState, subjectId: string, at: string, jobSpace: JobSpaceScope = null): SubjectRoles {
  const effective = effectiveRoles(roster, subjectId, at, jobSpace === '*' ? ANY_JOB_SPACE : jobSpace);
  return {
    subjectId,
    jobSpace,
    roles: effective.roles,
    groups: effective.groups,
    associations: effective.associations.map((association) => association.associationId).sort(),
  };
}

/** Every subject holding a role at `at` (in any job space), with its effective roles there; sorted by subject. */
export function membersAt(roster: RosterState, at: string): SubjectRoles[] {
  const subjects = new Set<string>();
  for (const association of roster.associations.values()) if (isActive(association, at)) subjects.add(association.subjectId);
  return [...subjects].sort().map((subjectId) => subjectRolesAt(roster, subjectId, at, '*'));
}
