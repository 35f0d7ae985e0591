import { z } from 'zod';
import { uuidSchema } from '../shared/ids.ts';
import {
  groupDefinitionSchema,
  groupNameSchema,
  jobSpaceDefinitionSchema,
  jobSpaceNameSchema,
  reasonSchema,
  roleDefinitionSchema,
  roleNameSchema,
} from './fields.ts';

const orgId = uuidSchema;
const associationId = uuidSchema;
const applicationId = uuidSchema;
const subjectId = uuidSchema;
const instant = z.iso.datetime({ offset: true });

const command = <T extends string, S extends z.ZodType>(type: T, data: S) => z.object({ type: z.literal(type), data });

export const rosterCommandSchema = z.discriminatedUnion('type', [
  /** Declarative: creates the role, or replaces its definition. */
  command('DefineRole', z.strictObject({ orgId, role: roleDefinitionSchema })),
  command('RemoveRole', z.strictObject({ orgId, name: roleNameSchema })),
  command('DefineGroup', z.strictObject({ orgId, group: groupDefinitionSchema })),
  command('RemoveGroup', z.strictObject({ orgId, name: groupNameSchema })),
  /** Separation of duties: no subject may hold both roles at once. */
  command(
    'DeclareRoleConflict',
    z.strictObject({ orgId, roles: z.tuple([roleNameSchema, roleNameSchema]).refine(([a, b]) => a !== b, 'two different roles'), reason: reasonSchema }),
  ),
  command('WithdrawRoleConflict', z.strictObject({ orgId, roles: z.tuple([roleNameSchema, roleNameSchema]) })),
  command('DefineJobSpace', z.strictObject({ orgId, jobSpace: jobSpaceDefinitionSchema })),
  command('RemoveJobSpace', z.strictObject({ orgId, name: jobSpaceNameSchema })),
  command(
    'GrantRole',
    z.strictObject({
      orgId,
      associationId,
      subjectId,
      role: roleNameSchema,
      /** Limits the association to one job space; null: the whole org. */
      jobSpace: jobSpaceNameSchema.nullable().default(null),
      expiresAt: instant.nullable().default(null),
      /** The subject delegating its own holding of this role. */
      parentSubjectId: subjectId.nullable().default(null),
    }),
  ),
  command('RevokeRole', z.strictObject({ orgId, associationId, reason: reasonSchema })),
  /** Issued by the platform when an association's expiry has passed. */
  command('ExpireAssociation', z.strictObject({ orgId, associationId })),
  command(
    'ApplyForRole',
    z.strictObject({
      orgId,
      applicationId,
      subjectId,
      role: roleNameSchema,
      jobSpace: jobSpaceNameSchema.nullable().default(null),
      motivation: z.string().max(4000).default(''),
    }),
  ),
  command('ApproveRoleApplication', z.strictObject({ orgId, applicationId, associationId, expiresAt: instant.nullable().default(null) })),
  command('RejectRoleApplication', z.strictObject({ orgId, applicationId, reason: reasonSchema })),
]);
export type RosterCommand = z.infer<typeof rosterCommandSchema>;
export type RosterCommandType = RosterCommand['type'];
export type RosterCommandOf<T extends RosterCommandType> = Extract<RosterCommand, { type: T }>;
