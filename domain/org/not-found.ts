import { appError, type AppError } from '../shared/app-error.ts';

/**
 * The answer for an org that does not exist, and so for one the caller may not see (the two must not differ): it
 * says both, so that a caller with the wrong key looks at its key as well as at the id.
 */
export function orgNotFound(orgId: string): AppError {
  return appError(
    'not_found',
    'ORG_NOT_FOUND',
    `org ${orgId} does not exist or is not visible to this API key; check the id, or use the key of a member of the org`,
    { orgId },
  );
}

/** As orgNotFound, for an org named by its slug. */
export function orgSlugNotFound(slug: string): AppError {
  return appError(
    'not_found',
    'ORG_NOT_FOUND',
    `no org with the slug '${slug}' is visible to this API key; check the slug, or use the key of a member of the org`,
    { slug },
  );
}
