import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { uuidSchema } from '../../domain/shared/ids.ts';
import { rosterCommandSchema } from '../../domain/roster/commands.ts';
import { rosterDecider } from '../../domain/roster/decider.ts';
import { effectiveRoles } from '../../domain/roster/effective-roles.ts';
import { rosterStream } from '../../domain/roster/events.ts';
import {
  groupDefinitionSchema,
  groupNameSchema,
  jobSpaceDefinitionSchema,
  jobSpaceNameSchema,
  roleDefinitionSchema,
  roleNameSchema,
} from '../../domain/roster/fields.ts';
import { isActive, type RosterState } from '../../domain/roster/state.ts';
import { rosterAggregate } from '../../commands/handlers/roster.ts';
import type { Platform } from '../platform.ts';
import { orgIdParam } from './orgs.ts';
import { commandErrors, commandReply, principalReply } from '../openapi/responses.ts';
import { type BodyOptions, commandBody, type CommandRouteSchema, bodyWithPath, commandRoute, storedId, type Fields } from './command-route.ts';
import { orgReadRoute } from '../routing/org-read-route.ts';
import { associationActiveReply, associationGrantReply } from './association-list.ts';

const tags = ['roster'];
const nameParam = (what: string, schema: z.ZodType) => ({ ...orgIdParam, name: schema.describe(`the ${what} name`) });

function doc(
  summary: string,
  description: string,
  params: z.ZodRawShape,
  type: string,
  body: BodyOptions,
  response?: CommandRouteSchema['response'],
): CommandRouteSchema {
  return {
    summary,
    description,
    tags,
    params: z.object(params),
    body: commandBody(rosterCommandSchema, type, body),
    response: response ?? { '200': commandReply('Done (or nothing to do)'), ...commandErrors },
  };
}

const rosterReply = z.object({
  orgId: z.uuid(),
  revision: z.int().describe('the roster stream revision; -1 before anything was defined'),
  roles: z.array(roleDefinitionSchema),
  groups: z.array(groupDefinitionSchema),
  jobSpaces: z.array(jobSpaceDefinitionSchema),
  conflicts: z.array(z.object({ roles: z.tuple([z.string(), z.string()]), reason: z.string() })),
  associations: z.array(
    z.object({ associationId: z.uuid(), ...associationGrantReply, status: z.enum(['active', 'revoked', 'expired']), active: associationActiveReply }),
  ),
  applications: z.array(
    z.object({
      applicationId: z.uuid(),
      subjectId: z.uuid(),
      role: z.string(),
      jobSpace: z.string().nullable(),
      motivation: z.string(),
      appliedBy: principalReply,
      appliedAt: z.string(),
      status: z.enum(['pending', 'approved', 'rejected']),
    }),
  ),
});
const effectiveRolesReply = z.object({
  orgId: z.uuid(),
  subjectId: z.uuid(),
  jobSpace: z.string().nullable(),
  roles: z.array(z.string()).describe('held roles and every role they inherit, in force now'),
  groups: z.array(z.string()).describe('groups of those roles, with their ancestors'),
  revision: z.int().describe('the roster revision they were read at'),
});

function rosterView(orgId: string, state: RosterState, revision: bigint, now: string) {
  return {
    orgId,
    revision: Number(revision),
    roles: [...state.roles.values()],
    groups: [...state.groups.values()],
    jobSpaces: [...state.jobSpaces.values()],
    conflicts: [...state.conflicts.values()],
    associations: [...state.associations.values()].map((association) => ({ ...association, active: isActive(association, now) })),
    applications: [...state.applications.values()],
  };
}

/** An org's roster: one stream, so its invariants (cardinality, separation of duties, ...) hold under concurrency. */
export async function rosterRoutes(app: FastifyInstance, platform: Platform): Promise<void> {
  const definitions = [
    ['roles', 'role', 'DefineRole', 'RemoveRole', 'roster.role', roleNameSchema],
    ['groups', 'group', 'DefineGroup', 'RemoveGroup', 'roster.group', groupNameSchema],
    ['job-spaces', 'jobSpace', 'DefineJobSpace', 'RemoveJobSpace', 'roster.jobspace', jobSpaceNameSchema],
  ] as const;
  for (const [path, field, define, remove, action, nameSchema] of definitions) {
    const what = field === 'jobSpace' ? 'job space' : field;
    commandRoute(app, platform, {
      url: `/orgs/:orgId/${path}`,
      aggregate: rosterAggregate,
      bodyField: field,
      schema: doc(
        `Define a ${what}`,
        `${define} (action \`${action}.define\`): declarative, creates the ${what} or replaces its definition; re-sending it changes nothing.`,
        orgIdParam,
        define,
        { field },
      ),
      build: ({ params, body }) => ({ type: define, data: { orgId: params.orgId, [field]: body } }),
    });
    commandRoute(app, platform, {
      url: `/orgs/:orgId/${path}/:name/remove`,
      aggregate: rosterAggregate,
      schema: doc(`Remove a ${what}`, `${remove} (action \`${action}.remove\`); refused while it is in use.`, nameParam(what, nameSchema), remove, {
        fromPath: ['orgId', 'name'],
      }),
      build: bodyWithPath(remove, ['orgId', 'name']),
    });
  }

  commandRoute(app, platform, {
    url: '/orgs/:orgId/role-conflicts',
    aggregate: rosterAggregate,
    schema: doc(
      'Declare a role conflict',
      'DeclareRoleConflict (action `roster.conflict.declare`): separation of duties, no subject may hold both roles at once.',
      orgIdParam,
      'DeclareRoleConflict',
      { fromPath: ['orgId'] },
    ),
    build: bodyWithPath('DeclareRoleConflict', ['orgId']),
  });

  commandRoute(app, platform, {
    url: '/orgs/:orgId/role-conflicts/withdraw',
    aggregate: rosterAggregate,
    schema: doc('Withdraw a role conflict', 'WithdrawRoleConflict (action `roster.conflict.withdraw`).', orgIdParam, 'WithdrawRoleConflict', {
      fromPath: ['orgId'],
    }),
    build: bodyWithPath('WithdrawRoleConflict', ['orgId']),
  });

  const associationId = (data: Fields) => ({ associationId: storedId(data.associationId) });

  commandRoute(app, platform, {
    url: '/orgs/:orgId/associations',
    aggregate: rosterAggregate,
    status: 201,
    schema: doc(
      'Grant a role',
      'GrantRole (action `roster.role.grant`). Refused when the role is full (409 ROLE_MAX_HOLDERS), conflicts with a held role (409 ROLE_CONFLICT), the subject lacks required capabilities (422 MISSING_CAPABILITY), is suspended (409 SUBJECT_SUSPENDED) or already holds it (409 ASSOCIATION_EXISTS); no subject grants itself a role (403 SELF_GRANT). `associationId` derives from the command id when absent.',
      orgIdParam,
      'GrantRole',
      { fromPath: ['orgId'], optional: ['associationId'] },
      { '201': commandReply('The role is granted', { associationId: z.uuid() }), ...commandErrors },
    ),
    build: bodyWithPath('GrantRole', ['orgId'], { associationId: 'association' }),
    reply: (_result, data) => associationId(data),
  });

  commandRoute(app, platform, {
    url: '/orgs/:orgId/associations/:associationId/revoke',
    aggregate: rosterAggregate,
    schema: doc(
      'Revoke a role',
      'RevokeRole (action `roster.role.revoke`); refused when the role would fall below its minimum holders (409 ROLE_MIN_HOLDERS).',
      { ...orgIdParam, associationId: uuidSchema },
      'RevokeRole',
      { fromPath: ['orgId', 'associationId'] },
    ),
    build: bodyWithPath('RevokeRole', ['orgId', 'associationId']),
  });

  commandRoute(app, platform, {
    url: '/orgs/:orgId/applications',
    aggregate: rosterAggregate,
    status: 201,
    schema: doc(
      'Apply for a role',
      'ApplyForRole (action `roster.application.submit`; the default policy lets a subject apply for itself). Only roles that are not `fixed` take applications. `applicationId` derives from the command id when absent.',
      orgIdParam,
      'ApplyForRole',
      { fromPath: ['orgId'], optional: ['applicationId'] },
      { '201': commandReply('The application is pending', { applicationId: z.uuid() }), ...commandErrors },
    ),
    build: bodyWithPath('ApplyForRole', ['orgId'], { applicationId: 'application' }),
    reply: (_result, data) => ({ applicationId: storedId(data.applicationId) }),
  });

  const applicationParams = { ...orgIdParam, applicationId: uuidSchema };
  commandRoute(app, platform, {
    url: '/orgs/:orgId/applications/:applicationId/approve',
    aggregate: rosterAggregate,
    schema: doc(
      'Approve a role application',
      'ApproveRoleApplication (action `roster.application.approve`): grants the role, with every check a grant has; no subject approves its own application (403 SELF_APPROVAL). `associationId` derives from the command id when absent.',
      applicationParams,
      'ApproveRoleApplication',
      { fromPath: ['orgId', 'applicationId'], optional: ['associationId'] },
      { '200': commandReply('Approved: the role is granted', { associationId: z.uuid() }), ...commandErrors },
    ),
    build: bodyWithPath('ApproveRoleApplication', ['orgId', 'applicationId'], { associationId: 'association' }),
    reply: (_result, data) => associationId(data),
  });

  commandRoute(app, platform, {
    url: '/orgs/:orgId/applications/:applicationId/reject',
    aggregate: rosterAggregate,
    schema: doc('Reject a role application', 'RejectRoleApplication (action `roster.application.reject`).', applicationParams, 'RejectRoleApplication', {
      fromPath: ['orgId', 'applicationId'],
    }),
    build: bodyWithPath('RejectRoleApplication', ['orgId', 'applicationId']),
  });

  orgReadRoute(app, platform, {
    url: '/orgs/:orgId/roster',
    summary: "Read an org's roster",
    description: "Action `roster.read` (default policy: the org's members). Every association, with its status and whether it is `active` now.",
    tags,
    reply: ['The roster', rosterReply],
    action: 'roster.read',
    read: () => ({ type: 'ReadRoster', data: {} }),
    answer: async ({ orgId, now }, reply) => {
      const roster = await platform.loader.load(rosterDecider, rosterStream(orgId));
      reply.header('etag', `"${roster.revision}"`);
      return rosterView(orgId, roster.state, roster.revision, now);
    },
  });

  const effectiveParams = { ...orgIdParam, subjectId: uuidSchema.describe('the subject id') };
  const effectiveQuery = z.strictObject({ jobSpace: jobSpaceNameSchema.optional().describe('count associations limited to this job space too') });
  orgReadRoute(app, platform, {
    url: '/orgs/:orgId/subjects/:subjectId/effective-roles',
    summary: "A subject's effective roles in an org",
    description:
      'Action `roster.read`. Roles in force now (inheritance, groups, expiry; job-space associations only for that job space), as policies see them.',
    tags,
    params: z.object(effectiveParams),
    querystring: effectiveQuery,
    reply: ['The effective roles', effectiveRolesReply],
    action: 'roster.read',
    read: ({ params, query }) => {
      const jobSpace = query.jobSpace ?? null;
      return { type: 'ReadEffectiveRoles', data: { subjectId: params.subjectId, jobSpace }, jobSpace };
    },
    answer: async ({ orgId, params: { subjectId }, query, now }) => {
      const jobSpace = query.jobSpace ?? null;
      const roster = await platform.loader.load(rosterDecider, rosterStream(orgId));
      const { roles, groups } = effectiveRoles(roster.state, subjectId, now, jobSpace);
      return { orgId, subjectId, jobSpace, roles, groups, revision: Number(roster.revision) };
    },
  });
}
