import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { required } from '../../domain/shared/required.ts';
import { AgentClient, connectAgentBus } from '../../api/agent-client/index.ts';
import type { NatsBus } from '../../infra/bus/nats.ts';
import { isRequired } from '../support/services.ts';
import { natsServerAvailable, startSecuredNats, type SecuredNats } from '../support/nats-server.ts';
import { serverOnSecuredNats } from '../support/secured-nats-server.ts';
import type { TestServer } from '../support/server.ts';
import { workOrg } from '../support/work-fixtures.ts';
import { apiClient } from './api.client.ts';

const available = natsServerAvailable();
if (!available && isRequired('nats')) throw new Error('nats is required (REQUIRE_SERVICES) but the nats-server binary is not installed');
if (!available) console.log('skipped: nats-server binary not found (secured bus suite)');

const TTL_MS = 5_000;

describe.runIf(available)('an agent on the secured bus stays on it past the lifetime of its first credentials', () => {
  let nats: SecuredNats;
  let server: TestServer & { baseUrl: string };
  let bus: NatsBus | undefined;
  let client: AgentClient | undefined;

  beforeAll(async () => {
    nats = await startSecuredNats();
    server = await serverOnSecuredNats(nats, { NATS_AGENT_CREDENTIALS_TTL_MS: String(TTL_MS) });
  }, 30_000);
  afterAll(async () => {
    await client?.stop();
    await bus?.close();
    await server?.close();
    await nats?.stop();
  });

  it('renews its credentials before they expire and keeps working after the server cut the first ones', async () => {
    const api = apiClient(server);
    const orgId = await workOrg(server, {});
    const { id, key } = await api.subjectWithKey('Lasting');
    expect((await api.grant(orgId, id, 'worker')).statusCode).toBe(201);
    const issued: number[] = [];
    const countingFetch: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      if (response.status === 201) issued.push(Date.parse(((await response.clone().json()) as { expiresAt: string }).expiresAt));
      return response;
    };
    bus = await connectAgentBus({ natsUrl: nats.url, baseUrl: server.baseUrl, apiKey: key, fetch: countingFetch });
    client = new AgentClient({ bus, subjectId: id, apiKey: key, requestTimeoutMs: 5_000 }, {});
    await client.start();
    const firstExpiry = required(issued[0], 'the first credentials');
    // Wait for the first credentials to be over (the server disconnects then), and a renewal to have happened.
    const deadline = firstExpiry + 10_000;
    while (Date.now() < firstExpiry + 500 || issued.length < 2 || !bus.isConnected()) {
      if (Date.now() > deadline) throw new Error(`no renewal / reconnection: ${issued.length} issued, connected ${bus.isConnected()}`);
      await new Promise((wake) => setTimeout(wake, 50));
    }
    // The platform still answers it: the refusal is about the (unknown) task, not about the caller.
    await expect(client.request('progress', { orgId, taskId: '00000000-0000-4000-8000-0000000000cc', progress: 1 })).rejects.toMatchObject({
      code: 'TASK_NOT_FOUND',
    });
    expect(issued[1]).toBeGreaterThan(firstExpiry);
  }, 30_000);
});
