import { defineProjection } from '../projection.ts';
import { cacheKeys } from './cache-keys.ts';

/** Roster changes that can change anyone's effective roles in the org (definitions too: inheritance and groups). */
const rosterTypes = [
  'RoleDefined',
  'RoleRemoved',
  'GroupDefined',
  'GroupRemoved',
  'RoleGranted',
  'RoleRevoked',
  'AssociationExpired',
  'RoleApplicationApproved',
] as const;

/**
 * Keeps the hot-path caches honest: deletes the effective roles cached for an org whenever its roster changes, and
 * records slug -> org id when an org is registered. Deleting is idempotent, so replays are harmless. It owns no
 * collection; a rebuild only replays the invalidations.
 */
export const cacheInvalidationProjection = defineProjection({
  name: 'cache-invalidation',
  version: 1,
  eventTypes: [...rosterTypes, 'OrgRegistered'],
  collections: [],
  cacheOnly: true,
  async setup() {},
  async apply(event, { cache }) {
    if (!cache) return;
    const { orgId } = event.data;
    if (event.type === 'OrgRegistered') {
      await cache.set(cacheKeys.orgBySlug(event.data.slug), orgId);
      return;
    }
    await cache.deleteByPrefix(cacheKeys.effectiveRolesOfOrg(orgId));
  },
});
