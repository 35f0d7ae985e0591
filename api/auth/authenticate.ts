import { appError, type AppError } from '../../domain/shared/app-error.ts';
import type { Principal } from '../../domain/shared/principal.ts';
import type { ApiKeyIndex } from '../../projections/api-key-index.ts';
import { hashApiKey } from './api-key.ts';

/** The principal comes from the credential alone: `Authorization: Bearer <api key>`. */
export function authenticate(authorization: string | undefined, keys: ApiKeyIndex): (Principal & { keyId: string }) | AppError {
  if (!authorization) return appError('unauthenticated', 'UNAUTHENTICATED', 'send an API key as "Authorization: Bearer <key>"');
  const match = /^Bearer ([\x21-\x7e]{16,512})$/.exec(authorization);
  if (!match?.[1]) return appError('unauthenticated', 'UNAUTHENTICATED', 'malformed Authorization header; expected "Bearer <key>"');
  if (!keys.healthy) return appError('unavailable', 'EVENT_STORE_UNAVAILABLE', 'credentials cannot be checked right now; retry shortly');
  const principal = keys.principalFor(hashApiKey(match[1]));
  return principal ?? appError('unauthenticated', 'UNAUTHENTICATED', 'unknown or revoked API key');
}
