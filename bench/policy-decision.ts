import { clearConditionCache } from '../domain/policy/conditions.ts';
import { evaluatePolicy } from '../domain/policy/evaluate.ts';
import type { PolicyDecision, PolicyRequest, PolicyRule } from '../domain/policy/types.ts';
import { validatePolicySet } from '../domain/policy/validate.ts';
import { required } from '../domain/shared/required.ts';
import { emit, now, progress, runsContext, summarizeRuns, type Run } from './measure.ts';

export interface PolicyDecisionOptions {
  /** Decisions per measured run; every decision is timed. */
  decisionsPerRun: number;
  /** Measured runs; throughput is the median of the runs, latency percentiles pool all decisions. */
  runs: number;
  /** Unmeasured decisions first, so the condition cache is warm and the JIT has settled. */
  warmup: number;
}

const defaults: PolicyDecisionOptions = { decisionsPerRun: 50_000, runs: 3, warmup: 10_000 };

const knownActions = [
  'org.read',
  'org.update',
  'roster.read',
  'roster.grant',
  'roster.revoke',
  'roster.role.define',
  'roster.application.submit',
  'roster.application.approve',
  'doc.read',
  'doc.publish',
  'doc.review',
  'doc.approve',
  'doc.export',
  'doc.submit',
  'doc.tag',
  'budget.read',
  'budget.spend',
  'policy.publish',
  'subject.register',
  'subject.suspend',
];

/** A research-lab style policy: 20 rules, 17 with CEL conditions, several per action. */
const rules: PolicyRule[] = [
  { id: 'owner-all', effect: 'permit', actions: ['*'], when: 'principal.id == org.ownerId', reason: 'the owner manages the org' },
  { id: 'members-read', effect: 'permit', actions: ['*.read'], when: 'size(principal.roles) > 0', reason: 'members read' },
  { id: 'editors-roster', effect: 'permit', actions: ['roster.*'], roles: ['editor'], unless: '"frozen" in org.tags', reason: 'editors manage the roster' },
  {
    id: 'writers-docs',
    effect: 'permit',
    actions: ['doc.*'],
    roles: ['writer', 'editor'],
    when: 'resource.attributes.ownerId == principal.id || "editor" in principal.roles',
    reason: 'writers work on their docs',
  },
  {
    id: 'reviewers-review',
    effect: 'permit',
    actions: ['doc.review'],
    roles: ['reviewer'],
    when: 'resource.attributes.ownerId != principal.id',
    reason: 'reviewers review others',
  },
  {
    id: 'editors-approve',
    effect: 'permit',
    actions: ['doc.approve'],
    roles: ['editor'],
    when: 'has(command.data.approvals) && command.data.approvals >= 2',
    reason: 'two approvals needed',
  },
  {
    id: 'small-spend',
    effect: 'permit',
    actions: ['budget.spend'],
    when: 'command.data.amount <= 1000 && principal.capabilities.finance >= 1',
    reason: 'small expenses',
  },
  {
    id: 'no-self-approval',
    effect: 'forbid',
    actions: ['doc.approve'],
    when: 'resource.attributes.ownerId == principal.id',
    reason: 'no self-approval',
    escalateTo: 'editor',
  },
  { id: 'suspended-org', effect: 'forbid', actions: ['*'], when: 'org.status == "suspended"', reason: 'the org is suspended' },
  {
    id: 'office-hours',
    effect: 'forbid',
    actions: ['budget.*'],
    unless: 'now.inZone("Europe/Zurich").hour >= 6 && now.inZone("Europe/Zurich").hour < 20',
    reason: 'budget only in office hours',
  },
  {
    id: 'big-spend',
    effect: 'forbid',
    actions: ['budget.spend'],
    when: 'command.data.amount > 10000',
    reason: 'needs the finance lead',
    escalateTo: 'finance-lead',
  },
  {
    id: 'job-space',
    effect: 'forbid',
    actions: ['doc.*'],
    when: 'resource.jobSpace != null && !(resource.jobSpace in principal.groups)',
    reason: 'outside the job space',
  },
  { id: 'interns-publish', effect: 'forbid', actions: ['doc.publish'], roles: ['intern'], reason: 'interns do not publish' },
  {
    id: 'owner-publishes-policy',
    effect: 'permit',
    actions: ['policy.publish'],
    when: 'principal.id == org.ownerId && principal.kind == "subject"',
    reason: 'the owner publishes policy',
  },
  { id: 'system-subjects', effect: 'permit', actions: ['subject.*'], when: 'principal.kind == "system"', reason: 'the system manages subjects' },
  { id: 'gold-export', effect: 'permit', actions: ['doc.export'], when: 'org.metadata.tier == "gold" && action == "doc.export"', reason: 'gold orgs export' },
  { id: 'submission-deadline', effect: 'forbid', actions: ['doc.submit'], when: 'now > timestamp("2025-12-31T23:59:59Z")', reason: 'submissions closed' },
  {
    id: 'short-tags',
    effect: 'permit',
    actions: ['doc.tag'],
    when: 'has(command.data.tags) && command.data.tags.all(t, size(t) <= 32)',
    reason: 'tags are short',
  },
  { id: 'applications', effect: 'permit', actions: ['roster.application.*'], reason: 'anyone may apply' },
  {
    id: 'no-self-grant',
    effect: 'forbid',
    actions: ['roster.grant'],
    when: 'has(command.data.subjectId) && command.data.subjectId == principal.id',
    reason: 'no self-grant',
  },
];

const roleSets: readonly (readonly string[])[] = [['writer'], ['editor', 'writer'], ['reviewer'], ['intern', 'writer'], [], ['editor']];
const actions = [
  'doc.publish',
  'doc.review',
  'doc.approve',
  'budget.spend',
  'roster.grant',
  'org.read',
  'doc.tag',
  'doc.submit',
  'policy.publish',
  'doc.export',
  'roster.application.submit',
];

/** A deterministic mix of requests covering permitted, forbidden and not-permitted decisions. */
function requests(count: number): PolicyRequest[] {
  return Array.from({ length: count }, (_, index): PolicyRequest => {
    const principalId = `subj-${index % 7}`;
    return {
      principal: {
        id: principalId,
        kind: index % 13 === 0 ? 'system' : 'subject',
        roles: roleSets[index % roleSets.length] ?? [],
        groups: ['lab', `team-${index % 3}`],
        capabilities: { finance: index % 2, writing: 3 },
      },
      action: actions[index % actions.length] ?? 'org.read',
      resource: {
        type: 'doc',
        id: `doc-${index}`,
        jobSpace: index % 4 === 0 ? `team-${index % 5}` : null,
        attributes: { ownerId: `subj-${index % 5}`, title: `Document ${index}`, words: 1000 + index },
      },
      org: {
        id: 'org-1',
        status: index % 17 === 0 ? 'suspended' : 'active',
        ownerId: 'subj-0',
        tags: ['lab', 'research'],
        metadata: { tier: index % 2 === 0 ? 'gold' : 'silver', region: 'eu' },
      },
      command: {
        type: 'Command',
        data: { amount: (index * 937) % 15_000, approvals: index % 4, subjectId: `subj-${index % 6}`, tags: ['ml', 'nlp', `t${index}`] },
      },
      now: `2025-06-${String(1 + (index % 28)).padStart(2, '0')}T${String(index % 24).padStart(2, '0')}:15:00Z`,
    };
  });
}

/** Policy decision latency (warm condition cache) for a 20-rule set with CEL conditions, and decisions/s. */
export async function benchPolicyDecision(overrides: Partial<PolicyDecisionOptions> = {}): Promise<void> {
  const options = { ...defaults, ...overrides };
  const validated = validatePolicySet(rules, knownActions);
  if (!validated.ok) throw new Error(`bench policy is invalid: ${JSON.stringify(validated.errors)}`);
  const pool = requests(64);
  const requestAt = (index: number) => required(pool[index % pool.length], 'the pool holds 64 requests');

  // Cold: compile every condition once (what the first decision after a restart, or a new policy version, pays).
  clearConditionCache();
  const coldStarted = now();
  evaluatePolicy(rules, requestAt(0));
  const coldMs = now() - coldStarted;

  const outcomes: Record<PolicyDecision['outcome'], number> = { permitted: 0, forbidden: 0, 'not-permitted': 0 };
  let conditionErrors = 0;
  for (let index = 0; index < options.warmup; index += 1) {
    const decision = evaluatePolicy(rules, requestAt(index));
    outcomes[decision.outcome] += 1;
    conditionErrors += decision.errors.length;
  }
  if (conditionErrors > 0) throw new Error(`bench decisions reported ${conditionErrors} condition errors`);
  progress(`policy decisions: warm-up mix ${JSON.stringify(outcomes)}`);

  const measured: Run[] = [];
  let sink = 0;
  for (let run = 0; run < options.runs; run += 1) {
    const latencies = new Array<number>(options.decisionsPerRun);
    const started = now();
    for (let index = 0; index < options.decisionsPerRun; index += 1) {
      const request = requestAt(index);
      const before = now();
      const decision = evaluatePolicy(rules, request);
      latencies[index] = (now() - before) * 1000; // microseconds
      sink += decision.determiningRuleIds.length;
    }
    measured.push({ count: options.decisionsPerRun, elapsedMs: now() - started, latencies });
    // Yield between runs, as the other benches do between phases.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  if (sink === 0) throw new Error('no decision had a determining rule');

  const summary = summarizeRuns(measured);
  const conditional = rules.filter((rule) => rule.when !== undefined || rule.unless !== undefined).length;
  const context = { rules: rules.length, conditionalRules: conditional, requestMix: pool.length, decisions: summary.count, cache: 'warm' };
  emit('policy.decision.throughput', summary.throughput, 'decisions/s', { ...context, ...runsContext(summary) });
  emit('policy.decision.p50', summary.latency.p50, 'us', { ...context, per: 'decision' });
  emit('policy.decision.p99', summary.latency.p99, 'us', { ...context, per: 'decision' });
  emit('policy.decision.cold', coldMs * 1000, 'us', { rules: rules.length, conditionalRules: conditional, per: 'first decision, compiling every condition' });
}
