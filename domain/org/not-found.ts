import { appError, type AppError } from '../shared/app-error.ts';

/** The answer for an org that does not exist, and so for one the caller may not see (the two must not differ). */
export function orgNotFound(orgId: string): AppError {
  return appError('not_found', 'ORG_NOT_FOUND', `org ${orgId} does not exist`, { orgId });
}
