import { appError, type AppError } from '../domain/shared/app-error.ts';
import type { Principal } from '../domain/shared/principal.ts';

/**
 * Deny by default: until org policies scope reads (the governance issue), only platform admins read org state.
 */
export function canReadOrg(principal: Principal | null, orgId: string): true | AppError {
  if (principal && (principal.kind === 'admin' || principal.kind === 'system')) return true;
  return appError('forbidden', 'FORBIDDEN', `principal may not read org ${orgId}`, { orgId });
}
