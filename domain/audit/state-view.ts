import { z } from 'zod';
import { orgSchema } from '../org/state.ts';
import { isActive } from '../roster/state.ts';
import { membersAt, subjectRolesAt, type JobSpaceScope, type OrgStateAsOf } from './as-of.ts';

const subjectRolesSchema = z.object({
  subjectId: z.string(),
  jobSpace: z.string().nullable().describe("null: org-wide roles only; a name: that job space's too; '*': every job space's"),
  roles: z.array(z.string()).describe('effective roles (inheritance applied) at the instant of the cut'),
  groups: z.array(z.string()),
  associations: z.array(z.string()).describe('the associations granting them'),
});

const principal = z.object({ id: z.string(), kind: z.string() });

/** The JSON answer of "the org as of a cut". */
export const stateViewSchema = z.object({
  orgId: z.string(),
  cut: z.object({
    by: z.enum(['head', 'position', 'time']),
    position: z.string().describe('every event at or before this position counts (0: none)'),
    at: z.string().describe('the instant the cut stands for: effective roles and expiries are evaluated then'),
    head: z.string().describe('the head of the log when asked'),
  }),
  org: orgSchema.nullable().describe('null: not registered yet at the cut'),
  revisions: z.object({ org: z.int(), roster: z.int(), policy: z.int() }).describe('stream revisions at the cut (-1: no event yet)'),
  events: z.object({ org: z.int(), roster: z.int(), policy: z.int() }).describe('events of each stream the cut includes'),
  effectivePolicy: z.object({ source: z.enum(['org', 'default', 'none']), version: z.int().nullable(), hash: z.string() }),
  roster: z.object({
    roles: z.array(z.record(z.string(), z.unknown())),
    groups: z.array(z.record(z.string(), z.unknown())),
    conflicts: z.array(z.object({ roles: z.array(z.string()), reason: z.string() })),
    jobSpaces: z.array(z.record(z.string(), z.unknown())),
    associations: z.array(
      z.object({
        associationId: z.string(),
        subjectId: z.string(),
        role: z.string(),
        jobSpace: z.string().nullable(),
        expiresAt: z.string().nullable(),
        parentSubjectId: z.string().nullable(),
        grantedBy: principal,
        grantedAt: z.string(),
        applicationId: z.string().nullable(),
        status: z.enum(['active', 'revoked', 'expired']).describe('as recorded by events'),
        activeAt: z.boolean().describe('active at the instant of the cut (not revoked, not expired by event or by time)'),
      }),
    ),
    applications: z.array(z.record(z.string(), z.unknown())),
  }),
  policy: z.object({
    published: z.int().nullable(),
    versions: z.array(
      z.object({
        version: z.int(),
        status: z.enum(['draft', 'published', 'superseded']),
        hash: z.string(),
        description: z.string(),
        rules: z.array(z.record(z.string(), z.unknown())),
      }),
    ),
  }),
  members: z.array(subjectRolesSchema).describe('every subject with an active association at the instant, with its effective roles (any job space)'),
  subject: subjectRolesSchema.optional().describe('the subject asked about, when one was'),
});
export type StateView = z.infer<typeof stateViewSchema>;

/** The state as JSON: maps become lists, revisions numbers, positions strings. */
export function stateView(state: OrgStateAsOf, head: bigint, subject?: { subjectId: string; jobSpace: JobSpaceScope }): StateView {
  const { cut, org, roster, policy } = state;
  const view: StateView = {
    orgId: state.orgId,
    cut: { by: cut.by, position: cut.position.toString(), at: cut.at, head: head.toString() },
    org: org === null ? null : { ...org, tags: [...org.tags], metadata: { ...org.metadata } },
    revisions: { org: Number(state.orgRevision), roster: Number(state.rosterRevision), policy: Number(state.policyRevision) },
    events: state.events,
    effectivePolicy: state.effectivePolicy,
    roster: {
      roles: [...roster.roles.values()],
      groups: [...roster.groups.values()],
      conflicts: [...roster.conflicts.values()].map((conflict) => ({ roles: [...conflict.roles], reason: conflict.reason })),
      jobSpaces: [...roster.jobSpaces.values()],
      associations: [...roster.associations.values()].map((association) => ({ ...association, activeAt: isActive(association, cut.at) })),
      applications: [...roster.applications.values()],
    },
    policy: {
      published: policy.published,
      versions: [...policy.versions.values()].map(({ version, status, hash, description, rules }) => ({
        version,
        status,
        hash,
        description,
        rules: [...rules],
      })),
    },
    members: membersAt(roster, cut.at),
  };
  if (subject) view.subject = subjectRolesAt(roster, subject.subjectId, cut.at, subject.jobSpace);
  return view;
}
