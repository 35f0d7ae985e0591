import { createHash, randomBytes } from 'node:crypto';

/** A key is shown once, when issued; only its SHA-256 is stored. */
export function generateApiKey(): { keyId: string; key: string; keyHash: string } {
  const keyId = randomBytes(9).toString('base64url');
  const key = `agk_${keyId}.${randomBytes(32).toString('base64url')}`;
  return { keyId, key, keyHash: hashApiKey(key) };
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** Keys set by an operator (AGENCYGRID_ADMIN_KEY) get a stable id from their hash, so re-registering is a no-op. */
export function keyIdForOperatorKey(key: string): string {
  return `env-${hashApiKey(key).slice(0, 16)}`;
}
