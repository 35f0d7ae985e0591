import { describe, it, expect } from 'vitest';
import { MAX_REQUEST_SIZE } from '../../domain/policy/cel-input.ts';
import { evaluatePolicy } from '../../domain/policy/evaluate.ts';
import type { PolicyDecision, PolicyRequest, PolicyRule } from '../../domain/policy/types.ts';

interface RequestPatch {
  principal?: Partial<PolicyRequest['principal']>;
  action?: string;
  resource?: Partial<PolicyRequest['resource']>;
  org?: Partial<PolicyRequest['org']>;
  command?: Partial<PolicyRequest['command']>;
  now?: string;
}

function request(patch: RequestPatch = {}): PolicyRequest {
  return {
    principal: { id: 'subj-writer', kind: 'subject', roles: ['writer'], groups: ['authors'], capabilities: { writing: 3 }, ...patch.principal },
    action: patch.action ?? 'doc.publish',
    resource: { type: 'doc', id: 'doc-1', jobSpace: null, attributes: { amount: 150, ratio: 0.5, ownerId: 'subj-writer' }, ...patch.resource },
    org: { id: 'org-1', status: 'active', ownerId: 'subj-owner', tags: ['lab'], metadata: { tier: 'gold' }, ...patch.org },
    command: { type: 'PublishDoc', data: { title: 'Hello', words: 1200 }, ...patch.command },
    now: patch.now ?? '2025-06-02T10:00:00Z',
  };
}

function rule(id: string, effect: 'permit' | 'forbid', actions: string[], extra: Partial<PolicyRule> = {}): PolicyRule {
  return { id, effect, actions, reason: `${id} reason`, ...extra };
}

const permitPublish = rule('permit-publish', 'permit', ['doc.publish']);
const permitDocs = rule('permit-docs', 'permit', ['doc.*']);
const forbidPublish = rule('forbid-publish', 'forbid', ['doc.publish'], { escalateTo: 'editor' });

interface Case {
  name: string;
  rules: PolicyRule[];
  request?: RequestPatch;
  outcome: PolicyDecision['outcome'];
  determining?: string[];
  reasons?: string[];
  escalateTo?: string | null;
  /** Expected evaluation of some rules: outcome, or outcome + detail (a string is matched as a substring). */
  evaluations?: Record<string, { outcome: string; detail?: string }>;
  /** Rule ids (and condition) expected in `errors`, in order, with a message fragment. */
  errors?: Array<{ ruleId: string; condition: 'when' | 'unless'; message: string | RegExp }>;
}

const cases: Case[] = [
  { name: 'deny by default: no rules', rules: [], outcome: 'not-permitted', determining: [], reasons: ['no rule permits doc.publish'] },
  {
    name: 'a matching permit permits',
    rules: [permitPublish],
    outcome: 'permitted',
    determining: ['permit-publish'],
    reasons: ['permit-publish reason'],
    evaluations: { 'permit-publish': { outcome: 'applies' } },
  },
  {
    name: 'forbid overrides permit',
    rules: [permitPublish, forbidPublish, permitDocs],
    outcome: 'forbidden',
    determining: ['forbid-publish'],
    reasons: ['forbid-publish reason'],
    escalateTo: 'editor',
    evaluations: { 'permit-publish': { outcome: 'applies' }, 'permit-docs': { outcome: 'applies' }, 'forbid-publish': { outcome: 'applies' } },
  },
  { name: 'a forbid alone gives forbidden, not not-permitted', rules: [forbidPublish], outcome: 'forbidden', determining: ['forbid-publish'] },
  {
    name: 'a permit for another action gives not-permitted',
    rules: [rule('permit-read', 'permit', ['doc.read'])],
    outcome: 'not-permitted',
    reasons: ['no rule permits doc.publish'],
    evaluations: { 'permit-read': { outcome: 'not-applicable', detail: 'action' } },
  },
  {
    name: 'a forbid for another action does not apply',
    rules: [permitPublish, rule('forbid-read', 'forbid', ['doc.read'])],
    outcome: 'permitted',
    evaluations: { 'forbid-read': { outcome: 'not-applicable', detail: 'action' } },
  },
  {
    name: 'all applicable permits determine, sorted by id',
    rules: [permitPublish, permitDocs, rule('permit-all', 'permit', ['*'])],
    outcome: 'permitted',
    determining: ['permit-all', 'permit-docs', 'permit-publish'],
    reasons: ['permit-all reason', 'permit-docs reason', 'permit-publish reason'],
    escalateTo: null,
  },
  {
    name: 'all applicable forbids determine; escalateTo from the first (by id) that names one',
    rules: [
      permitDocs,
      rule('forbid-b', 'forbid', ['doc.*'], { escalateTo: 'owner' }),
      rule('forbid-a', 'forbid', ['*']),
      rule('forbid-c', 'forbid', ['doc.publish'], { escalateTo: 'admin' }),
    ],
    outcome: 'forbidden',
    determining: ['forbid-a', 'forbid-b', 'forbid-c'],
    reasons: ['forbid-a reason', 'forbid-b reason', 'forbid-c reason'],
    escalateTo: 'owner',
  },
  // roles
  {
    name: 'roles: principal lacks every listed role',
    rules: [rule('editors-publish', 'permit', ['doc.publish'], { roles: ['editor', 'admin'] })],
    outcome: 'not-permitted',
    evaluations: { 'editors-publish': { outcome: 'not-applicable', detail: 'role' } },
  },
  {
    name: 'roles: principal holds one of the listed roles',
    rules: [rule('writers-publish', 'permit', ['doc.publish'], { roles: ['editor', 'writer'] })],
    outcome: 'permitted',
  },
  {
    name: 'roles: an inherited role in the effective roles list is honoured',
    rules: [rule('editors-publish', 'permit', ['doc.publish'], { roles: ['editor'] })],
    // editor inherits writer... or here, senior-writer inherits editor: the caller flattened it into the list
    request: { principal: { roles: ['senior-writer', 'editor'] } },
    outcome: 'permitted',
  },
  {
    name: 'roles: names are exact (case-sensitive, no globs)',
    rules: [rule('r1', 'permit', ['doc.publish'], { roles: ['Writer'] }), rule('r2', 'permit', ['doc.publish'], { roles: ['writ*'] })],
    outcome: 'not-permitted',
    evaluations: { r1: { outcome: 'not-applicable', detail: 'role' }, r2: { outcome: 'not-applicable', detail: 'role' } },
  },
  {
    name: 'roles: an empty roles list matches no one',
    rules: [rule('nobody', 'permit', ['doc.publish'], { roles: [] })],
    outcome: 'not-permitted',
    evaluations: { nobody: { outcome: 'not-applicable', detail: 'role' } },
  },
  {
    name: 'roles: a role-restricted forbid applies only to holders',
    rules: [permitDocs, rule('no-interns', 'forbid', ['doc.publish'], { roles: ['intern'] })],
    request: { principal: { roles: ['writer', 'intern'] } },
    outcome: 'forbidden',
    determining: ['no-interns'],
  },
  // when / unless
  { name: 'when true applies', rules: [rule('p', 'permit', ['doc.*'], { when: '"writer" in principal.roles' })], outcome: 'permitted' },
  {
    name: 'when false does not apply',
    rules: [rule('p', 'permit', ['doc.*'], { when: 'principal.kind == "admin"' })],
    outcome: 'not-permitted',
    evaluations: { p: { outcome: 'not-applicable', detail: 'when' } },
  },
  {
    name: 'unless true does not apply',
    rules: [rule('p', 'permit', ['doc.*'], { unless: 'org.status == "active"' })],
    outcome: 'not-permitted',
    evaluations: { p: { outcome: 'not-applicable', detail: 'unless' } },
  },
  { name: 'unless false applies', rules: [rule('p', 'permit', ['doc.*'], { unless: 'org.status == "suspended"' })], outcome: 'permitted' },
  {
    name: 'when and unless together',
    rules: [rule('owner-edits', 'permit', ['doc.*'], { when: 'resource.attributes.ownerId == principal.id', unless: '"frozen" in org.tags' })],
    outcome: 'permitted',
  },
  {
    name: 'unless is not evaluated when `when` is false (its error is not reported)',
    rules: [rule('p', 'permit', ['doc.*'], { when: 'false', unless: 'resource.attributes.missing == 1' })],
    outcome: 'not-permitted',
    evaluations: { p: { outcome: 'not-applicable', detail: 'when' } },
    errors: [],
  },
  {
    name: 'conditions are not evaluated when the action does not match',
    rules: [rule('p', 'permit', ['org.*'], { when: 'resource.attributes.missing == 1' })],
    outcome: 'not-permitted',
    errors: [],
  },
  // CEL errors
  {
    name: 'a permit whose when errors does not apply and the error is reported',
    rules: [rule('p-missing', 'permit', ['doc.*'], { when: 'resource.attributes.budget > 10' })],
    outcome: 'not-permitted',
    evaluations: { 'p-missing': { outcome: 'error', detail: 'No such key: budget' } },
    errors: [{ ruleId: 'p-missing', condition: 'when', message: /No such key: budget \(line 1, column 21\)/ }],
  },
  {
    name: 'a forbid whose when errors does NOT apply (errors skip the rule, Cedar-like) and is reported',
    rules: [permitPublish, rule('forbid-big', 'forbid', ['doc.publish'], { when: 'command.data.amount > 1000' })],
    outcome: 'permitted',
    determining: ['permit-publish'],
    evaluations: { 'forbid-big': { outcome: 'error', detail: 'when: No such key: amount' } },
    errors: [{ ruleId: 'forbid-big', condition: 'when', message: 'No such key: amount' }],
  },
  {
    name: 'an unless that errors makes the rule not apply',
    rules: [rule('p', 'permit', ['doc.*'], { unless: 'resource.attributes.ratio + 1 > 0' })],
    outcome: 'not-permitted',
    errors: [{ ruleId: 'p', condition: 'unless', message: /no such overload/ }],
  },
  {
    name: 'a dyn condition that returns a non-bool is an error',
    rules: [rule('p', 'permit', ['doc.*'], { when: 'resource.attributes.amount' })],
    outcome: 'not-permitted',
    errors: [{ ruleId: 'p', condition: 'when', message: 'condition returned int, expected bool' }],
  },
  {
    name: 'a condition that does not compile (unvalidated rule set) is an error, not a throw',
    rules: [permitPublish, rule('broken', 'forbid', ['doc.*'], { when: 'principal.id == ' })],
    outcome: 'permitted',
    errors: [{ ruleId: 'broken', condition: 'when', message: /^condition does not compile: Unexpected token: EOF/ }],
  },
  {
    name: 'guarding with has() avoids the error',
    rules: [permitPublish, rule('forbid-big', 'forbid', ['doc.publish'], { when: 'has(command.data.amount) && command.data.amount > 1000' })],
    outcome: 'permitted',
    evaluations: { 'forbid-big': { outcome: 'not-applicable', detail: 'when' } },
    errors: [],
  },
  // glob matching through rules
  {
    name: 'glob: roster.* permits roster.role.define',
    rules: [rule('roster', 'permit', ['roster.*'])],
    request: { action: 'roster.role.define' },
    outcome: 'permitted',
  },
  { name: 'glob: roster.* permits roster.grant', rules: [rule('roster', 'permit', ['roster.*'])], request: { action: 'roster.grant' }, outcome: 'permitted' },
  {
    name: 'glob: *.read does not permit roster.role.read',
    rules: [rule('reads', 'permit', ['*.read'])],
    request: { action: 'roster.role.read' },
    outcome: 'not-permitted',
  },
  { name: 'glob: *.read permits org.read', rules: [rule('reads', 'permit', ['*.read'])], request: { action: 'org.read' }, outcome: 'permitted' },
  { name: 'glob: * forbids everything', rules: [permitDocs, rule('freeze', 'forbid', ['*'])], outcome: 'forbidden', determining: ['freeze'] },
  // time
  {
    name: 'time: permit before a deadline (now < timestamp)',
    rules: [rule('until-2026', 'permit', ['doc.*'], { when: 'now < timestamp("2026-01-01T00:00:00Z")' })],
    request: { now: '2025-12-31T23:59:59Z' },
    outcome: 'permitted',
  },
  {
    name: 'time: not permitted after the deadline',
    rules: [rule('until-2026', 'permit', ['doc.*'], { when: 'now < timestamp("2026-01-01T00:00:00Z")' })],
    request: { now: '2026-01-01T00:00:00.001Z' },
    outcome: 'not-permitted',
  },
  {
    name: 'time: forbid outside office hours in a time zone',
    rules: [
      permitDocs,
      rule('office-hours', 'forbid', ['doc.publish'], { unless: 'now.inZone("Europe/Zurich").hour >= 9 && now.inZone("Europe/Zurich").hour < 17' }),
    ],
    request: { now: '2025-06-02T05:30:00Z' }, // 07:30 in Zurich (CEST)
    outcome: 'forbidden',
    determining: ['office-hours'],
  },
  {
    name: 'time: within office hours',
    rules: [
      permitDocs,
      rule('office-hours', 'forbid', ['doc.publish'], { unless: 'now.inZone("Europe/Zurich").hour >= 9 && now.inZone("Europe/Zurich").hour < 17' }),
    ],
    request: { now: '2025-06-02T10:00:00+02:00' },
    outcome: 'permitted',
  },
  {
    name: 'time: UTC getters',
    rules: [rule('weekdays', 'permit', ['doc.*'], { when: 'now.getDayOfWeek() >= 1 && now.getDayOfWeek() <= 5 && now.getHours() < 18' })],
    request: { now: '2025-06-02T10:00:00Z' }, // a Monday
    outcome: 'permitted',
  },
  {
    name: 'time: a zone-less instant in the data is an error (it would be read in the server time zone)',
    rules: [rule('recent', 'permit', ['doc.*'], { when: 'now - instant(resource.attributes.createdAt) < duration("24h")' })],
    request: { resource: { attributes: { createdAt: '2025-06-01T12:00:00' } } },
    outcome: 'not-permitted',
    errors: [{ ruleId: 'recent', condition: 'when', message: 'instant() requires an ISO-8601 instant with a time zone' }],
  },
  {
    name: 'time: durations',
    rules: [rule('recent', 'permit', ['doc.*'], { when: 'now - instant(resource.attributes.createdAt) < duration("24h")' })],
    request: { resource: { attributes: { createdAt: '2025-06-01T12:00:00Z' } } },
    outcome: 'permitted',
  },
  // resource / org / command / principal attributes
  {
    name: 'resource attributes: integer amounts compare as ints',
    rules: [permitDocs, rule('big-amount', 'forbid', ['doc.*'], { when: 'resource.attributes.amount > 100 && resource.attributes.amount + 1 == 151' })],
    outcome: 'forbidden',
  },
  {
    name: 'resource attributes: fractional numbers are doubles',
    rules: [rule('ratio', 'permit', ['doc.*'], { when: 'resource.attributes.ratio < 1.0 && resource.attributes.ratio > 0' })],
    outcome: 'permitted',
  },
  {
    name: 'resource: null id and job space',
    rules: [rule('no-space', 'permit', ['doc.*'], { when: 'resource.jobSpace == null && resource.type == "doc"' })],
    outcome: 'permitted',
  },
  {
    name: 'org owner may do anything in its org',
    rules: [rule('owner', 'permit', ['*'], { when: 'principal.id == org.ownerId' })],
    request: { principal: { id: 'subj-owner', roles: [] }, action: 'roster.role.define' },
    outcome: 'permitted',
  },
  {
    name: 'command payload and capabilities',
    rules: [
      rule('long-docs', 'permit', ['doc.publish'], {
        when: 'command.data.words >= 1000 && principal.capabilities.writing >= 3 && org.metadata.tier == "gold"',
      }),
    ],
    outcome: 'permitted',
  },
  {
    name: 'comprehension over input lists',
    rules: [rule('reviewed', 'permit', ['doc.publish'], { when: 'command.data.reviewers.exists(r, r != principal.id)' })],
    request: { command: { type: 'PublishDoc', data: { reviewers: ['subj-writer', 'subj-reviewer'] } } },
    outcome: 'permitted',
  },
  {
    name: 'separation of duties in a condition: the author cannot approve',
    rules: [
      rule('approve', 'permit', ['doc.approve']),
      rule('no-self-approval', 'forbid', ['doc.approve'], { when: 'resource.attributes.ownerId == principal.id' }),
    ],
    request: { action: 'doc.approve' },
    outcome: 'forbidden',
    determining: ['no-self-approval'],
  },
];

describe('evaluatePolicy', () => {
  it.each(cases)('$name', (testCase) => {
    const decision = evaluatePolicy(testCase.rules, request(testCase.request));
    expect(decision.outcome).toBe(testCase.outcome);
    if (testCase.determining !== undefined) expect(decision.determiningRuleIds).toEqual(testCase.determining);
    if (testCase.reasons !== undefined) expect(decision.reasons).toEqual(testCase.reasons);
    if (testCase.escalateTo !== undefined) expect(decision.escalateTo).toBe(testCase.escalateTo);
    if (testCase.outcome === 'not-permitted') {
      expect(decision.determiningRuleIds).toEqual([]);
      expect(decision.escalateTo).toBeNull();
    }
    // Every rule has exactly one evaluation.
    expect(decision.evaluations.map((evaluation) => evaluation.ruleId).sort()).toEqual(testCase.rules.map((r) => r.id).sort());
    for (const [ruleId, expected] of Object.entries(testCase.evaluations ?? {})) {
      const evaluation = decision.evaluations.find((candidate) => candidate.ruleId === ruleId);
      expect(evaluation?.outcome, ruleId).toBe(expected.outcome);
      if (expected.detail !== undefined) expect(evaluation?.detail, ruleId).toContain(expected.detail);
    }
    if (testCase.errors !== undefined) {
      expect(decision.errors.map(({ ruleId, condition }) => ({ ruleId, condition }))).toEqual(
        testCase.errors.map(({ ruleId, condition }) => ({ ruleId, condition })),
      );
      testCase.errors.forEach((expected, index) => {
        const message = decision.errors[index]?.message ?? '';
        if (typeof expected.message === 'string') expect(message).toContain(expected.message);
        else expect(message).toMatch(expected.message);
      });
    }
    // Errors and error outcomes agree.
    const erroredRules = decision.evaluations.filter((evaluation) => evaluation.outcome === 'error').map((evaluation) => evaluation.ruleId);
    expect([...new Set(decision.errors.map((error) => error.ruleId))]).toEqual(erroredRules);
  });
});

describe('evaluatePolicy is order-independent', () => {
  const mixed: PolicyRule[] = [
    rule('permit-docs', 'permit', ['doc.*']),
    rule('permit-writers', 'permit', ['doc.publish'], { roles: ['writer'], when: 'command.data.words > 100' }),
    rule('forbid-big', 'forbid', ['doc.*'], { when: 'resource.attributes.amount > 100', escalateTo: 'finance' }),
    rule('forbid-frozen', 'forbid', ['*'], { when: '"lab" in org.tags', escalateTo: 'owner' }),
    rule('broken', 'forbid', ['doc.publish'], { when: 'resource.attributes.nope' }),
    rule('other-action', 'permit', ['org.read']),
  ];

  function permutations<T>(items: readonly T[]): T[][] {
    if (items.length <= 1) return [[...items]];
    return items.flatMap((item, index) => permutations([...items.slice(0, index), ...items.slice(index + 1)]).map((rest) => [item, ...rest]));
  }

  it('gives the same decision for every ordering of the rules', () => {
    const baseline = evaluatePolicy(mixed, request());
    expect(baseline.outcome).toBe('forbidden');
    expect(baseline.determiningRuleIds).toEqual(['forbid-big', 'forbid-frozen']);
    expect(baseline.escalateTo).toBe('finance');
    expect(baseline.errors.map((error) => error.ruleId)).toEqual(['broken']);
    const orderings = permutations(mixed);
    expect(orderings).toHaveLength(720);
    for (const ordering of orderings) expect(evaluatePolicy(ordering, request())).toEqual(baseline);
  });

  it('sorts evaluations by rule id', () => {
    const decision = evaluatePolicy([...mixed].reverse(), request());
    const ids = decision.evaluations.map((evaluation) => evaluation.ruleId);
    expect(ids).toEqual([...ids].sort());
  });
});

describe('evaluatePolicy input limits and robustness', () => {
  const conditional = rule('p-cond', 'permit', ['doc.*'], { when: 'true' });
  const forbidCond = rule('f-cond', 'forbid', ['doc.*'], { when: 'true' });

  it('an oversized request makes every evaluated condition error, and says why', () => {
    const huge = 'x'.repeat(MAX_REQUEST_SIZE + 1);
    const decision = evaluatePolicy([conditional, forbidCond], request({ resource: { attributes: { blob: huge } } }));
    expect(decision.outcome).toBe('not-permitted');
    expect(decision.errors).toHaveLength(2);
    for (const error of decision.errors) expect(error.message).toMatch(/request too large for policy conditions/);
  });

  it('a rule without conditions still applies to an oversized request', () => {
    const huge = 'x'.repeat(MAX_REQUEST_SIZE + 1);
    const decision = evaluatePolicy([permitPublish, forbidCond], request({ command: { type: 'PublishDoc', data: { huge } } }));
    expect(decision.outcome).toBe('permitted');
    expect(decision.errors.map((error) => error.ruleId)).toEqual(['f-cond']);
  });

  it('a request just under the limit is evaluated', () => {
    const decision = evaluatePolicy([conditional], request({ resource: { attributes: { blob: 'x'.repeat(MAX_REQUEST_SIZE - 2_000) } } }));
    expect(decision.outcome).toBe('permitted');
  });

  it('too long an input list or too deep a nesting is reported', () => {
    const longList = evaluatePolicy([conditional], request({ command: { type: 'X', data: { items: Array.from({ length: 1_001 }, () => 1) } } }));
    expect(longList.errors[0]?.message).toMatch(/list of 1001 elements .* at command\.data\.items/);
    let deep: unknown = 'leaf';
    for (let level = 0; level < 40; level += 1) deep = { next: deep };
    const tooDeep = evaluatePolicy([conditional], request({ command: { type: 'X', data: deep } }));
    expect(tooDeep.errors[0]?.message).toMatch(/nesting deeper than 32 levels/);
  });

  it('non-JSON values and an invalid `now` are reported, never thrown', () => {
    const withDate = evaluatePolicy([conditional], request({ resource: { attributes: { at: new Date() } } }));
    expect(withDate.errors[0]?.message).toMatch(/unsupported value \(Date\) at resource\.attributes\.at/);
    const badNow = evaluatePolicy([conditional], request({ now: 'next tuesday' }));
    expect(badNow.errors[0]?.message).toMatch(/now must be an ISO-8601 instant/);
    const noZone = evaluatePolicy([conditional], request({ now: '2025-06-02T10:00:00' }));
    expect(noZone.errors[0]?.message).toMatch(/now must be an ISO-8601 instant/);
  });

  it('keys such as __proto__ in input data are plain keys', () => {
    const attributes = JSON.parse('{"__proto__": {"admin": true}, "constructor": 1}') as Record<string, unknown>;
    const decision = evaluatePolicy(
      [
        rule('p', 'permit', ['doc.*'], {
          when: 'resource.attributes.__proto__.admin == true && resource.attributes.constructor == 1 && !has(resource.attributes.toString)',
        }),
      ],
      request({ resource: { attributes } }),
    );
    expect(decision.errors).toEqual([]);
    expect(decision.outcome).toBe('permitted');
  });
});
