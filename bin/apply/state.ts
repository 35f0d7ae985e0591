import { z } from 'zod';

/**
 * What `apply` reads from the API, as the planner sees it. The schemas are loose (extra fields are kept and
 * ignored) and only demand what the planner uses, so the CLI keeps working when the server adds fields.
 */
const revision = z.union([z.number(), z.string()]);

export const orgViewSchema = z.looseObject({
  orgId: z.string(),
  name: z.string(),
  slug: z.string(),
  description: z.string().default(''),
  tags: z.array(z.string()).default([]),
  metadata: z.record(z.string(), z.string()).default({}),
  parentOrgId: z.string().nullable().default(null),
  status: z.enum(['active', 'suspended', 'archived']),
  revision: revision.optional(),
});
export type OrgView = z.infer<typeof orgViewSchema>;

const namedSchema = z.looseObject({ name: z.string() });

export const associationViewSchema = z.looseObject({
  associationId: z.string(),
  subjectId: z.string(),
  role: z.string(),
  jobSpace: z.string().nullable().default(null),
  expiresAt: z.string().nullable().default(null),
  status: z.string(),
  /** Active at the server's now (not revoked, not expired). */
  active: z.boolean().optional(),
});
export type AssociationView = z.infer<typeof associationViewSchema>;

export const rosterViewSchema = z.looseObject({
  revision: revision.optional(),
  roles: z.array(namedSchema).default([]),
  groups: z.array(namedSchema).default([]),
  jobSpaces: z.array(namedSchema).default([]),
  conflicts: z.array(z.looseObject({ roles: z.tuple([z.string(), z.string()]), reason: z.string() })).default([]),
  associations: z.array(associationViewSchema).default([]),
});
export type RosterView = z.infer<typeof rosterViewSchema>;

export const policyVersionViewSchema = z.looseObject({
  version: z.number(),
  status: z.string(),
  description: z.string().default(''),
  rules: z.array(z.unknown()),
  hash: z.string().optional(),
});
export type PolicyVersionView = z.infer<typeof policyVersionViewSchema>;

export const policiesViewSchema = z.looseObject({
  revision: revision.optional(),
  published: z.number().nullable(),
  versions: z.array(policyVersionViewSchema).default([]),
});
export type PoliciesView = z.infer<typeof policiesViewSchema>;

export const subjectViewSchema = z.looseObject({
  subjectId: z.string(),
  kind: z.string(),
  displayName: z.string(),
  description: z.string().default(''),
  endpoint: z.string().nullable().default(null),
  status: z.string(),
  capabilities: z.record(z.string(), z.looseObject({ level: z.number(), evidence: z.string().nullable().default(null) })).default({}),
  revision: revision.optional(),
});
export type SubjectView = z.infer<typeof subjectViewSchema>;

/** Everything the planner compares the spec with. Absent things are null. */
export interface CurrentState {
  /** The instant the state was read (ISO-8601): associations whose expiry has passed are not granted again. */
  now: string;
  /** The org with the spec's slug. */
  org: OrgView | null;
  /** The id of the spec's parent org (by its slug); null when it does not exist; undefined when the spec has no parent. */
  parentOrgId?: string | null;
  roster: RosterView | null;
  policies: PoliciesView | null;
  /** Every subject the spec declares or associates, by id (lower case); null when the platform does not know it. */
  subjects: Readonly<Record<string, SubjectView | null>>;
}
