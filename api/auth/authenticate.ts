import { appError, type AppError } from '../../domain/shared/app-error.ts';
import type { Principal } from '../../domain/shared/principal.ts';
import { subjectDecider, subjectStream } from '../../domain/subject/decider.ts';
import type { StreamReader } from '../../commands/stream-loader.ts';
import type { ApiKeyIndex } from '../../projections/api-key-index.ts';
import { hashApiKey } from './api-key.ts';

/** Printable ASCII without spaces, as every key is (issued keys, and AGENCYGRID_ADMIN_KEY by its validation). */
const TOKEN = /^[\x21-\x7e]+$/;
const MAX_KEY_LENGTH = 512;

/**
 * No credential at all. A malformed header (MALFORMED_AUTHORIZATION) and a key that is not known (UNKNOWN_API_KEY)
 * have codes of their own, so a caller knows which of its mistakes to fix.
 */
export const missingCredential = (): AppError =>
  appError('unauthenticated', 'UNAUTHENTICATED', 'this route needs an API key: send "Authorization: Bearer <api key>"');

function malformed(problem: string): AppError {
  return appError('unauthenticated', 'MALFORMED_AUTHORIZATION', `the Authorization header must be "Bearer <api key>": ${problem}`, {
    expected: 'Bearer <api key>',
  });
}

/**
 * The same answer for a key never issued, revoked, rotated away or mistyped: telling them apart would tell a guesser
 * which key ids exist. Keys are looked up by the hash of the whole key, never by the id it contains, so the lookup
 * costs the same whichever it is.
 */
export const unknownApiKey = (): AppError =>
  appError('unauthenticated', 'UNKNOWN_API_KEY', 'this API key is not known (revoked, rotated or mistyped): use a current key, or ask an admin to issue one');

/**
 * The principal comes from the credential alone: `Authorization: Bearer <api key>`. The scheme is case-insensitive
 * (RFC 9110); anything a key can be (1-512 printable characters) is looked up, so a short or odd-looking key is
 * "unknown", never "malformed".
 */
export function authenticate(authorization: string | undefined, keys: ApiKeyIndex): (Principal & { keyId: string }) | AppError {
  if (authorization === undefined || authorization.trim() === '') return missingCredential();
  const match = /^(\S+)(?:[ \t]+(.*))?$/.exec(authorization.trim());
  const scheme = match?.[1] ?? '';
  const key = match?.[2]?.trim() ?? '';
  if (scheme.toLowerCase() !== 'bearer') {
    // The scheme is named back only when it is one (a lone word); a value without a scheme may be the key itself.
    return malformed(
      key === ''
        ? 'the scheme is missing; put "Bearer " before the key'
        : `the scheme is ${/^[A-Za-z][\w-]{0,30}$/.test(scheme) ? scheme : 'not Bearer'}; API keys are sent as Bearer tokens`,
    );
  }
  if (key === '') return malformed('no key follows "Bearer"');
  if (!TOKEN.test(key)) return malformed('the key has spaces or characters outside printable ASCII; send it exactly as issued');
  if (key.length > MAX_KEY_LENGTH) return malformed(`the key is longer than any API key (at most ${MAX_KEY_LENGTH} characters)`);
  if (!keys.healthy) return appError('unavailable', 'EVENT_STORE_UNAVAILABLE', 'credentials cannot be checked right now; retry shortly');
  return keys.principalFor(hashApiKey(key)) ?? unknownApiKey();
}

/**
 * A suspended subject is refused at authentication, whatever its key: it can do nothing (not even read itself) until
 * it is reinstated. Stricter than leaving it to policies, which an org could write to let it act. The subject's
 * state comes from its stream through the write-side cache, caught up on each call (one short read).
 */
export async function refuseSuspendedSubject(principal: Principal, reader: StreamReader): Promise<AppError | null> {
  if (principal.kind !== 'subject') return null;
  const { state } = await reader.load(subjectDecider, subjectStream(principal.id));
  // A key whose subject is gone is as good as unknown: the same answer, so it reveals nothing more.
  if (state === null) return unknownApiKey();
  if (state.status === 'suspended') {
    return appError('forbidden', 'SUBJECT_SUSPENDED', 'this subject is suspended; its keys are refused until it is reinstated', { subjectId: principal.id });
  }
  return null;
}
