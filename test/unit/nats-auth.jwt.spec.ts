import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AgentCredentialIssuer } from '../../infra/bus/nats-auth/agent-credentials.ts';
import { base32, decodeJwtClaims, encodeJwt } from '../../infra/bus/nats-auth/jwt.ts';
import { nkeys } from '../../infra/bus/nats-auth/nkeys.ts';

describe('NATS JWTs as the server reads them', () => {
  it('are signed by the issuer over header and claims, and any change breaks the signature', () => {
    const account = nkeys.createAccount();
    const user = nkeys.createUser();
    const jwt = encodeJwt({ issuer: account, subject: user.getPublicKey(), name: 'u', issuedAt: 1_700_000_000, nats: { type: 'user', pub: {}, sub: {} } });
    const [header, body, signature] = jwt.split('.') as [string, string, string];
    expect(JSON.parse(Buffer.from(header, 'base64url').toString())).toEqual({ typ: 'JWT', alg: 'ed25519-nkey' });
    const verifier = nkeys.fromPublic(account.getPublicKey());
    expect(verifier.verify(Buffer.from(`${header}.${body}`), Buffer.from(signature, 'base64url'))).toBe(true);
    const claims = decodeJwtClaims(jwt);
    const tampered = Buffer.from(JSON.stringify({ ...claims, nats: { ...claims.nats, pub: { allow: ['>'] } } })).toString('base64url');
    expect(verifier.verify(Buffer.from(`${header}.${tampered}`), Buffer.from(signature, 'base64url'))).toBe(false);
    expect(claims).toMatchObject({ iss: account.getPublicKey(), sub: user.getPublicKey(), iat: 1_700_000_000, nats: { type: 'user', version: 2 } });
  });

  it('carry as jti the base32 SHA-256 of the claims without it', () => {
    const operator = nkeys.createOperator();
    const { jti, ...rest } = decodeJwtClaims(
      encodeJwt({ issuer: operator, subject: operator.getPublicKey(), name: 'o', issuedAt: 1, nats: { type: 'operator' } }),
    );
    // RFC 4648 test vectors, unpadded.
    expect(['', 'f', 'fo', 'foo', 'foob', 'fooba', 'foobar'].map((text) => base32(Buffer.from(text)))).toEqual([
      '',
      'MY',
      'MZXQ',
      'MZXW6',
      'MZXW6YQ',
      'MZXW6YTB',
      'MZXW6YTBOI',
    ]);
    expect(jti).toBe(base32(createHash('sha256').update(JSON.stringify(rest)).digest()));
  });

  it("expire agents' credentials after the issuer's lifetime, counted from the time given", () => {
    const issuer = new AgentCredentialIssuer(nkeys.createAccount(), 90_000);
    const now = new Date(Date.UTC(2030, 0, 1));
    const issued = issuer.issue({
      name: 'a',
      userPublicKey: nkeys.createUser().getPublicKey(),
      permissions: { pub: { allow: ['x'] }, sub: { allow: ['y'] } },
      now,
    });
    expect(issued.expiresAt.getTime() - now.getTime()).toBe(90_000);
    expect(decodeJwtClaims(issued.jwt)).toMatchObject({ exp: now.getTime() / 1000 + 90, nats: { pub: { allow: ['x'] }, sub: { allow: ['y'] } } });
    expect(() => issuer.issue({ name: 'a', userPublicKey: nkeys.createAccount().getPublicKey(), permissions: { pub: {}, sub: {} }, now })).toThrow(
      /user public key/,
    );
    expect(() => new AgentCredentialIssuer(nkeys.createUser(), 1000)).toThrow(/account seed/);
  });
});
