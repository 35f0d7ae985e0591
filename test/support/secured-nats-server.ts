import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SecuredNats } from './nats-server.ts';
import { listening, type ListeningServer } from './listening-server.ts';
import { startTestServer } from './server.ts';

/**
 * A test server listening on a port, on the secured bus `nats` with the platform's credentials and the agent issuer's
 * seed (so it issues agents bus credentials), its data in a fresh folder; `env` adds settings.
 */
export async function serverOnSecuredNats(nats: SecuredNats, env: Record<string, string> = {}): Promise<ListeningServer> {
  const started = await startTestServer({
    env: {
      NATS_URL: nats.url,
      NATS_CREDS_FILE: nats.platformCredsFile,
      NATS_AGENT_ISSUER_SEED_FILE: nats.agentIssuerSeedFile,
      DATA_DIR: mkdtempSync(join(tmpdir(), 'ag-secured-nats-')),
      ...env,
    },
  });
  return listening(started);
}
