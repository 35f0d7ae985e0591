import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createBusTrust, serverAuthConfig } from './accounts.ts';
import { credsFile } from './jwt.ts';

/** What `writeBusSecrets` writes under its directory: the server's part and the platform's part, mounted apart. */
export const BUS_SECRET_FILES = {
  serverAuth: join('server', 'auth.conf'),
  platformCreds: join('platform', 'platform.creds'),
  agentIssuerSeed: join('platform', 'agents-account.nk'),
} as const;

/**
 * New keys for the whole bus (see accounts.ts), written under `dir`:
 * - `server/auth.conf`: the operator and account JWTs, included by deploy/nats/nats-server.conf (public material);
 * - `platform/platform.creds` (NATS_CREDS_FILE) and `platform/agents-account.nk` (NATS_AGENT_ISSUER_SEED_FILE): the
 *   platform's secrets, readable by their owner only.
 * Refuses to overwrite (new keys invalidate every credential issued so far) unless `force`.
 */
export function writeBusSecrets(dir: string, options: { force?: boolean; now?: Date } = {}): Record<keyof typeof BUS_SECRET_FILES, string> {
  const paths = {
    serverAuth: join(dir, BUS_SECRET_FILES.serverAuth),
    platformCreds: join(dir, BUS_SECRET_FILES.platformCreds),
    agentIssuerSeed: join(dir, BUS_SECRET_FILES.agentIssuerSeed),
  };
  const existing = Object.values(paths).filter((path) => existsSync(path));
  if (existing.length > 0 && !options.force) {
    throw new Error(`bus secrets already exist (${existing.join(', ')}); new keys would invalidate every credential issued with them (--force to replace)`);
  }
  const trust = createBusTrust(options.now ?? new Date());
  mkdirSync(join(dir, 'server'), { recursive: true });
  mkdirSync(join(dir, 'platform'), { recursive: true, mode: 0o700 });
  writeFileSync(paths.serverAuth, serverAuthConfig(trust), { mode: 0o644 });
  writeFileSync(paths.platformCreds, credsFile(trust.platformUserJwt, trust.platformUser.getSeed()), { mode: 0o600 });
  writeFileSync(paths.agentIssuerSeed, `${new TextDecoder().decode(trust.agentsAccount.getSeed())}\n`, { mode: 0o600 });
  return paths;
}
