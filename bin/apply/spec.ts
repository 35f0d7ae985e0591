import { formatSourcePath, parseSource } from '../yaml-source.ts';
import { z } from 'zod';
import { knownActions } from '../../commands/known-actions.ts';
import { descriptionSchema as orgDescriptionSchema, metadataSchema, orgNameSchema, slugSchema, tagsSchema } from '../../domain/org/fields.ts';
import { validatePolicySet } from '../../domain/policy/validate.ts';
import { MAX_RULES, policyRuleSchema } from '../../domain/policy/types.ts';
import {
  groupDefinitionSchema,
  jobSpaceDefinitionSchema,
  jobSpaceNameSchema,
  reasonSchema,
  roleDefinitionSchema,
  roleNameSchema,
  type RoleDefinition,
} from '../../domain/roster/fields.ts';
import { uuidSchema } from '../../domain/shared/ids.ts';
import { capabilityClaimSchema } from '../../domain/subject/commands.ts';
import {
  MAX_CAPABILITIES,
  descriptionSchema as subjectDescriptionSchema,
  displayNameSchema,
  endpointSchema,
  subjectKindSchema,
} from '../../domain/subject/fields.ts';

/**
 * The declarative org spec that `agencygrid apply` reads (YAML or JSON). Field schemas are the domain's own, so a
 * spec that validates here is one the server accepts field by field; the cross-checks below (references, duplicates,
 * cycles, cardinality, separation of duties, policy actions and CEL) catch before any request what the server
 * would otherwise refuse halfway through an apply.
 */
export const SPEC_API_VERSION = 'agencygrid/v1';

const unique = <T>(items: readonly T[]) => new Set(items).size === items.length;

export const orgSpecSchema = z.strictObject({
  slug: slugSchema,
  name: orgNameSchema,
  description: orgDescriptionSchema.optional(),
  tags: tagsSchema.optional(),
  metadata: metadataSchema.optional(),
  /** The slug of the parent org; it must exist when the org is registered (it cannot change afterwards). */
  parent: slugSchema.optional(),
});

export const subjectSpecSchema = z.strictObject({
  /** Fixed by the spec, so re-applying finds the same subject. */
  id: uuidSchema,
  kind: subjectKindSchema,
  displayName: displayNameSchema,
  description: subjectDescriptionSchema.optional(),
  endpoint: endpointSchema.optional(),
  capabilities: z
    .array(capabilityClaimSchema)
    .max(MAX_CAPABILITIES)
    .refine((claims) => unique(claims.map((claim) => claim.name)), 'capability names must be unique')
    .default([]),
});

export const conflictSpecSchema = z.strictObject({
  roles: z.tuple([roleNameSchema, roleNameSchema]).refine(([a, b]) => a !== b, 'two different roles'),
  reason: reasonSchema,
});

export const associationSpecSchema = z.strictObject({
  /** The subject's id: one declared under `subjects`, or one that already exists on the platform. */
  subject: uuidSchema,
  role: roleNameSchema,
  jobSpace: jobSpaceNameSchema.optional(),
  /** An absolute instant with a zone; once passed, the association is not granted again. */
  expiresAt: z.iso.datetime({ offset: true }).optional(),
});

export const policySpecSchema = z.strictObject({
  description: z.string().max(2000).optional(),
  rules: z.array(policyRuleSchema).max(MAX_RULES),
});

export const specSchema = z.strictObject({
  apiVersion: z.literal(SPEC_API_VERSION),
  kind: z.literal('Org'),
  org: orgSpecSchema,
  subjects: z.array(subjectSpecSchema).default([]),
  jobSpaces: z.array(jobSpaceDefinitionSchema).default([]),
  roles: z.array(roleDefinitionSchema).default([]),
  groups: z.array(groupDefinitionSchema).default([]),
  conflicts: z.array(conflictSpecSchema).default([]),
  policy: policySpecSchema.optional(),
  associations: z.array(associationSpecSchema).default([]),
});

export type OrgSpec = z.infer<typeof specSchema>;
export type SubjectSpec = OrgSpec['subjects'][number];
export type AssociationSpec = OrgSpec['associations'][number];

export type SpecPath = ReadonlyArray<string | number>;

/** One problem with a spec: where (path into the document, and its line when read from a file) and what. */
export interface SpecIssue {
  path: SpecPath;
  message: string;
  line?: number;
  column?: number;
}

export type SpecResult = { ok: true; spec: OrgSpec } | { ok: false; issues: SpecIssue[] };

/** Validates an already-parsed document: shape first, then the cross-checks, every problem reported. */
export function parseSpec(value: unknown): SpecResult {
  const parsed = specSchema.safeParse(value);
  if (!parsed.success) {
    return {
      ok: false,
      issues: parsed.error.issues.map((issue) => ({
        path: issue.path.map((segment) => (typeof segment === 'symbol' ? String(segment) : segment)),
        message: issue.message,
      })),
    };
  }
  const issues = crossCheck(parsed.data);
  return issues.length === 0 ? { ok: true, spec: parsed.data } : { ok: false, issues };
}

/**
 * Reads a spec from text (YAML 1.2; JSON is YAML too, so a .json file reads the same way) and validates it. Every
 * issue carries the line and column of the node it is about (or of its nearest existing ancestor).
 */
export function loadSpec(text: string): SpecResult {
  const parsed = parseSource(text);
  if (!parsed.ok) return { ok: false, issues: parsed.errors.map((error) => ({ path: [], ...error })) };
  const result = parseSpec(parsed.document.value);
  if (result.ok) return result;
  return { ok: false, issues: result.issues.map((issue) => ({ ...issue, ...parsed.document.positionOf(issue.path) })) };
}

/** `roles[1].maxHolders`, `org`, `(document)`. */
export function formatPath(path: SpecPath): string {
  return path.length === 0 ? '(document)' : formatSourcePath(path);
}

export function formatIssue(issue: SpecIssue): string {
  const where = issue.line === undefined ? '' : ` (line ${issue.line}${issue.column === undefined ? '' : `, column ${issue.column}`})`;
  return `${formatPath(issue.path)}${where}: ${issue.message}`;
}

/** What the domain schemas cannot see from one item alone. */
function crossCheck(spec: OrgSpec): SpecIssue[] {
  const issues: SpecIssue[] = [];
  const add = (path: SpecPath, message: string) => issues.push({ path, message });

  const duplicates = <T>(section: string, items: readonly T[], keyOf: (item: T) => string, field: string) => {
    const seen = new Map<string, number>();
    items.forEach((item, index) => {
      const key = keyOf(item);
      const first = seen.get(key);
      if (first === undefined) seen.set(key, index);
      else add([section, index, field], `duplicate: ${section}[${first}] already declares ${key}`);
    });
  };
  duplicates('subjects', spec.subjects, (subject) => subject.id, 'id');
  duplicates('jobSpaces', spec.jobSpaces, (jobSpace) => jobSpace.name, 'name');
  duplicates('roles', spec.roles, (role) => role.name, 'name');
  duplicates('groups', spec.groups, (group) => group.name, 'name');
  duplicates('conflicts', spec.conflicts, (conflict) => [...conflict.roles].sort().join(' / '), 'roles');
  duplicates('associations', spec.associations, (a) => `${a.subject} as ${a.role}${a.jobSpace === undefined ? '' : ` in ${a.jobSpace}`}`, 'role');

  const roles = new Map(spec.roles.map((role) => [role.name, role]));
  const groups = new Map(spec.groups.map((group) => [group.name, group]));
  const jobSpaces = new Set(spec.jobSpaces.map((jobSpace) => jobSpace.name));
  const needRole = (path: SpecPath, name: string) => {
    if (!roles.has(name)) add(path, `unknown role '${name}': declare it under roles`);
  };

  spec.roles.forEach((role, index) => {
    role.inherits.forEach((name, i) => {
      needRole(['roles', index, 'inherits', i], name);
    });
  });
  spec.roles.forEach((role, index) => {
    const cycle = inheritanceCycle(roles, role.name);
    if (cycle) add(['roles', index, 'inherits'], `role inheritance forms a cycle: ${cycle.join(' -> ')}`);
  });

  spec.groups.forEach((group, index) => {
    group.roles.forEach((name, i) => {
      needRole(['groups', index, 'roles', i], name);
    });
    if (group.parent !== null && !groups.has(group.parent)) add(['groups', index, 'parent'], `unknown group '${group.parent}': declare it under groups`);
    const seen = new Set<string>([group.name]);
    for (let parent = group.parent; parent !== null; parent = groups.get(parent)?.parent ?? null) {
      if (seen.has(parent)) {
        add(['groups', index, 'parent'], `group ${group.name} would be its own ancestor`);
        break;
      }
      seen.add(parent);
    }
  });

  spec.conflicts.forEach((conflict, index) => {
    conflict.roles.forEach((name, i) => {
      needRole(['conflicts', index, 'roles', i], name);
    });
  });

  const subjects = new Map(spec.subjects.map((subject) => [subject.id, subject]));
  const holders = new Map<string, Set<string>>();
  spec.associations.forEach((association, index) => {
    needRole(['associations', index, 'role'], association.role);
    if (association.jobSpace !== undefined && !jobSpaces.has(association.jobSpace)) {
      add(['associations', index, 'jobSpace'], `unknown job space '${association.jobSpace}': declare it under jobSpaces`);
    }
    const set = holders.get(association.role) ?? new Set<string>();
    set.add(association.subject);
    holders.set(association.role, set);

    const role = roles.get(association.role);
    const subject = subjects.get(association.subject);
    if (role && subject) {
      for (const requirement of role.requiredCapabilities) {
        const claim = subject.capabilities.find((capability) => capability.name === requirement.name);
        if (!claim || claim.level < requirement.level) {
          add(
            ['associations', index, 'subject'],
            `subject ${subject.displayName} lacks ${requirement.name} >= ${requirement.level}, which role ${role.name} requires` +
              (claim ? ` (it declares level ${claim.level})` : ''),
          );
        }
      }
    }
  });

  for (const [name, subjectsHolding] of holders) {
    const role = roles.get(name);
    if (role && role.maxHolders !== null && subjectsHolding.size > role.maxHolders) {
      const index = spec.associations.findLastIndex((association) => association.role === name);
      add(
        ['associations', index, 'role'],
        `role ${name} allows at most ${role.maxHolders} holder${role.maxHolders === 1 ? '' : 's'}; the spec grants it to ${subjectsHolding.size} subjects`,
      );
    }
  }

  // Separation of duties between the spec's own associations, counting inherited roles.
  const heldBy = new Map<string, Set<string>>();
  spec.associations.forEach((association) => {
    const set = heldBy.get(association.subject) ?? new Set<string>();
    for (const role of withInherited(roles, association.role)) set.add(role);
    heldBy.set(association.subject, set);
  });
  spec.conflicts.forEach((conflict, index) => {
    const [a, b] = conflict.roles;
    for (const [subject, held] of heldBy) {
      if (held.has(a) && held.has(b)) {
        add(['conflicts', index, 'roles'], `subject ${subjects.get(subject)?.displayName ?? subject} is associated with both ${a} and ${b}`);
      }
    }
  });

  if (spec.policy) {
    const validated = validatePolicySet(spec.policy.rules, knownActions());
    if (!validated.ok) {
      for (const error of validated.errors) {
        const inCondition = error.line === undefined ? '' : ` (condition line ${error.line}, column ${error.column ?? '?'})`;
        add(['policy', 'rules', ...error.path], `${error.message}${inCondition}`);
      }
    }
  }
  return issues;
}

function withInherited(roles: ReadonlyMap<string, RoleDefinition>, name: string): Set<string> {
  const found = new Set<string>();
  const visit = (role: string) => {
    if (found.has(role)) return;
    found.add(role);
    for (const inherited of roles.get(role)?.inherits ?? []) visit(inherited);
  };
  visit(name);
  return found;
}

function inheritanceCycle(roles: ReadonlyMap<string, RoleDefinition>, start: string): string[] | null {
  const walk = (name: string, path: string[]): string[] | null => {
    if (path.length > 0 && name === start) return [...path, name];
    if (path.includes(name)) return null;
    for (const next of roles.get(name)?.inherits ?? []) {
      const found = walk(next, [...path, name]);
      if (found) return found;
    }
    return null;
  };
  return walk(start, []);
}
