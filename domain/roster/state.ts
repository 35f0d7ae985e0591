import type { GroupDefinition, JobSpaceDefinition, RoleDefinition } from './fields.ts';
import type { ApplicationData, AssociationData } from './events.ts';

export type Association = AssociationData & {
  status: 'active' | 'revoked' | 'expired';
};

export type Application = ApplicationData & {
  status: 'pending' | 'approved' | 'rejected';
};

export interface RoleConflict {
  roles: readonly [string, string];
  reason: string;
}

/** An org's structure: one stream, so every invariant across roles and holders is checked against one revision. */
export interface RosterState {
  roles: ReadonlyMap<string, RoleDefinition>;
  groups: ReadonlyMap<string, GroupDefinition>;
  /** Keyed by the two role names, sorted and joined with `|`. */
  conflicts: ReadonlyMap<string, RoleConflict>;
  jobSpaces: ReadonlyMap<string, JobSpaceDefinition>;
  associations: ReadonlyMap<string, Association>;
  applications: ReadonlyMap<string, Application>;
}

export const initialRosterState: RosterState = {
  roles: new Map(),
  groups: new Map(),
  conflicts: new Map(),
  jobSpaces: new Map(),
  associations: new Map(),
  applications: new Map(),
};

export const conflictKey = (a: string, b: string) => [a, b].sort().join('|');

/** Active at `now`: not revoked, not expired by event, and its expiry (if any) is still ahead. */
export function isActive(association: Association, now: string): boolean {
  return association.status === 'active' && (association.expiresAt === null || Date.parse(association.expiresAt) > Date.parse(now));
}
