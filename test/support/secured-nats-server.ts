import { mkdtempSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SecuredNats } from './nats-server.ts';
import { startTestServer, type TestServer } from './server.ts';

/**
 * A test server listening on a port, on the secured bus `nats` with the platform's credentials and the agent issuer's
 * seed (so it issues agents bus credentials), its data in a fresh folder; `env` adds settings.
 */
export async function serverOnSecuredNats(nats: SecuredNats, env: Record<string, string> = {}): Promise<TestServer & { baseUrl: string }> {
  const started = await startTestServer({
    env: {
      NATS_URL: nats.url,
      NATS_CREDS_FILE: nats.platformCredsFile,
      NATS_AGENT_ISSUER_SEED_FILE: nats.agentIssuerSeedFile,
      DATA_DIR: mkdtempSync(join(tmpdir(), 'ag-secured-nats-')),
      ...env,
    },
  });
  await started.app.listen({ port: 0, host: '127.0.0.1' });
  return { ...started, baseUrl: `http://127.0.0.1:${(started.app.server.address() as AddressInfo).port}` };
}
