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

/** A random id for an operator-chosen key: an id derived from the key would let anyone who reads events test guesses. */
export function operatorKeyId(): string {
  return `env-${randomBytes(9).toString('base64url')}`;
}
