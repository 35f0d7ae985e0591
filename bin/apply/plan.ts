import { createHash } from 'node:crypto';
import { v5 as uuidv5 } from 'uuid';
import { canonicalJson } from '../../domain/shared/canonical-json.ts';
import type { GroupDefinition, RoleDefinition } from '../../domain/roster/fields.ts';
import type { OrgSpec, SubjectSpec } from './spec.ts';
import type { AssociationView, CurrentState, PoliciesView, SubjectView } from './state.ts';

/**
 * The planner: a pure function from (spec, current state) to the ordered commands that bring the org to the spec.
 * No I/O, no clock (the state carries the instant it was read), no randomness: the same inputs give the same plan,
 * with the same idempotency keys.
 *
 * Additive by design: what the server has and the spec does not mention is left alone (nothing is removed, revoked,
 * withdrawn or reset); an optional field the spec leaves out is not compared.
 *
 * Order: org, subjects, job spaces, roles (inherited roles first), groups (parents first), role conflicts,
 * associations, and the policy last (draft, then publish), so a new policy cannot lock the applier out halfway.
 */

/** Namespace of the org ids `apply` chooses: the id of a new org is UUIDv5(slug), so a re-run targets the same org. */
export const APPLY_ORG_NAMESPACE = 'b8f6d0a4-5c1e-4a7b-9e23-6f0d2c4b8a19';

export interface StepBinding {
  /** Index (in the plan) of the step whose answer supplies the value. */
  fromStep: number;
  /** The field of that step's JSON answer. */
  field: string;
  /** The text in `path` to replace with it. */
  placeholder: string;
}

export interface PlanStep {
  description: string;
  method: 'POST';
  path: string;
  body: Record<string, unknown>;
  /** Deterministic: derived from the step and the revision of the stream it was planned against. */
  idempotencyKey: string;
  /** A value known only once an earlier step has run (the version number a policy draft gets). */
  bind?: StepBinding;
}

export interface Plan {
  orgId: string;
  /** Whether the org is registered by this plan. */
  orgIsNew: boolean;
  steps: PlanStep[];
  /** Differences the plan cannot or will not change (it never removes), for the user to read. */
  notes: string[];
}

/** The spec cannot be reached from this state (an unknown subject, a missing parent org, an archived org). */
export class PlanError extends Error {
  override readonly name = 'PlanError';
  constructor(readonly problems: readonly string[]) {
    super(problems.join('; '));
  }
}

export const POLICY_VERSION_PLACEHOLDER = '{version}';

export function orgIdForSlug(slug: string): string {
  return uuidv5(slug, APPLY_ORG_NAMESPACE);
}

/** SHA-256 of a policy set's canonical JSON: the same function as the server's (domain/policy/hash.ts). */
export function policyRulesHash(rules: unknown): string {
  return createHash('sha256').update(canonicalJson(rules), 'utf8').digest('hex');
}

export function planApply(spec: OrgSpec, state: CurrentState): Plan {
  const slug = spec.org.slug;
  const problems: string[] = [];
  const notes: string[] = [];
  const steps: PlanStep[] = [];
  const add = (description: string, path: string, body: Record<string, unknown>, base: string, bind?: StepBinding) => {
    steps.push({ description, method: 'POST', path, body, idempotencyKey: stepKey(slug, path, body, base), ...(bind ? { bind } : {}) });
    return steps.length - 1;
  };

  // --- org ---------------------------------------------------------------------------------------------------
  const org = state.org;
  const orgId = org?.orgId ?? orgIdForSlug(slug);
  const orgBase = org ? `org@${String(org.revision ?? canonicalJson(org))}` : 'org@new';
  if (org === null) {
    let parentOrgId: string | undefined;
    if (spec.org.parent !== undefined) {
      if (typeof state.parentOrgId === 'string') parentOrgId = state.parentOrgId;
      else problems.push(`org.parent: no org has the slug '${spec.org.parent}'; register the parent first`);
    }
    add(
      `register org ${slug} (${spec.org.name})`,
      '/orgs',
      {
        orgId,
        name: spec.org.name,
        slug,
        ...defined({ description: spec.org.description, tags: spec.org.tags, metadata: spec.org.metadata, parentOrgId }),
      },
      orgBase,
    );
  } else {
    if (org.status === 'archived') problems.push(`org ${slug} is archived: nothing can change it`);
    if (org.status === 'suspended') notes.push(`org ${slug} is suspended: the server may refuse changes until it is reactivated`);
    if (spec.org.parent !== undefined && typeof state.parentOrgId === 'string' && org.parentOrgId !== state.parentOrgId) {
      notes.push(`org ${slug}: its parent cannot change after registration (the spec names '${spec.org.parent}')`);
    }
    const changes: Record<string, unknown> = {};
    if (org.name !== spec.org.name) changes.name = spec.org.name;
    if (spec.org.description !== undefined && org.description !== spec.org.description) changes.description = spec.org.description;
    if (spec.org.tags !== undefined && !same(org.tags, spec.org.tags)) changes.tags = spec.org.tags;
    if (spec.org.metadata !== undefined && !same(org.metadata, spec.org.metadata)) changes.metadata = spec.org.metadata;
    const fields = Object.keys(changes);
    if (fields.length > 0) add(`update org ${slug}: ${fields.join(', ')}`, `/orgs/${orgId}/metadata`, changes, orgBase);
  }

  // --- subjects ------------------------------------------------------------------------------------------------
  const declared = new Map(spec.subjects.map((subject) => [subject.id, subject]));
  for (const subject of spec.subjects) planSubject(subject, state.subjects[subject.id] ?? null, add, notes);
  spec.associations.forEach((association, index) => {
    if (!declared.has(association.subject) && !state.subjects[association.subject]) {
      problems.push(`associations[${index}]: subject ${association.subject} is neither declared under subjects nor known to the platform`);
    }
  });

  // --- roster --------------------------------------------------------------------------------------------------
  const roster = state.roster;
  const rosterBase = roster ? `roster@${String(roster.revision ?? canonicalJson(roster))}` : 'roster@new';
  const currentNamed = (list: ReadonlyArray<{ name: string }> | undefined, name: string) => list?.find((item) => item.name === name);

  for (const jobSpace of spec.jobSpaces) {
    const current = currentNamed(roster?.jobSpaces, jobSpace.name);
    if (!sameFields(jobSpace, current))
      add(`${current ? 'update' : 'define'} job space ${jobSpace.name}`, `/orgs/${orgId}/job-spaces`, { ...jobSpace }, rosterBase);
  }
  for (const role of rolesInheritedFirst(spec.roles)) {
    const current = currentNamed(roster?.roles, role.name);
    if (!sameFields(role, current))
      add(`${current ? 'update' : 'define'} role ${role.name}${describeRole(role)}`, `/orgs/${orgId}/roles`, { ...role }, rosterBase);
  }
  for (const group of groupsParentsFirst(spec.groups)) {
    const current = currentNamed(roster?.groups, group.name);
    if (!sameFields(group, current)) add(`${current ? 'update' : 'define'} group ${group.name}`, `/orgs/${orgId}/groups`, { ...group }, rosterBase);
  }
  for (const conflict of spec.conflicts) {
    const key = [...conflict.roles].sort().join('|');
    const current = roster?.conflicts.find((existing) => [...existing.roles].sort().join('|') === key);
    if (!current || current.reason !== conflict.reason) {
      add(
        `declare role conflict ${conflict.roles[0]} / ${conflict.roles[1]}`,
        `/orgs/${orgId}/role-conflicts`,
        { roles: [...conflict.roles], reason: conflict.reason },
        rosterBase,
      );
    }
  }
  for (const association of spec.associations) {
    const jobSpace = association.jobSpace ?? null;
    const where = jobSpace === null ? '' : ` in ${jobSpace}`;
    const who = declared.get(association.subject)?.displayName ?? state.subjects[association.subject]?.displayName ?? association.subject;
    const active = roster?.associations.find(
      (existing) =>
        existing.subjectId.toLowerCase() === association.subject &&
        existing.role === association.role &&
        existing.jobSpace === jobSpace &&
        isActive(existing, state.now),
    );
    if (active) {
      if ((association.expiresAt ?? null) !== null && !sameInstant(active.expiresAt, association.expiresAt ?? null)) {
        notes.push(
          `${who} already holds ${association.role}${where} (expiry ${active.expiresAt ?? 'none'}); an active association is not re-granted to change its expiry`,
        );
      }
      continue;
    }
    if (association.expiresAt !== undefined && Date.parse(association.expiresAt) <= Date.parse(state.now)) {
      notes.push(`${who} as ${association.role}${where}: its expiry ${association.expiresAt} has passed, so it is not granted`);
      continue;
    }
    add(
      `grant ${association.role}${where} to ${who}${association.expiresAt === undefined ? '' : ` until ${association.expiresAt}`}`,
      `/orgs/${orgId}/associations`,
      { subjectId: association.subject, role: association.role, ...defined({ jobSpace: association.jobSpace, expiresAt: association.expiresAt }) },
      rosterBase,
    );
  }

  // --- policy (last) -------------------------------------------------------------------------------------------
  if (spec.policy) planPolicy(spec.policy, state.policies, orgId, add, notes);

  if (problems.length > 0) throw new PlanError(problems);
  return { orgId, orgIsNew: org === null, steps, notes };
}

type AddStep = (description: string, path: string, body: Record<string, unknown>, base: string, bind?: StepBinding) => number;

function planSubject(subject: SubjectSpec, current: SubjectView | null, add: AddStep, notes: string[]): void {
  const name = subject.displayName;
  if (current === null) {
    add(
      `register subject ${name} (${subject.kind} ${subject.id})`,
      '/subjects',
      {
        subjectId: subject.id,
        kind: subject.kind,
        displayName: subject.displayName,
        ...defined({ description: subject.description, endpoint: subject.endpoint }),
        capabilities: subject.capabilities.map((claim) => ({ ...claim })),
      },
      'subject@new',
    );
    return;
  }
  const base = `subject@${String(current.revision ?? canonicalJson(current))}`;
  if (current.kind !== subject.kind) notes.push(`subject ${name} is a ${current.kind}, not a ${subject.kind}: a subject's kind cannot change`);
  if (current.status !== 'active') notes.push(`subject ${name} is ${current.status}: the server refuses to grant it roles until it is reinstated`);
  const changes: Record<string, unknown> = {};
  if (current.displayName !== subject.displayName) changes.displayName = subject.displayName;
  if (subject.description !== undefined && current.description !== subject.description) changes.description = subject.description;
  if (subject.endpoint !== undefined && current.endpoint !== subject.endpoint) changes.endpoint = subject.endpoint;
  const fields = Object.keys(changes);
  if (fields.length > 0) add(`update subject ${name}: ${fields.join(', ')}`, `/subjects/${subject.id}/profile`, changes, base);
  for (const claim of subject.capabilities) {
    const existing = Object.hasOwn(current.capabilities, claim.name) ? current.capabilities[claim.name] : undefined;
    const changed = !existing || existing.level !== claim.level || (claim.evidence !== undefined && existing.evidence !== claim.evidence);
    if (changed) {
      add(
        `declare capability ${claim.name} ${claim.level} for ${name}${existing ? ` (was ${existing.level})` : ''}`,
        `/subjects/${subject.id}/capabilities`,
        { ...claim },
        base,
      );
    }
  }
}

function planPolicy(policy: NonNullable<OrgSpec['policy']>, current: PoliciesView | null, orgId: string, add: AddStep, notes: string[]): void {
  const desired = policyRulesHash(policy.rules);
  const versions = current?.versions ?? [];
  const published = current?.published == null ? undefined : versions.find((version) => version.version === current.published);
  if (published && policyRulesHash(published.rules) === desired) return;

  const base = current
    ? `policy@${String(current.revision ?? `${current.published ?? 'none'}:${versions.map((version) => `${version.version}${version.status}`).join(',')}`)}`
    : 'policy@new';
  // A draft with these very rules already exists (an earlier apply stopped between draft and publish): publish it.
  const draft = versions.filter((version) => version.status === 'draft' && policyRulesHash(version.rules) === desired).at(-1);
  const verb = published ? `replace policy version ${published.version}` : 'replace the default policy';
  if (draft) {
    add(
      `publish policy version ${draft.version} (already drafted; ${policy.rules.length} rules; ${verb})`,
      `/orgs/${orgId}/policies/${draft.version}/publish`,
      {},
      base,
    );
  } else {
    const expected = Math.max(0, ...versions.map((version) => version.version)) + 1;
    const draftStep = add(
      `draft policy (${policy.rules.length} rules, sha256 ${desired.slice(0, 12)})`,
      `/orgs/${orgId}/policies`,
      { ...defined({ description: policy.description }), rules: policy.rules.map((rule) => ({ ...rule })) },
      base,
    );
    add(`publish the drafted policy (expected version ${expected}; ${verb})`, `/orgs/${orgId}/policies/${POLICY_VERSION_PLACEHOLDER}/publish`, {}, base, {
      fromStep: draftStep,
      field: 'version',
      placeholder: POLICY_VERSION_PLACEHOLDER,
    });
  }
  notes.push(
    "once published, the org's own policy governs every later command, this tool's included (platform admins stay permitted unless a forbid matches them)",
  );
}

/** Dependencies first (a role after the roles it inherits), otherwise in the spec's order. */
export function rolesInheritedFirst(roles: readonly RoleDefinition[]): RoleDefinition[] {
  return dependenciesFirst(roles, (role) => role.inherits);
}

/** A group after its parent, otherwise in the spec's order. */
export function groupsParentsFirst(groups: readonly GroupDefinition[]): GroupDefinition[] {
  return dependenciesFirst(groups, (group) => (group.parent === null ? [] : [group.parent]));
}

function dependenciesFirst<T extends { name: string }>(items: readonly T[], dependencies: (item: T) => readonly string[]): T[] {
  const byName = new Map(items.map((item) => [item.name, item]));
  const visited = new Set<string>();
  const ordered: T[] = [];
  const visit = (item: T) => {
    if (visited.has(item.name)) return;
    visited.add(item.name);
    for (const name of dependencies(item)) {
      const dependency = byName.get(name);
      if (dependency) visit(dependency);
    }
    ordered.push(item);
  };
  items.forEach(visit);
  return ordered;
}

function describeRole(role: RoleDefinition): string {
  const parts: string[] = [];
  if (role.maxHolders !== null || role.minHolders > 0) parts.push(`holders ${role.minHolders}..${role.maxHolders ?? '*'}`);
  if (role.assignmentType !== 'fixed') parts.push(role.assignmentType);
  if (role.inherits.length > 0) parts.push(`inherits ${role.inherits.join(', ')}`);
  return parts.length === 0 ? '' : ` (${parts.join('; ')})`;
}

function isActive(association: AssociationView, now: string): boolean {
  if (association.active !== undefined) return association.active;
  return association.status === 'active' && (association.expiresAt === null || Date.parse(association.expiresAt) > Date.parse(now));
}

function sameInstant(a: string | null, b: string | null): boolean {
  return a === b || (a !== null && b !== null && Date.parse(a) === Date.parse(b));
}

function same(a: unknown, b: unknown): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

/** Every field the spec gives equals the server's (fields the server adds are ignored). */
function sameFields(desired: object, current: object | undefined): boolean {
  if (current === undefined) return false;
  const have = current as Readonly<Record<string, unknown>>;
  return Object.entries(desired).every(([key, value]) => value === undefined || (have[key] !== undefined && same(value, have[key])));
}

function defined(fields: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));
}

/**
 * `apply.<slug>.<32 hex>`: a hash of the request and of the revision of the stream it was planned against. A retry
 * of the same plan (after a timeout or a crash) sends the same key, so the server runs it at most once; a later
 * apply plans against a newer revision, so returning to an earlier definition is a new command, not a replay.
 */
function stepKey(slug: string, path: string, body: Record<string, unknown>, base: string): string {
  const digest = createHash('sha256')
    .update(canonicalJson({ method: 'POST', path, body, base }), 'utf8')
    .digest('hex');
  return `apply.${slug}.${digest.slice(0, 32)}`;
}
