import { createHash } from 'node:crypto';
import type { KeyPair } from './nkeys.ts';

/**
 * NATS JWTs (decentralized auth, github.com/nats-io/jwt v2): the server verifies a chain operator -> account -> user
 * by these signatures, so the platform can issue a user (an agent's bus credential) without touching the server.
 * No JS library encoding them is installed (nats.js only reads them), so the encoding lives here: a JWT is
 * `base64url(header).base64url(claims).base64url(ed25519 signature of the first two parts by the issuer's nkey)`,
 * and `jti` is the base32 SHA-256 of the claims without it, as the Go library computes it.
 */

const HEADER = Buffer.from(JSON.stringify({ typ: 'JWT', alg: 'ed25519-nkey' })).toString('base64url');

export type JwtKind = 'operator' | 'account' | 'user';

export interface Permission {
  allow?: string[];
  deny?: string[];
}

export interface UserPermissions {
  pub: Permission;
  sub: Permission;
}

export interface AccountExport {
  name: string;
  subject: string;
  type: 'stream' | 'service';
}

export interface AccountImport {
  name: string;
  subject: string;
  /** The exporting account's public key. */
  account: string;
  type: 'stream' | 'service';
}

export interface ClaimsInput {
  /** Who signs: the operator (its own JWT and accounts') or an account (its users'). */
  issuer: KeyPair;
  /** The identity the JWT describes: a public key. */
  subject: string;
  name: string;
  /** Seconds since the epoch. */
  issuedAt: number;
  /** Seconds since the epoch; the server refuses (and disconnects) the identity after it. */
  expiresAt?: number;
  nats: Record<string, unknown> & { type: JwtKind };
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 base32, unpadded (as the Go library encodes `jti`). */
export function base32(bytes: Uint8Array): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}

export function encodeJwt(input: ClaimsInput): string {
  const claims: Record<string, unknown> = {
    ...(input.expiresAt === undefined ? {} : { exp: input.expiresAt }),
    iat: input.issuedAt,
    iss: input.issuer.getPublicKey(),
    name: input.name,
    sub: input.subject,
    nats: { ...input.nats, version: 2 },
  };
  const jti = base32(createHash('sha256').update(JSON.stringify(claims)).digest());
  const body = Buffer.from(JSON.stringify({ jti, ...claims })).toString('base64url');
  const signature = Buffer.from(input.issuer.sign(Buffer.from(`${HEADER}.${body}`))).toString('base64url');
  return `${HEADER}.${body}.${signature}`;
}

/** The claims of a JWT, unverified (for tests and for reading back what was issued). */
export function decodeJwtClaims(jwt: string): Record<string, unknown> & { sub: string; iss: string; exp?: number; nats: Record<string, unknown> } {
  const part = jwt.split('.')[1];
  if (part === undefined) throw new Error('not a JWT');
  return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as ReturnType<typeof decodeJwtClaims>;
}

/** A `.creds` file: what `nats --creds`, nats.js `credsAuthenticator` and nats-server tooling read. */
export function credsFile(jwt: string, seed: Uint8Array): string {
  return [
    '-----BEGIN NATS USER JWT-----',
    jwt,
    '------END NATS USER JWT------',
    '',
    '************************* IMPORTANT *************************',
    'NKEY Seed printed below can be used to sign and prove identity.',
    'NKEYs are sensitive and should be treated as secrets.',
    '',
    '-----BEGIN USER NKEY SEED-----',
    new TextDecoder().decode(seed),
    '------END USER NKEY SEED------',
    '',
  ].join('\n');
}
