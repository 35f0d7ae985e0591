import { z } from 'zod';
import { commandUnion } from '../shared/command-schema.ts';
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

export const rosterCommandSchema = commandUnion({
  /** Declarative: creates the role, or replaces its definition. */
  DefineRole: z.strictObject({ orgId, role: roleDefinitionSchema }),
  RemoveRole: z.strictObject({ orgId, name: roleNameSchema }),
  DefineGroup: z.strictObject({ orgId, group: groupDefinitionSchema }),
  RemoveGroup: z.strictObject({ orgId, name: groupNameSchema }),
  /** Separation of duties: no subject may hold both roles at once. */
  DeclareRoleConflict: z.strictObject({
    orgId,
    roles: z.tuple([roleNameSchema, roleNameSchema]).refine(([a, b]) => a !== b, 'two different roles'),
    reason: reasonSchema,
  }),
  WithdrawRoleConflict: z.strictObject({ orgId, roles: z.tuple([roleNameSchema, roleNameSchema]) }),
  DefineJobSpace: z.strictObject({ orgId, jobSpace: jobSpaceDefinitionSchema }),
  RemoveJobSpace: z.strictObject({ orgId, name: jobSpaceNameSchema }),
  GrantRole: z.strictObject({
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
  RevokeRole: z.strictObject({ orgId, associationId, reason: reasonSchema }),
  /** Issued by the platform when an association's expiry has passed. */
  ExpireAssociation: z.strictObject({ orgId, associationId }),
  ApplyForRole: z.strictObject({
    orgId,
    applicationId,
    subjectId,
    role: roleNameSchema,
    jobSpace: jobSpaceNameSchema.nullable().default(null),
    motivation: z.string().max(4000).default(''),
  }),
  ApproveRoleApplication: z.strictObject({ orgId, applicationId, associationId, expiresAt: instant.nullable().default(null) }),
  RejectRoleApplication: z.strictObject({ orgId, applicationId, reason: reasonSchema }),
});
export type RosterCommand = z.infer<typeof rosterCommandSchema>;
export type RosterCommandType = RosterCommand['type'];
export type RosterCommandOf<T extends RosterCommandType> = Extract<RosterCommand, { type: T }>;
