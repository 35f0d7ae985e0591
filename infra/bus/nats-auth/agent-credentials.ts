import { readFileSync } from 'node:fs';
import { encodeJwt, type UserPermissions } from './jwt.ts';
import { isPublicKey, keyPairFromSeed, type KeyPair } from './nkeys.ts';

export interface IssuedBusCredentials {
  /** The user JWT: with the seed of `userPublicKey`'s key pair (which never leaves the agent) it opens a connection. */
  jwt: string;
  expiresAt: Date;
}

/**
 * Issues agents' bus identities: user JWTs in the AGENTS account (see accounts.ts), signed with that account's key,
 * each for a public key the agent generated (so its seed stays with it), with the permissions given and an expiry.
 * The server refuses an expired JWT and disconnects a connection whose JWT expires, so a credential outlives a
 * revoked API key by at most the TTL; a renewal is refused once the key is revoked.
 */
export class AgentCredentialIssuer {
  constructor(
    private readonly account: KeyPair,
    readonly ttlMs: number,
  ) {
    if (!isPublicKey('account', account.getPublicKey())) throw new Error('the agent credential issuer needs an account seed (SA...)');
  }

  /** From the seed file `agencygrid bus-setup` writes (agents-account.nk). */
  static fromSeedFile(path: string, ttlMs: number): AgentCredentialIssuer {
    let seed: string;
    try {
      seed = readFileSync(path, 'utf8');
    } catch (error) {
      throw new Error(`cannot read NATS_AGENT_ISSUER_SEED_FILE ${path}: ${error instanceof Error ? error.message : String(error)}`);
    }
    return new AgentCredentialIssuer(keyPairFromSeed(seed), ttlMs);
  }

  get accountPublicKey(): string {
    return this.account.getPublicKey();
  }

  /** A well-formed user public key (prefix and checksum), as `issue` requires. */
  acceptsUserKey(value: string): boolean {
    return isPublicKey('user', value);
  }

  issue(input: { name: string; userPublicKey: string; permissions: UserPermissions; now: Date }): IssuedBusCredentials {
    if (!isPublicKey('user', input.userPublicKey)) throw new Error('not a user public key');
    const issuedAt = Math.floor(input.now.getTime() / 1000);
    const expiresAt = issuedAt + Math.ceil(this.ttlMs / 1000);
    const jwt = encodeJwt({
      issuer: this.account,
      subject: input.userPublicKey,
      name: input.name,
      issuedAt,
      expiresAt,
      // subs/data/payload -1: the account's limits apply. No `resp`: agents answer nothing.
      nats: { type: 'user', pub: input.permissions.pub, sub: input.permissions.sub, subs: -1, data: -1, payload: -1 },
    });
    return { jwt, expiresAt: new Date(expiresAt * 1000) };
  }
}
