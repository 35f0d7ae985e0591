/**
 * Keys of the hot-path caches. The caches are never the source of truth: a miss reads the read model, and the
 * cache-invalidation projection deletes what an event makes stale.
 */
export const cacheKeys = {
  /** Effective roles and groups of a subject in an org (job space '*' = org-wide). */
  effectiveRoles: (orgId: string, subjectId: string, jobSpace: string | null) => `effective-roles:${orgId}:${subjectId}:${jobSpace ?? '*'}`,
  effectiveRolesOfOrg: (orgId: string) => `effective-roles:${orgId}:`,
  /** Slug -> org id (a slug never changes owner once registered). */
  orgBySlug: (slug: string) => `org-by-slug:${slug}`,
};
