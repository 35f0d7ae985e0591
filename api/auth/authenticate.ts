import { appError, type AppError } from '../../domain/shared/app-error.ts';
import type { Principal } from '../../domain/shared/principal.ts';
import { subjectDecider, subjectStream } from '../../domain/subject/decider.ts';
import type { StreamReader } from '../../commands/stream-loader.ts';
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

/**
 * A suspended subject is refused at authentication, whatever its key: it can do nothing (not even read itself) until
 * it is reinstated. Stricter than leaving it to policies, which an org could write to let it act. The subject's
 * state comes from its stream through the write-side cache, caught up on each call (one short read).
 */
export async function refuseSuspendedSubject(principal: Principal, reader: StreamReader): Promise<AppError | null> {
  if (principal.kind !== 'subject') return null;
  const { state } = await reader.load(subjectDecider, subjectStream(principal.id));
  if (state === null) return appError('unauthenticated', 'UNAUTHENTICATED', 'the subject this key belongs to does not exist');
  if (state.status === 'suspended') {
    return appError('forbidden', 'SUBJECT_SUSPENDED', 'this subject is suspended; its keys are refused until it is reinstated', { subjectId: principal.id });
  }
  return null;
}
