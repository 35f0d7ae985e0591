import { z } from 'zod';
import { principalSchema } from '../shared/principal.ts';
import { version1Definitions, type EventUnion } from '../events/registry.ts';
import { groupDefinitionSchema, jobSpaceDefinitionSchema, roleDefinitionSchema, roleNameSchema } from './fields.ts';

const orgId = z.uuid();

const associationSchema = z.object({
  associationId: z.uuid(),
  subjectId: z.uuid(),
  role: roleNameSchema,
  jobSpace: z.string().nullable(),
  expiresAt: z.string().nullable(),
  parentSubjectId: z.uuid().nullable(),
  grantedBy: principalSchema,
  grantedAt: z.string(),
  /** The application this grant approved, if any. */
  applicationId: z.uuid().nullable(),
});
export type AssociationData = z.infer<typeof associationSchema>;

const applicationSchema = z.object({
  applicationId: z.uuid(),
  subjectId: z.uuid(),
  role: roleNameSchema,
  jobSpace: z.string().nullable(),
  motivation: z.string(),
  appliedBy: principalSchema,
  appliedAt: z.string(),
});
export type ApplicationData = z.infer<typeof applicationSchema>;

const schemas = {
  RoleDefined: z.object({ orgId, role: roleDefinitionSchema }),
  RoleRemoved: z.object({ orgId, name: roleNameSchema }),
  GroupDefined: z.object({ orgId, group: groupDefinitionSchema }),
  GroupRemoved: z.object({ orgId, name: z.string() }),
  RoleConflictDeclared: z.object({ orgId, roles: z.tuple([roleNameSchema, roleNameSchema]), reason: z.string() }),
  RoleConflictWithdrawn: z.object({ orgId, roles: z.tuple([roleNameSchema, roleNameSchema]) }),
  JobSpaceDefined: z.object({ orgId, jobSpace: jobSpaceDefinitionSchema }),
  JobSpaceRemoved: z.object({ orgId, name: z.string() }),
  RoleGranted: z.object({ orgId, association: associationSchema }),
  RoleRevoked: z.object({ orgId, associationId: z.uuid(), reason: z.string(), revokedBy: principalSchema }),
  AssociationExpired: z.object({ orgId, associationId: z.uuid(), expiredAt: z.string() }),
  RoleApplicationSubmitted: z.object({ orgId, application: applicationSchema }),
  RoleApplicationApproved: z.object({ orgId, applicationId: z.uuid(), associationId: z.uuid(), approvedBy: principalSchema }),
  RoleApplicationRejected: z.object({ orgId, applicationId: z.uuid(), reason: z.string(), rejectedBy: principalSchema }),
} as const;

export const rosterEventDefinitions = version1Definitions(schemas);

export type RosterEvent = EventUnion<typeof rosterEventDefinitions>;
export type RosterEventOf<T extends RosterEvent['type']> = Extract<RosterEvent, { type: T }>;

export const rosterStream = (orgId: string) => `roster-${orgId}`;
