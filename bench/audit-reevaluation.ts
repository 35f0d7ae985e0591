import { randomUUID } from 'node:crypto';
import type { AggregateDefinition } from '../commands/aggregate.ts';
import { orgStateAt, reevaluateOrg, whatIfOrg } from '../commands/audit/replay.ts';
import { governedCheck } from '../commands/governance/governed-check.ts';
import { orgAggregate } from '../commands/handlers/org.ts';
import { policyAggregate } from '../commands/handlers/policy.ts';
import { rosterAggregate } from '../commands/handlers/roster.ts';
import { subjectAggregate } from '../commands/handlers/subject.ts';
import { CommandPipeline } from '../commands/pipeline.ts';
import type { CommandResult } from '../commands/result.ts';
import { StreamLoader } from '../commands/stream-loader.ts';
import { hashed } from '../domain/audit/policies.ts';
import { createEventRegistry, type PlatformEventRegistry } from '../domain/events/catalog.ts';
import type { PolicyRule } from '../domain/policy/types.ts';
import { isAppError, type AppError } from '../domain/shared/app-error.ts';
import type { DecisionContext, DomainEvent } from '../domain/shared/decider.ts';
import type { Principal } from '../domain/shared/principal.ts';
import type { EventStore } from '../infra/eventstore/port.ts';
import { withTempStore } from './fixtures.ts';
import { seededRandom } from './seeded-random.ts';
import { emit, now, progress, roundFigure, runsContext, summarize, summarizeRuns, type Run } from './measure.ts';

/**
 * A governed history for audit replay: several orgs, subjects with roles granted, revoked and expiring, policy
 * versions published over time (one org stays on the default policy, a child org needs its parent's consent),
 * conditions over the command, the org, the principal's capabilities and the time of day (Europe/Zurich, across
 * quiet hours), and condition errors. Every command goes through the real governed pipeline, so every
 * DecisionRecorded is what the server would have recorded.
 *
 * Each round runs one command per org, concurrently: commands of different orgs interleave in the log, while the
 * facts a decision reads about its own org (org stream, policy in force) cannot change between its reads and its
 * append; so replay's best-effort input checks must find nothing here.
 */

const admin: Principal = { id: 'admin:audit-history', kind: 'admin' };
const asSubject = (id: string): Principal => ({ id, kind: 'subject' });

/** v1 of every org that publishes: the owner, editors, writers (with a condition), applications, no suspensions by subjects. */
export const policyV1: PolicyRule[] = [
  { id: 'owner-manages', effect: 'permit', actions: ['*'], when: 'org.ownerId == principal.id', reason: 'the owner manages the org' },
  { id: 'members-read', effect: 'permit', actions: ['*.read'], when: 'size(principal.roles) > 0', reason: 'members read the org' },
  { id: 'editors-staff', effect: 'permit', actions: ['roster.role.grant', 'roster.role.revoke'], roles: ['editor'], reason: 'editors staff the org' },
  { id: 'editors-update', effect: 'permit', actions: ['org.update'], roles: ['editor'], reason: 'editors keep the org up to date' },
  {
    id: 'writers-describe',
    effect: 'permit',
    actions: ['org.update'],
    roles: ['writer'],
    when: 'has(command.data.description) && command.data.description.startsWith("w")',
    reason: 'writers may edit the description',
  },
  {
    id: 'apply-for-yourself',
    effect: 'permit',
    actions: ['roster.application.submit'],
    when: 'command.data.subjectId == principal.id',
    reason: 'subjects apply for themselves',
  },
  {
    id: 'no-subject-suspensions',
    effect: 'forbid',
    actions: ['org.suspend', 'org.archive'],
    when: 'principal.kind == "subject"',
    reason: 'only the platform suspends or archives orgs',
    escalateTo: 'board',
  },
];

/** v2: no editor minting, reserved descriptions, tag curators (whose condition errors on updates without tags), skilled writers. */
export const policyV2: PolicyRule[] = [
  ...policyV1,
  {
    id: 'no-editor-minting',
    effect: 'forbid',
    actions: ['roster.role.grant'],
    when: 'command.data.role == "editor"',
    reason: 'editors are appointed by the board',
    escalateTo: 'board',
  },
  {
    id: 'no-x-descriptions',
    effect: 'forbid',
    actions: ['org.update'],
    when: 'has(command.data.description) && command.data.description.startsWith("x")',
    unless: 'principal.id == org.ownerId',
    reason: 'descriptions starting with x are reserved to the owner',
  },
  {
    id: 'tag-curators',
    effect: 'permit',
    actions: ['org.update'],
    roles: ['member'],
    when: 'command.data.tags.all(t, t.startsWith("topic-"))',
    reason: 'members curate topic tags',
  },
  {
    id: 'skilled-writers',
    effect: 'permit',
    actions: ['org.update'],
    when: '"writing" in principal.capabilities && principal.capabilities["writing"] >= 7',
    reason: 'skilled writers may edit',
  },
];

/** v3: quiet hours in Zurich for subjects. */
export const policyV3: PolicyRule[] = [
  ...policyV2,
  {
    id: 'quiet-hours',
    effect: 'forbid',
    actions: ['org.update', 'roster.*'],
    when: 'principal.kind == "subject" && (now.inZone("Europe/Zurich").hour >= 23 || now.inZone("Europe/Zurich").hour < 6)',
    reason: 'no changes by subjects during quiet hours (Europe/Zurich)',
  },
];

export interface HistoryOptions {
  store: EventStore;
  /** Generate until at least this many decisions are recorded. */
  decisions: number;
  /** Top-level orgs (at least 2): the last stays on the default policy; a child of the first is added. Default 4. */
  orgs?: number;
  subjects?: number;
  seed?: number;
  /** Fake time between two clock readings of the pipeline, in ms. */
  stepMs?: number;
}

export interface OrgPlan {
  orgId: string;
  slug: string;
  ownerId: string;
  /** Versions this org publishes, in order, and at which fraction of the run. */
  publishes: Array<{ rules: PolicyRule[]; at: number }>;
}

export interface GeneratedHistory {
  orgs: OrgPlan[];
  subjects: string[];
  /** DecisionRecorded events appended, counted from the pipeline's answers. */
  decisions: number;
  outcomes: Record<'permitted' | 'forbidden' | 'not-permitted', number>;
  commands: number;
  /** Decisions per org id, counted from the answers. */
  byOrg: Record<string, number>;
  published: Array<{ orgId: string; version: number; hash: string; position: bigint }>;
  /** The instant the fake clock reached. */
  endedAt: string;
  elapsedMs: number;
  pipeline: CommandPipeline;
  registry: PlatformEventRegistry;
}

interface Held {
  associationId: string;
  subjectId: string;
  role: string;
  jobSpace: string | null;
  expiresAt: number | null;
  active: boolean;
}

/** Generates a governed history through the real pipeline on `store`. */
export async function generateDecisionHistory(options: HistoryOptions): Promise<GeneratedHistory> {
  const started = now();
  const random = seededRandom(options.seed ?? 20_270_115);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const stepMs = options.stepMs ?? 500;
  // The run crosses 23:00 in Zurich (22:00Z in January) about three quarters through: quiet hours begin.
  const expectedClockReads = options.decisions * 1.3;
  let clock = Date.parse('2026-01-15T22:00:00Z') - Math.round(0.75 * expectedClockReads * stepMs);
  const registry = createEventRegistry();
  const loader = new StreamLoader(options.store, registry);
  const pipeline = new CommandPipeline({
    store: options.store,
    loader,
    registry,
    check: governedCheck,
    clock: () => {
      clock += stepMs;
      return new Date(clock);
    },
  });

  const history: Omit<GeneratedHistory, 'elapsedMs' | 'endedAt'> = {
    orgs: [],
    subjects: [],
    decisions: 0,
    outcomes: { permitted: 0, forbidden: 0, 'not-permitted': 0 },
    commands: 0,
    byOrg: {},
    published: [],
    pipeline,
    registry,
  };

  const count = (orgId: string, result: CommandResult | AppError) => {
    history.commands += 1;
    if (isAppError(result)) {
      if (result.code !== 'POLICY_DENIED') return;
      const outcome = result.details.outcome === 'forbidden' ? 'forbidden' : 'not-permitted';
      history.outcomes[outcome] += 1;
      history.decisions += 1;
      history.byOrg[orgId] = (history.byOrg[orgId] ?? 0) + 1;
      return;
    }
    if (result.replayed) return;
    for (const event of result.events) {
      if (event.type !== 'DecisionRecorded') continue;
      history.outcomes.permitted += 1;
      history.decisions += 1;
      const decisionOrg = String(event.data.orgId);
      history.byOrg[decisionOrg] = (history.byOrg[decisionOrg] ?? 0) + 1;
    }
  };
  const run = async <C extends { type: string; data: unknown }, S, E extends DomainEvent, X extends DecisionContext>(
    orgId: string,
    aggregate: AggregateDefinition<C, S, E, X>,
    command: { type: string; data: Record<string, unknown> },
    principal: Principal,
  ) => {
    const result = await pipeline.execute(aggregate, command, { commandId: `audit-history-${randomUUID()}`, principal });
    count(orgId, result);
    return result;
  };
  const must = (result: CommandResult | AppError, what: string): CommandResult => {
    if (isAppError(result)) throw new Error(`${what}: ${result.code} ${result.message}`);
    return result;
  };

  // Subjects, some with a writing capability (a policy condition reads it).
  const subjectCount = options.subjects ?? 16;
  for (let index = 0; index < subjectCount; index += 1) {
    const subjectId = randomUUID();
    const capabilities = index % 3 === 0 ? [{ name: 'writing', level: 4 + (index % 7) }] : [];
    must(
      await run('', subjectAggregate, { type: 'RegisterSubject', data: { subjectId, kind: 'agent', displayName: `agent ${index}`, capabilities } }, admin),
      'register subject',
    );
    history.subjects.push(subjectId);
  }
  const subjects = history.subjects;

  // Orgs, each founded (and so owned) by a subject; the last stays on the default policy.
  const orgCount = Math.max(2, options.orgs ?? 4);
  for (let index = 0; index < orgCount; index += 1) {
    const orgId = randomUUID();
    const ownerId = subjects[index % subjects.length] as string;
    const slug = `audit-org-${index}-${orgId.slice(0, 8)}`;
    must(
      await run(orgId, orgAggregate, { type: 'RegisterOrg', data: { orgId, name: `Audit org ${index}`, slug, tags: ['topic-start'] } }, asSubject(ownerId)),
      'register org',
    );
    const onDefault = index === orgCount - 1;
    history.orgs.push({
      orgId,
      slug,
      ownerId,
      publishes: onDefault
        ? []
        : [
            { rules: policyV1, at: 0.1 + index * 0.02 },
            { rules: policyV2, at: 0.4 + index * 0.02 },
            { rules: policyV3, at: 0.62 + index * 0.02 },
          ],
    });
  }
  // A child of the first org: its registration is decided twice, by the platform policy and by the parent's policy.
  const parent = history.orgs[0] as OrgPlan;
  const childId = randomUUID();
  const childOwner = subjects[subjects.length - 1] as string;
  must(
    await run(
      childId,
      orgAggregate,
      { type: 'RegisterOrg', data: { orgId: childId, name: 'Audit child', slug: `audit-child-${childId.slice(0, 8)}`, parentOrgId: parent.orgId } },
      asSubject(parent.ownerId),
    ),
    'register child org',
  );
  history.orgs.push({ orgId: childId, slug: `audit-child-${childId.slice(0, 8)}`, ownerId: parent.ownerId, publishes: [{ rules: policyV1, at: 0.5 }] });
  // A stranger's child of the second org: permitted by the platform, refused by the parent (recorded in its audit stream).
  const second = history.orgs[1] as OrgPlan;
  const refusedChild = await run(
    second.orgId,
    orgAggregate,
    { type: 'RegisterOrg', data: { orgId: randomUUID(), name: 'Unwanted child', slug: `audit-unwanted-${childId.slice(0, 8)}`, parentOrgId: second.orgId } },
    asSubject(childOwner),
  );
  if (!isAppError(refusedChild) || refusedChild.code !== 'POLICY_DENIED') throw new Error('the unwanted child registration was not denied');

  // Structure and initial staff, set up by a platform admin.
  const held = new Map<string, Held[]>();
  const roles = [
    { name: 'member' },
    { name: 'writer', inherits: ['member'] },
    { name: 'editor', inherits: ['writer'] },
    { name: 'auditor', inherits: ['member'] },
  ];
  for (const org of history.orgs) {
    const { orgId } = org;
    for (const role of roles) must(await run(orgId, rosterAggregate, { type: 'DefineRole', data: { orgId, role } }, admin), 'define role');
    must(await run(orgId, rosterAggregate, { type: 'DefineGroup', data: { orgId, group: { name: 'staff', roles: ['writer'] } } }, admin), 'define group');
    must(
      await run(orgId, rosterAggregate, { type: 'DefineGroup', data: { orgId, group: { name: 'board', parent: 'staff', roles: ['editor'] } } }, admin),
      'define group',
    );
    must(await run(orgId, rosterAggregate, { type: 'DefineJobSpace', data: { orgId, jobSpace: { name: 'alpha' } } }, admin), 'define job space');
    must(
      await run(orgId, rosterAggregate, { type: 'DeclareRoleConflict', data: { orgId, roles: ['auditor', 'editor'], reason: 'auditors do not edit' } }, admin),
      'declare conflict',
    );
    const staff: Held[] = [];
    held.set(orgId, staff);
    const initial: Array<[number, string, string | null]> = [
      [1, 'editor', null],
      [2, 'editor', 'alpha'],
      [3, 'writer', null],
      [4, 'writer', null],
      [5, 'member', null],
      [6, 'auditor', null],
    ];
    for (const [offset, role, jobSpace] of initial) {
      const subjectId = subjects[(subjects.indexOf(org.ownerId) + offset) % subjects.length] as string;
      const associationId = randomUUID();
      must(await run(orgId, rosterAggregate, { type: 'GrantRole', data: { orgId, associationId, subjectId, role, jobSpace } }, admin), 'grant');
      staff.push({ associationId, subjectId, role, jobSpace, expiresAt: null, active: true });
    }
  }

  const target = options.decisions;
  const pending = history.orgs.map((org) => [...org.publishes]);
  const descriptions = ['w', 'x', 'n'];
  let counter = 0;

  const editorsOf = (orgId: string): string[] =>
    (held.get(orgId) ?? [])
      .filter((item) => item.active && item.role === 'editor' && (item.expiresAt === null || item.expiresAt > clock))
      .map((item) => item.subjectId);

  /** One command for an org: a weighted pick of what members and strangers try. */
  const step = async (org: OrgPlan): Promise<void> => {
    const { orgId } = org;
    const staff = held.get(orgId) ?? [];
    const roll = random();
    counter += 1;
    if (roll < 0.36) {
      // Someone updates the org: owner, staff or a stranger; descriptions w... (writers may), x... (reserved), n...
      const who = random() < 0.1 ? org.ownerId : random() < 0.75 && staff.length > 0 ? pick(staff).subjectId : pick(subjects);
      const data: Record<string, unknown> =
        random() < 0.25
          ? { orgId, tags: [`topic-${counter % 7}`, random() < 0.8 ? 'topic-x' : 'other'] }
          : { orgId, description: `${pick(descriptions)}-${counter}` };
      await run(orgId, orgAggregate, { type: 'UpdateOrgMetadata', data }, asSubject(who));
    } else if (roll < 0.44) {
      // A platform admin edits the description (platform policy permits; an org forbid still applies).
      await run(orgId, orgAggregate, { type: 'UpdateOrgMetadata', data: { orgId, description: `${pick(descriptions)}-admin-${counter}` } }, admin);
    } else if (roll < 0.52) {
      // A subject that is not the owner tries to suspend the org: forbidden (org policy) or not permitted (default).
      const who = pick(subjects.filter((subject) => subject !== org.ownerId));
      await run(orgId, orgAggregate, { type: 'SuspendOrg', data: { orgId, reason: 'attempted takeover' } }, asSubject(who));
    } else if (roll < 0.74) {
      // A grant, by an editor (org-wide or in alpha), the owner, or anyone; sometimes in alpha, sometimes expiring.
      const editors = editorsOf(orgId);
      const who = random() < 0.65 && editors.length > 0 ? pick(editors) : random() < 0.4 ? org.ownerId : pick(subjects);
      const subjectId = pick(subjects);
      const role = pick(['member', 'writer', 'writer', 'auditor', 'editor']);
      const jobSpace = random() < 0.25 ? 'alpha' : null;
      const expiresAt = random() < 0.3 ? clock + stepMs * (20 + Math.floor(random() * 200)) : null;
      const associationId = randomUUID();
      const result = await run(
        orgId,
        rosterAggregate,
        {
          type: 'GrantRole',
          data: { orgId, associationId, subjectId, role, jobSpace, expiresAt: expiresAt === null ? null : new Date(expiresAt).toISOString() },
        },
        asSubject(who),
      );
      if (!isAppError(result)) staff.push({ associationId, subjectId, role, jobSpace, expiresAt, active: true });
    } else if (roll < 0.88) {
      // A revocation of an active association, by an editor or the owner.
      const active = staff.filter((item) => item.active);
      if (active.length === 0) return;
      const target = pick(active);
      const editors = editorsOf(orgId);
      const who = random() < 0.7 && editors.length > 0 ? pick(editors) : random() < 0.5 ? org.ownerId : pick(subjects);
      const result = await run(
        orgId,
        rosterAggregate,
        { type: 'RevokeRole', data: { orgId, associationId: target.associationId, reason: 'rotation' } },
        asSubject(who),
      );
      if (!isAppError(result)) target.active = false;
    } else {
      // A subject applies for a role, for itself (or, rarely, for someone else: not permitted).
      const who = pick(subjects);
      const subjectId = random() < 0.9 ? who : pick(subjects);
      await run(
        orgId,
        rosterAggregate,
        {
          type: 'ApplyForRole',
          data: { orgId, applicationId: randomUUID(), subjectId, role: pick(['member', 'writer']), jobSpace: random() < 0.2 ? 'alpha' : null },
        },
        asSubject(who),
      );
    }
  };

  while (history.decisions < target) {
    // Publications happen between rounds, alone: nothing decides while the policy in force changes.
    const progressed = history.decisions / target;
    for (const [index, org] of history.orgs.entries()) {
      const queue = pending[index] ?? [];
      while (queue.length > 0 && (queue[0]?.at ?? 2) <= progressed) {
        const next = queue.shift() as { rules: PolicyRule[]; at: number };
        const drafted = must(
          await run(org.orgId, policyAggregate, { type: 'DraftPolicy', data: { orgId: org.orgId, rules: next.rules } }, asSubject(org.ownerId)),
          'draft',
        );
        const version = Number(drafted.events.find((event) => event.type === 'PolicyDrafted')?.data.version);
        const published = must(
          await run(org.orgId, policyAggregate, { type: 'PublishPolicy', data: { orgId: org.orgId, version } }, asSubject(org.ownerId)),
          'publish',
        );
        history.published.push({ orgId: org.orgId, version, hash: hashed(next.rules).hash, position: published.position ?? -1n });
      }
    }
    await Promise.all(history.orgs.map((org) => step(org)));
  }
  // The tally above steers generation; the log is the truth. A command permitted by policy but refused by its
  // decider (or a no-op) records its decision in the org's audit stream, which the tally does not see: recount.
  const recorded = { permitted: 0, forbidden: 0, 'not-permitted': 0 } as Record<string, number>;
  const byOrg: Record<string, number> = {};
  let decisions = 0;
  for await (const event of options.store.readAll({ filter: { eventTypes: ['DecisionRecorded'] } })) {
    decisions += 1;
    const outcome = String(event.data.outcome);
    recorded[outcome] = (recorded[outcome] ?? 0) + 1;
    const org = String(event.data.orgId);
    byOrg[org] = (byOrg[org] ?? 0) + 1;
  }
  return {
    ...history,
    decisions,
    outcomes: { permitted: recorded.permitted ?? 0, forbidden: recorded.forbidden ?? 0, 'not-permitted': recorded['not-permitted'] ?? 0 },
    byOrg,
    endedAt: new Date(clock).toISOString(),
    elapsedMs: now() - started,
  };
}

export interface AuditBenchOptions {
  /** Decisions in the generated history. */
  decisions: number;
  runs: number;
}

/**
 * Decision re-evaluation rate: a governed history of `decisions` decisions (generated through the real pipeline on
 * an embedded store), then every org's decisions re-evaluated (recorded request, recorded policy version, roles
 * checked against the roster at the recorded revision), and a what-if of a draft over the same decisions.
 */
export async function benchAuditReevaluation(overrides: Partial<AuditBenchOptions> = {}): Promise<void> {
  const options: AuditBenchOptions = { decisions: 20_000, runs: 3, ...overrides };
  await withTempStore('audit', { synchronous: 'NORMAL' }, async (store) => {
    progress(`audit: generating a governed history of ${options.decisions} decisions`);
    const history = await generateDecisionHistory({ store, decisions: options.decisions });
    const head = await store.headPosition();
    emit('audit.history.generate', (history.decisions * 1000) / history.elapsedMs, 'decisions/s', {
      decisions: history.decisions,
      commands: history.commands,
      events: Number(head),
      orgs: history.orgs.length,
      synchronous: 'NORMAL',
    });

    const draft = {
      source: 'inline' as const,
      version: null,
      ...hashed([...policyV3, { id: 'freeze', effect: 'forbid', actions: ['org.update'], reason: 'frozen' }]),
    };
    const reevaluations: Run[] = [];
    const whatIfs: Run[] = [];
    let disagreements = 0;
    // Warm-up: the condition cache, the JIT and SQLite's page cache.
    await reevaluateOrg({ store, registry: history.registry }, history.orgs[0]?.orgId ?? '');
    for (let run = 0; run < options.runs; run += 1) {
      let decisions = 0;
      const started = now();
      for (const org of history.orgs) {
        const report = await reevaluateOrg({ store, registry: history.registry }, org.orgId);
        decisions += report.total;
        disagreements += report.total - report.agreed;
      }
      reevaluations.push({ count: decisions, elapsedMs: now() - started, latencies: [] });

      let evaluated = 0;
      const whatIfStarted = now();
      for (const org of history.orgs) evaluated += (await whatIfOrg({ store, registry: history.registry }, org.orgId, draft)).total;
      whatIfs.push({ count: evaluated, elapsedMs: now() - whatIfStarted, latencies: [] });
    }
    if (disagreements > 0) throw new Error(`${disagreements} decisions did not agree on re-evaluation`);
    const reevaluation = summarizeRuns(reevaluations);
    const context = {
      decisions: history.decisions,
      orgs: history.orgs.length,
      logEvents: Number(head),
      // Each org's call reads every DecisionRecorded of the log and keeps its own (no index of decisions by org yet).
      decisionsScannedPerRun: history.decisions * history.orgs.length,
      checks: 'recorded request + policy version, hash checks, roles vs roster revision, org facts and policy in force as of position',
    };
    emit('audit.reevaluate', reevaluation.throughput, 'decisions/s', { ...context, ...runsContext(reevaluation) });
    const whatIf = summarizeRuns(whatIfs);
    emit('audit.whatif', whatIf.throughput, 'decisions/s', { ...context, draftRules: draft.rules.length, ...runsContext(whatIf) });

    // The state of the busiest org as of positions spread over the log (reads its three streams, folds to the cut).
    const org = history.orgs[0]?.orgId ?? '';
    const latencies: number[] = [];
    for (let index = 1; index <= 40; index += 1) {
      const started = now();
      const state = await orgStateAt({ store, registry: history.registry }, org, { cut: { position: (head * BigInt(index)) / 40n } });
      latencies.push(now() - started);
      if ('code' in state) throw new Error(`state as of a position refused: ${state.code}`);
    }
    const state = summarize(latencies);
    emit('audit.state.p50', state.p50, 'ms', {
      requests: latencies.length,
      orgEvents: 'org + roster + policy streams read and folded per request',
      p99: roundFigure(state.p99),
      max: roundFigure(state.max),
    });
  });
}
