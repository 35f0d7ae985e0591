import { orgTimelines, type OrgHistory, type OrgTimelines } from '../../domain/audit/as-of.ts';
import { currentBuiltIns } from '../../domain/audit/policies.ts';
import type { RecordedDecision } from '../../domain/audit/recorded.ts';
import type { LoggedEvent } from '../../domain/audit/timeline.ts';
import { createEventRegistry } from '../../domain/events/catalog.ts';
import { evaluatePolicy } from '../../domain/policy/evaluate.ts';
import { hashPolicyRules } from '../../domain/policy/hash.ts';
import type { PolicyRequest, PolicyRule } from '../../domain/policy/types.ts';
import { effectiveRoles } from '../../domain/roster/effective-roles.ts';
import type { Principal } from '../../domain/shared/principal.ts';

/**
 * A small hand-built log for the pure audit code: events of an org's three streams with global positions, and
 * decisions recorded the way commands/governance/governed-check.ts records them.
 */
export const ORG = '0b6f3d52-1c2e-4f7a-9d3b-5a4c3b2a1f00';
export const ALICE = '1a000000-0000-4000-8000-000000000001';
export const BOB = '2b000000-0000-4000-8000-000000000002';
export const OWNER = '3c000000-0000-4000-8000-000000000003';
export const admin: Principal = { id: 'admin:test', kind: 'admin' };

const registry = createEventRegistry();

export class LogBuilder {
  private position = 0n;
  private readonly revisions = new Map<string, bigint>();
  readonly history: { org: LoggedEvent[]; roster: LoggedEvent[]; policy: LoggedEvent[] } = { org: [], roster: [], policy: [] };
  /** Decisions appended so far (their positions are in the same sequence). */
  readonly decisions: RecordedDecision[] = [];

  constructor(private clock = Date.parse('2026-03-01T10:00:00Z')) {}

  /** The next event's time; each event is one minute after the previous one unless told. */
  tick(minutes = 1): string {
    this.clock += minutes * 60_000;
    return new Date(this.clock).toISOString();
  }

  get now(): string {
    return new Date(this.clock).toISOString();
  }

  /** Leaves positions to other orgs' events. */
  skip(count: number): void {
    this.position += BigInt(count);
  }

  append(stream: 'org' | 'roster' | 'policy', type: string, data: Record<string, unknown>, occurredAt = this.tick()): LoggedEvent {
    this.position += 1n;
    const streamId = `${stream}-${ORG}`;
    const revision = (this.revisions.get(streamId) ?? -1n) + 1n;
    this.revisions.set(streamId, revision);
    // Decoded as audit replay reads the log: a fixture that does not fit its event's schema fails here.
    const event: LoggedEvent = {
      ...registry.decode(type, data, { schemaVersion: registry.currentVersion(type) }),
      streamId,
      revision,
      position: this.position,
      occurredAt,
    };
    this.history[stream].push(event);
    return event;
  }

  registerOrg(owner: Principal = { id: OWNER, kind: 'subject' }, tags: string[] = []): LoggedEvent {
    return this.append('org', 'OrgRegistered', { orgId: ORG, name: 'Lab', slug: 'lab', description: '', tags, metadata: {}, parentOrgId: null, owner });
  }

  defineRole(name: string, inherits: string[] = []): LoggedEvent {
    const role = { name, description: '', permissions: [], minHolders: 0, maxHolders: null, assignmentType: 'fixed', requiredCapabilities: [], inherits };
    return this.append('roster', 'RoleDefined', { orgId: ORG, role });
  }

  grant(associationId: string, subjectId: string, role: string, options: { jobSpace?: string | null; expiresAt?: string | null } = {}): LoggedEvent {
    const association = {
      associationId,
      subjectId,
      role,
      jobSpace: options.jobSpace ?? null,
      expiresAt: options.expiresAt ?? null,
      parentSubjectId: null,
      grantedBy: admin,
      grantedAt: this.now,
      applicationId: null,
    };
    return this.append('roster', 'RoleGranted', { orgId: ORG, association });
  }

  revoke(associationId: string): LoggedEvent {
    return this.append('roster', 'RoleRevoked', { orgId: ORG, associationId, reason: 'done', revokedBy: admin });
  }

  draft(version: number, rules: PolicyRule[]): LoggedEvent {
    return this.append('policy', 'PolicyDrafted', { orgId: ORG, version, description: '', rules, hash: hashPolicyRules(rules) });
  }

  publish(version: number, supersedes: number | null = null): LoggedEvent {
    const drafted = this.history.policy.flatMap((event) => (event.type === 'PolicyDrafted' && event.data.version === version ? [event.data] : []))[0];
    return this.append('policy', 'PolicyPublished', { orgId: ORG, version, hash: drafted?.hash, supersedes });
  }

  orgHistory(): OrgHistory {
    return { orgId: ORG, ...this.history };
  }

  timelines(): OrgTimelines {
    return orgTimelines(this.orgHistory());
  }

  /**
   * Decides a request the way the governed pipeline does (org, roster and policy as they stand now, the principal's
   * effective roles at this instant) and records the decision in `audit-<org>` (denied) or the roster stream.
   */
  decide(principal: Principal, action: string, commandData: Record<string, unknown>, options: { jobSpace?: string | null } = {}): RecordedDecision {
    const now = this.tick();
    const timelines = this.timelines();
    const head = this.position;
    const org = timelines.org.stateAtPosition(head).state;
    const roster = timelines.roster.stateAtPosition(head);
    const policy = timelines.policy.stateAtPosition(head).state;
    const published = policy.published === null ? undefined : policy.versions.get(policy.published);
    const orgPolicy =
      org === null
        ? { source: 'none' as const, version: null, hash: hashPolicyRules([]), rules: [] as readonly PolicyRule[] }
        : published
          ? { source: 'org' as const, version: published.version, hash: published.hash, rules: published.rules }
          : { source: 'default' as const, version: null, hash: currentBuiltIns.defaultOrg.hash, rules: currentBuiltIns.defaultOrg.rules };
    const jobSpace = options.jobSpace ?? null;
    const effective = principal.kind === 'subject' && org !== null ? effectiveRoles(roster.state, principal.id, now, jobSpace) : { roles: [], groups: [] };
    const request: PolicyRequest = {
      principal: {
        id: principal.id,
        kind: principal.kind,
        roles: principal.kind === 'admin' ? ['platform-admin'] : principal.kind === 'system' ? ['platform-system'] : effective.roles,
        groups: effective.groups,
        capabilities: {},
      },
      action,
      resource: { type: 'roster', id: ORG, jobSpace, attributes: {} },
      org: { id: ORG, status: org?.status ?? null, ownerId: org?.owner.id ?? null, tags: org?.tags ?? [], metadata: org?.metadata ?? {} },
      command: { type: 'Command', data: commandData },
      now,
    };
    const decision = evaluatePolicy([...currentBuiltIns.platform.rules, ...orgPolicy.rules], request);
    this.position += 1n;
    const recorded: RecordedDecision = {
      position: this.position,
      streamId: decision.outcome === 'permitted' ? `roster-${ORG}` : `audit-${ORG}`,
      occurredAt: now,
      data: {
        decisionId: `decision-${this.position}`,
        orgId: ORG,
        action,
        outcome: decision.outcome,
        determiningRuleIds: decision.determiningRuleIds,
        reasons: decision.reasons,
        escalateTo: decision.escalateTo,
        evaluations: decision.evaluations,
        errors: decision.errors,
        policy: { source: orgPolicy.source, version: orgPolicy.version, hash: orgPolicy.hash },
        platformPolicyHash: currentBuiltIns.platform.hash,
        rosterRevision: org === null ? null : roster.revision.toString(),
        request: JSON.parse(JSON.stringify(request)) as Record<string, unknown>,
        result:
          decision.outcome === 'permitted'
            ? { status: 'applied', basis: { streamId: `roster-${ORG}`, revision: roster.revision.toString() } }
            : { status: 'refused-by-policy' },
      },
    };
    this.decisions.push(recorded);
    return recorded;
  }
}

/** A copy of a recorded decision with some of its data replaced (a tampered record). */
export function tampered(decision: RecordedDecision, change: (data: RecordedDecision['data']) => RecordedDecision['data']): RecordedDecision {
  return { ...decision, data: change(structuredClone(decision.data)) };
}
