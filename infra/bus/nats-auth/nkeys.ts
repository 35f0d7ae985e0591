import { nkeys as untyped } from 'nats';

/**
 * The nkeys (ed25519 identities) nats.js ships with, typed: nats.js exports them as `any`. Operators, accounts and
 * users are key pairs; a public key starts with O, A or U, a seed with SO, SA or SU.
 */
export interface KeyPair {
  getPublicKey(): string;
  getSeed(): Uint8Array;
  sign(data: Uint8Array): Uint8Array;
  verify(data: Uint8Array, signature: Uint8Array): boolean;
}

interface NKeys {
  createOperator(): KeyPair;
  createAccount(): KeyPair;
  createUser(): KeyPair;
  fromSeed(seed: Uint8Array): KeyPair;
  fromPublic(publicKey: string): Pick<KeyPair, 'getPublicKey' | 'verify'>;
}

export const nkeys = untyped as NKeys;

const PUBLIC_KEY = { operator: /^O[A-Z2-7]{55}$/, account: /^A[A-Z2-7]{55}$/, user: /^U[A-Z2-7]{55}$/ } as const;

/** True when `value` is a well-formed public nkey of that kind whose checksum holds. */
export function isPublicKey(kind: keyof typeof PUBLIC_KEY, value: string): boolean {
  if (!PUBLIC_KEY[kind].test(value)) return false;
  try {
    nkeys.fromPublic(value);
    return true;
  } catch {
    return false;
  }
}

/** A seed as kept in a file (`SA...`), trimmed. */
export function keyPairFromSeed(seed: string): KeyPair {
  return nkeys.fromSeed(new TextEncoder().encode(seed.trim()));
}
