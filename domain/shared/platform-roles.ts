import type { Principal } from './principal.ts';

/**
 * Platform principals hold platform roles, which the platform policy (not code) grants powers to. Their names are
 * reserved: an org may not define a role that would read, to a policy, like a platform role.
 */
export const platformRoles: Record<Principal['kind'], readonly string[]> = {
  admin: ['platform-admin'],
  system: ['platform-system'],
  subject: [],
};

export const RESERVED_ROLE_PREFIX = 'platform-';

export const isReservedRoleName = (name: string): boolean => name.startsWith(RESERVED_ROLE_PREFIX);
