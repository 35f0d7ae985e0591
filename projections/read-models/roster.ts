import { conflictKey } from '../../domain/roster/state.ts';
import { defineProjection } from '../projection.ts';
import { amend, json, occurredAt, writeDocument } from '../read-model-writes.ts';
import type { JsonValue } from '../../domain/shared/json-value.ts';
import type { EventDataOf, Stored } from './stored.ts';
import { asc, desc, ensureIndexes, index } from './index-fields.ts';

export const ROLES = 'roles';
export const GROUPS = 'groups';
export const JOB_SPACES = 'job_spaces';
export const ROLE_CONFLICTS = 'role_conflicts';
export const ASSOCIATIONS = 'associations';
export const APPLICATIONS = 'role_applications';

export const scopedId = (orgId: string, name: string) => `${orgId}:${name}`;

/** A role's document: its definition, its org, when it was defined and last redefined. */
export type RoleDocument = Stored<{ orgId: string } & EventDataOf<'RoleDefined'>['role'] & { definedAt: string; updatedAt: string }>;
export type GroupDocument = Stored<{ orgId: string } & EventDataOf<'GroupDefined'>['group']>;
export type JobSpaceDocument = Stored<{ orgId: string } & EventDataOf<'JobSpaceDefined'>['jobSpace']>;
export type RoleConflictDocument = Stored<Pick<EventDataOf<'RoleConflictDeclared'>, 'orgId' | 'reason'> & { roles: string[] }>;
/** An association's document: the grant, and how and when it ended (revoked, expired) once it did. */
export type AssociationDocument = Stored<
  { orgId: string } & EventDataOf<'RoleGranted'>['association'] & {
      status: 'active' | 'revoked' | 'expired';
      endedAt: string | null;
      endReason: string | null;
    }
>;
/** A role application's document: the application, and the decision on it once there is one. */
export type ApplicationDocument = Stored<
  { orgId: string } & EventDataOf<'RoleApplicationSubmitted'>['application'] & {
      status: 'pending' | 'approved' | 'rejected';
      decidedAt: string | null;
      associationId: string | null;
      rejectionReason: string | null;
    }
>;

const types = [
  'RoleDefined',
  'RoleRemoved',
  'GroupDefined',
  'GroupRemoved',
  'RoleConflictDeclared',
  'RoleConflictWithdrawn',
  'JobSpaceDefined',
  'JobSpaceRemoved',
  'RoleGranted',
  'RoleRevoked',
  'AssociationExpired',
  'RoleApplicationSubmitted',
  'RoleApplicationApproved',
  'RoleApplicationRejected',
] as const;

/**
 * An org's roster as queryable documents: one per role, group, job space, conflict, association and application,
 * so "who holds role X" and "what does subject S hold" are index lookups.
 */
export const rosterProjection = defineProjection({
  name: 'roster',
  version: 1,
  eventTypes: types,
  collections: [ROLES, GROUPS, JOB_SPACES, ROLE_CONFLICTS, ASSOCIATIONS, APPLICATIONS],
  async setup({ docs }) {
    for (const collection of [ROLES, GROUPS, JOB_SPACES, ROLE_CONFLICTS, APPLICATIONS]) {
      await ensureIndexes(docs, collection, [index(`${collection}_org`, asc('orgId'))]);
    }
    await ensureIndexes(docs, ASSOCIATIONS, [
      index('associations_org_role', asc('orgId'), asc('role'), asc('status')),
      index('associations_org_subject', asc('orgId'), asc('subjectId'), asc('status')),
      index('associations_subject', asc('subjectId'), asc('status')),
      // GET /orgs/:orgId/associations pages by grant time, each filter with its own index.
      index('associations_org_granted', asc('orgId'), desc('grantedAt')),
      index('associations_org_role_granted', asc('orgId'), asc('role'), desc('grantedAt')),
      index('associations_org_subject_granted', asc('orgId'), asc('subjectId'), desc('grantedAt')),
      index('associations_org_status_granted', asc('orgId'), asc('status'), desc('grantedAt')),
    ]);
  },
  async apply(event, { docs }) {
    const at = occurredAt(event);
    const { orgId } = event.data;
    const write = (collection: string, id: string, next: Parameters<typeof writeDocument>[4]) => writeDocument(docs, collection, id, event.position, next);
    /** A document of the org: what the event defines or creates, as it gives it, and the fields only the document keeps. */
    const ofOrg = (created: object, kept: Record<string, JsonValue> = {}) => ({ orgId, ...(json(created) as Record<string, never>), ...kept });
    switch (event.type) {
      case 'RoleDefined':
        return write(ROLES, scopedId(orgId, event.data.role.name), (current) => ofOrg(event.data.role, { definedAt: current?.definedAt ?? at, updatedAt: at }));
      case 'RoleRemoved':
        return write(ROLES, scopedId(orgId, event.data.name), () => null);
      case 'GroupDefined':
        return write(GROUPS, scopedId(orgId, event.data.group.name), () => ofOrg(event.data.group));
      case 'GroupRemoved':
        return write(GROUPS, scopedId(orgId, event.data.name), () => null);
      case 'JobSpaceDefined':
        return write(JOB_SPACES, scopedId(orgId, event.data.jobSpace.name), () => ofOrg(event.data.jobSpace));
      case 'JobSpaceRemoved':
        return write(JOB_SPACES, scopedId(orgId, event.data.name), () => null);
      case 'RoleConflictDeclared':
        return write(ROLE_CONFLICTS, scopedId(orgId, conflictKey(...event.data.roles)), () => ({
          orgId,
          roles: [...event.data.roles].sort(),
          reason: event.data.reason,
        }));
      case 'RoleConflictWithdrawn':
        return write(ROLE_CONFLICTS, scopedId(orgId, conflictKey(...event.data.roles)), () => null);
      case 'RoleGranted':
        return write(ASSOCIATIONS, event.data.association.associationId, () =>
          ofOrg(event.data.association, { status: 'active', endedAt: null, endReason: null }),
        );
      case 'RoleRevoked':
        return write(ASSOCIATIONS, event.data.associationId, amend({ status: 'revoked', endedAt: at, endReason: event.data.reason }));
      case 'AssociationExpired':
        return write(ASSOCIATIONS, event.data.associationId, amend({ status: 'expired', endedAt: event.data.expiredAt, endReason: 'expired' }));
      case 'RoleApplicationSubmitted':
        return write(APPLICATIONS, event.data.application.applicationId, () =>
          ofOrg(event.data.application, { status: 'pending', decidedAt: null, associationId: null, rejectionReason: null }),
        );
      case 'RoleApplicationApproved':
        return write(APPLICATIONS, event.data.applicationId, amend({ status: 'approved', decidedAt: at, associationId: event.data.associationId }));
      case 'RoleApplicationRejected':
        return write(APPLICATIONS, event.data.applicationId, amend({ status: 'rejected', decidedAt: at, rejectionReason: event.data.reason }));
    }
  },
});
