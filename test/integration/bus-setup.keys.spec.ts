import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { required } from '../../domain/shared/required.ts';
import { AgentCredentialIssuer } from '../../infra/bus/nats-auth/agent-credentials.ts';
import { writeBusSecrets } from '../../infra/bus/nats-auth/bus-setup.ts';
import { decodeJwtClaims } from '../../infra/bus/nats-auth/jwt.ts';

describe('bus-setup writes the keys of a secured bus once', () => {
  const dirs: string[] = [];
  const fresh = () => {
    const dir = mkdtempSync(join(tmpdir(), 'ag-bus-setup-'));
    dirs.push(dir);
    return dir;
  };
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it("keeps the platform's secrets readable by their owner only, and the server's part free of seeds", () => {
    const paths = writeBusSecrets(fresh());
    expect(statSync(paths.platformCreds).mode & 0o777).toBe(0o600);
    expect(statSync(paths.agentIssuerSeed).mode & 0o777).toBe(0o600);
    const serverAuth = readFileSync(paths.serverAuth, 'utf8');
    // Seeds start with S (SO, SA, SU); the server gets JWTs and public keys only.
    expect(serverAuth).not.toMatch(/\bS[OAU][A-Z2-7]{50,}/u);
    // The issuer seed is the AGENTS account the server trusts, importing the platform's two exports and nothing else.
    const issuer = AgentCredentialIssuer.fromSeedFile(paths.agentIssuerSeed, 60_000);
    const agentsJwt = new RegExp(`${issuer.accountPublicKey}: "([^"]+)"`, 'u').exec(serverAuth)?.[1];
    expect(agentsJwt).toBeDefined();
    const agents = decodeJwtClaims(required(agentsJwt, 'the AGENTS account JWT'));
    expect(agents.nats).toMatchObject({ limits: { disk_storage: 0, mem_storage: 0 }, default_permissions: { pub: { deny: ['>'] }, sub: { deny: ['>'] } } });
    expect((agents.nats.imports as Array<{ subject: string }>).map((entry) => entry.subject).sort()).toEqual(['agencygrid.agent.>', 'agencygrid.work.>']);
  });

  it('refuses to replace existing keys unless forced (new keys invalidate every credential issued)', () => {
    const dir = fresh();
    const first = writeBusSecrets(dir);
    const seed = readFileSync(first.agentIssuerSeed, 'utf8');
    expect(() => writeBusSecrets(dir)).toThrow(/already exist/);
    expect(readFileSync(first.agentIssuerSeed, 'utf8')).toBe(seed);
    writeBusSecrets(dir, { force: true });
    expect(readFileSync(first.agentIssuerSeed, 'utf8')).not.toBe(seed);
  });
});
