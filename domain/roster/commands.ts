import { z } from 'zod';
import { commandSchema } from '../shared/command-schema.ts';
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

export const rosterCommandSchema = z.discriminatedUnion('type', [
  /** Declarative: creates the role, or replaces its definition. */
  commandSchema('DefineRole', z.strictObject({ orgId, role: roleDefinitionSchema })),
  commandSchema('RemoveRole', z.strictObject({ orgId, name: roleNameSchema })),
  commandSchema('DefineGroup', z.strictObject({ orgId, group: groupDefinitionSchema })),
  commandSchema('RemoveGroup', z.strictObject({ orgId, name: groupNameSchema })),
  /** Separation of duties: no subject may hold both roles at once. */
  commandSchema(
    'DeclareRoleConflict',
    z.strictObject({ orgId, roles: z.tuple([roleNameSchema, roleNameSchema]).refine(([a, b]) => a !== b, 'two different roles'), reason: reasonSchema }),
  ),
  commandSchema('WithdrawRoleConflict', z.strictObject({ orgId, roles: z.tuple([roleNameSchema, roleNameSchema]) })),
  commandSchema('DefineJobSpace', z.strictObject({ orgId, jobSpace: jobSpaceDefinitionSchema })),
  commandSchema('RemoveJobSpace', z.strictObject({ orgId, name: jobSpaceNameSchema })),
  commandSchema(
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
  commandSchema('RevokeRole', z.strictObject({ orgId, associationId, reason: reasonSchema })),
  /** Issued by the platform when an association's expiry has passed. */
  commandSchema('ExpireAssociation', z.strictObject({ orgId, associationId })),
  commandSchema(
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
  commandSchema('ApproveRoleApplication', z.strictObject({ orgId, applicationId, associationId, expiresAt: instant.nullable().default(null) })),
  commandSchema('RejectRoleApplication', z.strictObject({ orgId, applicationId, reason: reasonSchema })),
]);
export type RosterCommand = z.infer<typeof rosterCommandSchema>;
export type RosterCommandType = RosterCommand['type'];
export type RosterCommandOf<T extends RosterCommandType> = Extract<RosterCommand, { type: T }>;
