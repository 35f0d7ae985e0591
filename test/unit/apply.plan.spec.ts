import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { hashPolicyRules } from '../../domain/policy/hash.ts';
import type { PolicyRule } from '../../domain/policy/types.ts';
import { PlanError, planApply, policyRulesHash, orgIdForSlug, type Plan, type PlanStep } from '../../bin/apply/plan.ts';
import { loadSpec, parseSpec, type OrgSpec } from '../../bin/apply/spec.ts';
import type { AssociationView, CurrentState, OrgView, PoliciesView, RosterView, SubjectView } from '../../bin/apply/state.ts';

const NOW = '2026-11-27T12:00:00.000Z';
const examples = fileURLToPath(new URL('../../examples/', import.meta.url));

function example(name: string): OrgSpec {
  const loaded = loadSpec(readFileSync(`${examples}${name}`, 'utf8'));
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.issues));
  return loaded.spec;
}

function spec(value: Record<string, unknown>): OrgSpec {
  const parsed = parseSpec({ apiVersion: 'agencygrid/v1', kind: 'Org', org: { slug: 'lab', name: 'Lab' }, ...value });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return parsed.spec;
}

const empty: CurrentState = { now: NOW, org: null, roster: null, policies: null, subjects: {} };

/** Every field some route of the fake server reads (each route reads its own). */
interface FakeBody {
  orgId: string;
  name: string;
  slug: string;
  description?: string;
  tags?: string[];
  metadata?: Record<string, string>;
  subjectId: string;
  kind: string;
  displayName: string;
  endpoint?: string;
  capabilities: Array<{ name: string; level: number; evidence?: string }>;
  level: number;
  evidence?: string;
  roles: [string, string];
  reason: string;
  role: string;
  jobSpace?: string;
  expiresAt?: string;
  rules: unknown[];
}

/**
 * A stand-in for the server: runs a plan's steps against a state the way the API's routes and deciders would, so a
 * test can check that applying a plan and planning again yields nothing (and what a later change plans).
 */
class FakeServer {
  org: OrgView | null = null;
  roster: RosterView = { revision: -1, roles: [], groups: [], jobSpaces: [], conflicts: [], associations: [] };
  policies: PoliciesView = { published: null, versions: [] };
  subjects = new Map<string, SubjectView>();
  private nextAssociation = 1;

  state(now = NOW): CurrentState {
    const subjects: Record<string, SubjectView | null> = {};
    for (const [id, subject] of this.subjects) subjects[id] = structuredClone(subject);
    return {
      now,
      org: this.org && structuredClone(this.org),
      roster: this.org && structuredClone(this.roster),
      policies: this.org && structuredClone(this.policies),
      subjects,
    };
  }

  /** Plans against the current state (every subject the spec names looked up) and runs the plan. */
  apply(spec: OrgSpec): Plan {
    const plan = planApply(spec, this.lookup(spec));
    this.run(plan.steps);
    return plan;
  }

  lookup(spec: OrgSpec, now = NOW): CurrentState {
    const state = this.state(now);
    const subjects: Record<string, SubjectView | null> = {};
    for (const id of [...spec.subjects.map((s) => s.id), ...spec.associations.map((a) => a.subject)]) subjects[id] = state.subjects[id] ?? null;
    return { ...state, subjects };
  }

  run(steps: readonly PlanStep[]): void {
    const answers: Array<Record<string, unknown>> = [];
    for (const step of steps) {
      const path = step.bind ? step.path.replace(step.bind.placeholder, String(answers[step.bind.fromStep]?.[step.bind.field])) : step.path;
      answers.push(this.post(path, step.body));
    }
  }

  private post(path: string, body: Record<string, unknown>): Record<string, unknown> {
    const b = body as unknown as FakeBody;
    const bumpRoster = () => (this.roster.revision = Number(this.roster.revision) + 1);
    if (path === '/orgs') {
      this.org = {
        orgId: b.orgId,
        name: b.name,
        slug: b.slug,
        description: b.description ?? '',
        tags: b.tags ?? [],
        metadata: b.metadata ?? {},
        parentOrgId: null,
        status: 'active',
        revision: 1,
      };
      return { orgId: b.orgId };
    }
    if (/^\/orgs\/[^/]+\/metadata$/.test(path) && this.org) {
      this.org = { ...this.org, ...body, revision: Number(this.org.revision) + 1 };
      return {};
    }
    if (path === '/subjects') {
      const capabilities: SubjectView['capabilities'] = {};
      for (const claim of b.capabilities) capabilities[claim.name] = { level: claim.level, evidence: claim.evidence ?? null };
      this.subjects.set(b.subjectId, {
        subjectId: b.subjectId,
        kind: b.kind,
        displayName: b.displayName,
        description: b.description ?? '',
        endpoint: b.endpoint ?? null,
        status: 'active',
        capabilities,
        revision: 1,
      });
      return { subjectId: b.subjectId };
    }
    const subjectPart = path.match(/^\/subjects\/([^/]+)\/(profile|capabilities)$/);
    if (subjectPart) {
      const subject = this.subjects.get(subjectPart[1] ?? '');
      if (!subject) throw new Error(`no subject ${subjectPart[1]}`);
      if (subjectPart[2] === 'profile') Object.assign(subject, body);
      else subject.capabilities[b.name] = { level: b.level, evidence: b.evidence ?? null };
      subject.revision = Number(subject.revision) + 1;
      return {};
    }
    const rosterList = path.match(/^\/orgs\/[^/]+\/(job-spaces|roles|groups)$/);
    if (rosterList) {
      const list = rosterList[1] === 'roles' ? this.roster.roles : rosterList[1] === 'groups' ? this.roster.groups : this.roster.jobSpaces;
      const index = list.findIndex((item) => item.name === b.name);
      if (index >= 0) list[index] = { ...body, name: b.name };
      else list.push({ ...body, name: b.name });
      bumpRoster();
      return {};
    }
    if (path.endsWith('/role-conflicts')) {
      const key = [...b.roles].sort().join('|');
      this.roster.conflicts = this.roster.conflicts.filter((c) => [...c.roles].sort().join('|') !== key);
      this.roster.conflicts.push({ roles: b.roles, reason: b.reason });
      bumpRoster();
      return {};
    }
    if (path.endsWith('/associations')) {
      const associationId = `00000000-0000-4000-8000-${String(this.nextAssociation++).padStart(12, '0')}`;
      this.roster.associations.push({
        associationId,
        subjectId: b.subjectId,
        role: b.role,
        jobSpace: b.jobSpace ?? null,
        expiresAt: b.expiresAt ?? null,
        status: 'active',
        active: true,
      });
      bumpRoster();
      return { associationId };
    }
    if (path.endsWith('/policies')) {
      const version = Math.max(0, ...this.policies.versions.map((v) => v.version)) + 1;
      this.policies.versions.push({ version, status: 'draft', description: b.description ?? '', rules: b.rules, hash: policyRulesHash(b.rules) });
      return { version };
    }
    const publish = path.match(/\/policies\/(\d+)\/publish$/);
    if (publish) {
      const version = Number(publish[1]);
      for (const v of this.policies.versions) if (v.status === 'published') v.status = 'superseded';
      const target = this.policies.versions.find((v) => v.version === version);
      if (!target) throw new Error(`no policy version ${version}`);
      target.status = 'published';
      this.policies.published = version;
      return {};
    }
    throw new Error(`the fake server has no route POST ${path}`);
  }
}

const kinds = (plan: Plan) =>
  plan.steps.map((step) => {
    if (step.path === '/orgs') return 'register-org';
    if (step.path === '/subjects') return 'register-subject';
    if (step.path.endsWith('/publish')) return 'publish-policy';
    return step.path.split('/').at(-1) ?? step.path;
  });

const roleOrder = (plan: Plan) => plan.steps.filter((step) => step.path.endsWith('/roles')).map((step) => step.body.name);

/** A fake server the research lab was applied to, the lab, and a copy of it for the test to change. */
function appliedLab() {
  const server = new FakeServer();
  const lab = example('research-lab.yaml');
  server.apply(lab);
  return { server, lab, changed: structuredClone(lab) };
}

describe('apply planner: a fresh org', () => {
  const lab = example('research-lab.yaml');

  it('plans everything, in dependency order, with the policy last', () => {
    const plan = planApply(lab, empty);
    expect(plan.orgIsNew).toBe(true);
    expect(plan.orgId).toBe(orgIdForSlug('research-lab'));
    expect(kinds(plan)).toEqual([
      'register-org',
      ...Array(5).fill('register-subject'),
      'job-spaces',
      ...Array(4).fill('roles'),
      'groups',
      'groups',
      'role-conflicts',
      ...Array(5).fill('associations'),
      'policies',
      'publish-policy',
    ]);
    expect(roleOrder(plan)).toEqual(['member', 'writer', 'reviewer', 'editor']);
    expect(plan.steps.filter((s) => s.path.endsWith('/groups')).map((s) => s.body.name)).toEqual(['staff', 'review-board']);
  });

  it('sends what the routes take: the org with its chosen id, full role definitions, grants by subject id', () => {
    const plan = planApply(lab, empty);
    const [register] = plan.steps;
    expect(register).toMatchObject({
      method: 'POST',
      path: '/orgs',
      body: { orgId: plan.orgId, slug: 'research-lab', name: 'Research Lab', tags: ['ml', 'research'], metadata: { region: 'eu', 'cost-center': 'rnd-42' } },
    });
    const reviewer = plan.steps.find((s) => s.path.endsWith('/roles') && s.body.name === 'reviewer');
    expect(reviewer?.path).toBe(`/orgs/${plan.orgId}/roles`);
    expect(reviewer?.body).toEqual({
      name: 'reviewer',
      description: 'Reviews drafts before publication.',
      permissions: [],
      minHolders: 0,
      maxHolders: 3,
      assignmentType: 'fixed',
      requiredCapabilities: [{ name: 'review.peer', level: 5, verified: false }],
      inherits: ['member'],
    });
    const grant = plan.steps.find((s) => s.path.endsWith('/associations') && s.body.jobSpace !== undefined);
    expect(grant?.body).toEqual({ subjectId: '23eec86a-68ae-4e8c-91b9-59e56a223714', role: 'writer', jobSpace: 'paper-2027' });
    const [draft, publish] = plan.steps.slice(-2);
    expect(draft?.body.rules).toHaveLength(9);
    expect(publish?.path).toBe(`/orgs/${plan.orgId}/policies/{version}/publish`);
    expect(publish?.bind).toEqual({ fromStep: plan.steps.length - 2, field: 'version', placeholder: '{version}' });
  });

  it('gives every step a deterministic, distinct idempotency key the API accepts', () => {
    const first = planApply(lab, empty);
    const second = planApply(structuredClone(lab), structuredClone(empty));
    expect(second.steps).toEqual(first.steps);
    const keys = first.steps.map((step) => step.idempotencyKey);
    expect(new Set(keys).size).toBe(keys.length);
    for (const key of keys) expect(key).toMatch(/^apply\.research-lab\.[0-9a-f]{32}$/);
    for (const key of keys) expect(key).toMatch(/^[A-Za-z0-9._:-]{8,200}$/);
  });

  it('registers a child org under its parent, and refuses to plan when the parent does not exist', () => {
    const child = spec({ org: { slug: 'lab-eu', name: 'Lab EU', parent: 'lab' } });
    const parentOrgId = orgIdForSlug('lab');
    expect(planApply(child, { ...empty, parentOrgId }).steps[0]?.body).toMatchObject({ parentOrgId });
    expect(() => planApply(child, { ...empty, parentOrgId: null })).toThrow(PlanError);
  });
});

describe('apply planner: re-applying', () => {
  it('plans nothing once the state matches the spec (applying twice changes nothing)', () => {
    for (const name of ['research-lab.yaml', 'support-desk.yaml']) {
      const server = new FakeServer();
      const spec = example(name);
      expect(server.apply(spec).steps.length).toBeGreaterThan(10);
      const again = planApply(spec, server.lookup(spec));
      expect(again.steps).toEqual([]);
      expect(again.orgIsNew).toBe(false);
    }
  });

  it('ignores what the server adds to its answers and what the spec leaves out', () => {
    const { server, lab } = appliedLab();
    const state = server.lookup(lab);
    // Fields the server may add (counts, timestamps) and things only the server has.
    for (const role of state.roster?.roles ?? []) Object.assign(role, { holders: 1, definedAt: NOW });
    state.roster?.roles.push({ name: 'intern', description: 'not in the spec' });
    state.roster?.associations.push({
      associationId: 'x',
      subjectId: 'someone-else',
      role: 'intern',
      jobSpace: null,
      expiresAt: null,
      status: 'active',
      active: true,
    });
    state.roster?.conflicts.push({ roles: ['intern', 'editor'], reason: 'server only' });
    if (state.org) state.org.metadata = { ...state.org.metadata };
    const subject = Object.values(state.subjects)[0];
    if (subject) subject.capabilities['extra.skill'] = { level: 1, evidence: null };
    expect(planApply(lab, state).steps).toEqual([]);
  });

  it('never plans a removal: a spec that drops things plans nothing at all', () => {
    const { server, lab } = appliedLab();
    const smaller = { ...lab, roles: lab.roles.slice(0, 1), groups: [], conflicts: [], associations: [], jobSpaces: [], subjects: [], policy: undefined };
    const plan = planApply(smaller, server.lookup(smaller));
    expect(plan.steps).toEqual([]);
  });

  it('plans only the DefineRole of a changed role', () => {
    const { server, changed } = appliedLab();
    const reviewer = changed.roles.find((role) => role.name === 'reviewer');
    if (!reviewer) throw new Error('no reviewer');
    reviewer.maxHolders = 2;
    const plan = planApply(changed, server.lookup(changed));
    expect(plan.steps).toHaveLength(1);
    expect(plan.steps[0]).toMatchObject({ path: `/orgs/${plan.orgId}/roles`, body: { name: 'reviewer', maxHolders: 2 } });
    expect(plan.steps[0]?.description).toBe('update role reviewer (holders 0..2; inherits member)');
  });

  it('plans a draft and a publish, last, when the policy rules differ from the published ones', () => {
    const { server, changed } = appliedLab();
    const rules = changed.policy?.rules ?? [];
    rules[0] = { ...(rules[0] as PolicyRule), reason: 'members read everything' };
    const role = changed.roles.find((r) => r.name === 'editor');
    if (role) role.description = 'Runs the lab.';
    const plan = planApply(changed, server.lookup(changed));
    expect(kinds(plan)).toEqual(['roles', 'policies', 'publish-policy']);
    expect(plan.steps[2]?.description).toContain('expected version 2; replace policy version 1');
    server.run(plan.steps);
    expect(server.policies.published).toBe(2);
    expect(planApply(changed, server.lookup(changed)).steps).toEqual([]);
  });

  it('compares policy content canonically: key order inside rules does not count, the hash is the server one', () => {
    const { server, lab, changed: reordered } = appliedLab();
    if (reordered.policy) {
      reordered.policy.rules = reordered.policy.rules.map((rule) => Object.fromEntries(Object.entries(rule).reverse()) as PolicyRule);
    }
    expect(planApply(reordered, server.lookup(reordered)).steps).toEqual([]);
    expect(policyRulesHash(lab.policy?.rules)).toBe(hashPolicyRules(lab.policy?.rules ?? []));
  });

  it('publishes an existing identical draft instead of drafting again (a re-run after a crash between the two)', () => {
    const server = new FakeServer();
    const lab = example('research-lab.yaml');
    const plan = planApply(lab, server.lookup(lab));
    server.run(plan.steps.slice(0, -1)); // stopped before publishing
    const rerun = planApply(lab, server.lookup(lab));
    expect(rerun.steps).toHaveLength(1);
    expect(rerun.steps[0]?.path).toBe(`/orgs/${plan.orgId}/policies/1/publish`);
  });

  it('resumes after a crash: the steps already done are not planned again', () => {
    const server = new FakeServer();
    const lab = example('research-lab.yaml');
    const plan = planApply(lab, server.lookup(lab));
    server.run(plan.steps.slice(0, 9)); // the org, subjects, job space, two roles
    const rerun = planApply(lab, server.lookup(lab));
    expect(rerun.steps.map((step) => step.description)).toEqual(plan.steps.slice(9).map((step) => step.description));
    const done = new Set(plan.steps.slice(0, 9).map((step) => step.idempotencyKey));
    expect(rerun.steps.some((step) => done.has(step.idempotencyKey))).toBe(false);
  });

  it('derives keys from the revision planned against, so going back to an earlier definition is not a replay', () => {
    const { server, lab, changed: two } = appliedLab();
    const reviewer = two.roles.find((role) => role.name === 'reviewer');
    if (reviewer) reviewer.maxHolders = 2;
    const toTwo = server.apply(two);
    const backToThree = server.apply(lab);
    const toTwoAgain = planApply(two, server.lookup(two));
    expect(toTwo.steps).toHaveLength(1);
    expect(backToThree.steps).toHaveLength(1);
    expect(toTwoAgain.steps).toHaveLength(1);
    expect(toTwoAgain.steps[0]?.body).toEqual(toTwo.steps[0]?.body);
    expect(toTwoAgain.steps[0]?.idempotencyKey).not.toBe(toTwo.steps[0]?.idempotencyKey);
  });

  it('updates only the org metadata fields that changed', () => {
    const { server, changed } = appliedLab();
    changed.org.description = 'Now also writes books.';
    changed.org.metadata = { region: 'us' };
    const plan = planApply(changed, server.lookup(changed));
    expect(plan.steps).toHaveLength(1);
    expect(plan.steps[0]).toMatchObject({ path: `/orgs/${plan.orgId}/metadata`, body: { description: 'Now also writes books.', metadata: { region: 'us' } } });
    expect(Object.keys(plan.steps[0]?.body ?? {}).sort()).toEqual(['description', 'metadata']);
  });

  it('declares only the capability that changed, and updates only changed profile fields', () => {
    const { server, changed } = appliedLab();
    const wes = changed.subjects.find((s) => s.displayName === 'Wes (writer)');
    if (!wes) throw new Error('no Wes');
    wes.capabilities = [{ name: 'writing.drafting', level: 9 }];
    wes.displayName = 'Wes';
    const plan = planApply(changed, server.lookup(changed));
    expect(plan.steps.map((step) => [step.path, step.body])).toEqual([
      [`/subjects/${wes.id}/profile`, { displayName: 'Wes' }],
      [`/subjects/${wes.id}/capabilities`, { name: 'writing.drafting', level: 9 }],
    ]);
  });
});

describe('apply planner: associations', () => {
  const lab = example('research-lab.yaml');
  const rex = 'e372b1f3-51a4-45dd-ab72-2d92fe160382';

  const applied = () => {
    const server = new FakeServer();
    server.apply(lab);
    return server;
  };
  const rexAssociation = (server: FakeServer): AssociationView => {
    const found = server.roster.associations.find((a) => a.subjectId === rex);
    if (!found) throw new Error('no association for Rex');
    return found;
  };

  it('grants only the association that is missing', () => {
    const server = applied();
    server.roster.associations = server.roster.associations.filter((a) => a.subjectId !== rex);
    const plan = planApply(lab, server.lookup(lab));
    expect(plan.steps).toHaveLength(1);
    expect(plan.steps[0]).toMatchObject({ path: `/orgs/${plan.orgId}/associations`, body: { subjectId: rex, role: 'reviewer' } });
    expect(plan.steps[0]?.description).toBe('grant reviewer to Rex (reviewer)');
  });

  it('grants again an association that was revoked or has expired', () => {
    for (const change of [
      { status: 'revoked', active: false },
      { status: 'expired', active: false },
    ]) {
      const server = applied();
      Object.assign(rexAssociation(server), change);
      expect(planApply(lab, server.lookup(lab)).steps.map((step) => step.body)).toEqual([{ subjectId: rex, role: 'reviewer' }]);
    }
  });

  it('judges activity by expiry when the server does not say', () => {
    const server = applied();
    const association = rexAssociation(server);
    delete association.active;
    association.expiresAt = '2026-01-01T00:00:00Z';
    expect(planApply(lab, server.lookup(lab)).steps).toHaveLength(1);
    association.expiresAt = '2027-01-01T00:00:00Z';
    expect(planApply(lab, server.lookup(lab)).steps).toHaveLength(0);
  });

  it('a grant in a job space is not satisfied by one in the whole org, nor the other way round', () => {
    const server = applied();
    const lin = server.roster.associations.find((a) => a.jobSpace === 'paper-2027');
    if (!lin) throw new Error('no job-space association');
    lin.jobSpace = null;
    const plan = planApply(lab, server.lookup(lab));
    expect(plan.steps.map((step) => step.body)).toEqual([{ subjectId: lin.subjectId, role: 'writer', jobSpace: 'paper-2027' }]);
  });

  it('does not grant an association whose expiry has passed, and says so', () => {
    const desk = example('support-desk.yaml');
    const server = new FakeServer();
    server.apply(desk);
    server.roster.associations = server.roster.associations.filter((a) => a.role !== 'on-call');
    const later = planApply(desk, server.lookup(desk, '2030-06-01T00:00:00.000Z'));
    expect(later.steps).toEqual([]);
    expect(later.notes.join('\n')).toMatch(/on-call: its expiry 2030-01-01T00:00:00Z has passed/);
    const before = planApply(desk, server.lookup(desk));
    expect(before.steps.map((step) => step.body)).toEqual([
      { subjectId: 'd28bc0ee-91e1-4a62-b382-858c3dd5486e', role: 'on-call', expiresAt: '2030-01-01T00:00:00Z' },
    ]);
  });

  it('refuses to plan a grant to a subject that is neither declared nor known', () => {
    const stranger = '0b7a6f7e-0f44-4e33-9d55-1f2a3b4c5d6e';
    const withStranger = spec({ roles: [{ name: 'writer' }], associations: [{ subject: stranger, role: 'writer' }] });
    expect(() => planApply(withStranger, { ...empty, subjects: { [stranger]: null } })).toThrow(/neither declared under subjects nor known/);
    const known: SubjectView = {
      subjectId: stranger,
      kind: 'agent',
      displayName: 'Known',
      description: '',
      endpoint: null,
      status: 'active',
      capabilities: {},
      revision: 3,
    };
    const plan = planApply(withStranger, { ...empty, subjects: { [stranger]: known } });
    expect(plan.steps.at(-1)?.description).toBe('grant writer to Known');
  });
});

describe('apply planner: ordering', () => {
  it('defines inherited roles first, whatever order the spec lists them in', () => {
    const reversed = spec({
      roles: [
        { name: 'director', inherits: ['lead', 'auditor'] },
        { name: 'lead', inherits: ['tier2'] },
        { name: 'tier2', inherits: ['tier1'] },
        { name: 'auditor' },
        { name: 'tier1' },
      ],
    });
    expect(roleOrder(planApply(reversed, empty))).toEqual(['tier1', 'tier2', 'lead', 'auditor', 'director']);
  });

  it('orders only the changed roles, still inherited first', () => {
    const server = new FakeServer();
    const base = spec({ roles: [{ name: 'a' }, { name: 'b', inherits: ['a'] }, { name: 'c', inherits: ['b'] }] });
    server.apply(base);
    const changed = spec({ roles: [{ name: 'c', inherits: ['b', 'd'] }, { name: 'b', inherits: ['a'] }, { name: 'a' }, { name: 'd' }] });
    expect(roleOrder(planApply(changed, server.lookup(changed)))).toEqual(['d', 'c']);
  });

  it('defines parent groups before their subgroups', () => {
    const nested = spec({
      roles: [{ name: 'r' }],
      groups: [{ name: 'leaf', parent: 'middle', roles: ['r'] }, { name: 'middle', parent: 'top' }, { name: 'top' }, { name: 'other' }],
    });
    const groups = planApply(nested, empty)
      .steps.filter((s) => s.path.endsWith('/groups'))
      .map((s) => s.body.name);
    expect(groups).toEqual(['top', 'middle', 'leaf', 'other']);
  });
});

describe('apply planner: an existing org', () => {
  it('targets the existing org by its id, and refuses an archived org', () => {
    const orgId = '5b0d3f6e-8c1a-4d2b-9e7f-0a1b2c3d4e5f';
    const org: OrgView = { orgId, name: 'Lab', slug: 'lab', description: '', tags: [], metadata: {}, parentOrgId: null, status: 'active', revision: 4 };
    const withRole = spec({ roles: [{ name: 'r' }] });
    const plan = planApply(withRole, {
      ...empty,
      org,
      roster: { revision: 2, roles: [], groups: [], jobSpaces: [], conflicts: [], associations: [] },
      policies: { published: null, versions: [] },
    });
    expect(plan.orgIsNew).toBe(false);
    expect(plan.steps.map((s) => s.path)).toEqual([`/orgs/${orgId}/roles`]);
    expect(() => planApply(withRole, { ...empty, org: { ...org, status: 'archived' } })).toThrow(/archived/);
  });
});
