import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { required } from '../../domain/shared/required.ts';
import { AgentClient, AgentRequestError, connectAgentBus, type AgentHandlers } from '../../api/agent-client/index.ts';
import type { WorkReply } from '../../domain/agent-protocol/messages.ts';
import { apiKeyId, workRequestSubject } from '../../domain/agent-protocol/subjects.ts';
import { nkeys } from '../../infra/bus/nats-auth/nkeys.ts';
import type { NatsBus } from '../../infra/bus/nats.ts';
import type { Bus } from '../../infra/bus/port.ts';
import { isRequired } from '../support/services.ts';
import { natsServerAvailable, startSecuredNats, type SecuredNats } from '../support/nats-server.ts';
import { serverOnSecuredNats } from '../support/secured-nats-server.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { AUCTION_BID_WINDOW_MS, auctionBidders, runAuctionToVerified } from '../support/nats-auction.ts';
import { workOrg } from '../support/work-fixtures.ts';
import { apiClient } from './api.client.ts';

const available = natsServerAvailable();
if (!available && isRequired('nats')) throw new Error('nats is required (REQUIRE_SERVICES) but the nats-server binary is not installed');
if (!available) console.log('skipped: nats-server binary not found (secured bus suite)');

type ListeningServer = TestServer & { baseUrl: string };

describe.runIf(available)('work over the secured bus: agents on credentials issued for their API keys, no key in any message', () => {
  let nats: SecuredNats;
  let server: ListeningServer;
  let orgId: string;
  const clients: AgentClient[] = [];
  const buses: Bus[] = [];
  /** Every agent request as the platform saw it on the bus (its account sees them all). */
  const requests: Array<{ subject: string; headers: Record<string, string>; data: unknown }> = [];
  const keys: string[] = [];

  async function agent(
    name: string,
    capabilities: Record<string, number>,
    handlers: AgentHandlers,
  ): Promise<{ id: string; key: string; client: AgentClient; bus: NatsBus }> {
    const api = apiClient(server);
    const { id, key } = await api.subjectWithKey(name);
    keys.push(key);
    for (const [capability, level] of Object.entries(capabilities))
      await api.expectStatus(await api.post(`/subjects/${id}/capabilities`, { name: capability, level }), 200);
    expect((await api.grant(orgId, id, 'worker')).statusCode).toBe(201);
    const bus = await connectAgentBus({ natsUrl: nats.url, baseUrl: server.baseUrl, apiKey: key, name: `agent-${name}` });
    buses.push(bus);
    const client = new AgentClient({ bus, subjectId: id, apiKey: key, requestTimeoutMs: 5_000 }, handlers);
    await client.start();
    clients.push(client);
    return { id, key, client, bus };
  }

  beforeAll(async () => {
    nats = await startSecuredNats();
    server = await serverOnSecuredNats(nats);
    await server.platform.bus.subscribe('agencygrid.work.>', (message) => {
      requests.push({ subject: message.subject, headers: { ...message.headers }, data: message.data });
    });
    orgId = await workOrg(server, { 'work.assignmentStrategy': 'auction', 'work.bidWindowMs': AUCTION_BID_WINDOW_MS });
  }, 30_000);
  afterAll(async () => {
    for (const client of clients) await client.stop();
    for (const bus of buses) await bus.close();
    await server?.close();
    await nats?.stop();
  });

  it('runs an auction to a verified job with the platform and the agents on the authenticated server', async () => {
    expect(server.platform.bus.authenticated).toBe(true);
    const bidders = await auctionBidders(server, orgId, async (key, name) => {
      keys.push(key);
      return connectAgentBus({ natsUrl: nats.url, baseUrl: server.baseUrl, apiKey: key, name: `agent-${name}` });
    });
    clients.push(...bidders.agents.map((bidder) => bidder.client));
    buses.push(...bidders.buses);
    await runAuctionToVerified(server, orgId);

    // The requests that did it carried no credential: the connection is the proof.
    expect(requests.length).toBeGreaterThan(4);
    for (const request of requests) {
      expect(Object.keys(request.headers).map((name) => name.toLowerCase())).not.toContain('authorization');
      for (const key of keys) expect(JSON.stringify(request)).not.toContain(key.split('.')[1]);
    }
  });

  it('refuses the requests of a revoked key at once, and any renewal of its credentials', async () => {
    const revoked = await agent('Revoked', {}, {});
    const someTask = '00000000-0000-4000-8000-0000000000aa';
    // Before: the key works (the task does not exist, so the platform answers, refusing the task, not the caller).
    await expect(revoked.client.request('progress', { orgId, taskId: someTask, progress: 1 })).rejects.toMatchObject({ code: 'TASK_NOT_FOUND' });
    const api = apiClient(server);
    await api.expectStatus(await api.post(`/subjects/${revoked.id}/api-keys/${apiKeyId(revoked.key)}/revoke`, { reason: 'leaked' }), 200);

    const refused = await revoked.client.request('progress', { orgId, taskId: someTask, progress: 1 }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(AgentRequestError);
    expect((refused as AgentRequestError).code).toBe('UNKNOWN_API_KEY');
    await expect(connectAgentBus({ natsUrl: nats.url, baseUrl: server.baseUrl, apiKey: revoked.key })).rejects.toMatchObject({ code: 'UNKNOWN_API_KEY' });
  });

  it('refuses a request that carries an API key on the secured bus (keys do not belong in messages)', async () => {
    const sender = await agent('Sender', {}, {});
    const reply = await sender.bus.request(
      workRequestSubject(sender.id, required(apiKeyId(sender.key), 'the key id'), 'progress'),
      { data: { orgId, taskId: '00000000-0000-4000-8000-0000000000bb', progress: 1 }, headers: { Authorization: `Bearer ${sender.key}` } },
      { timeoutMs: 5_000 },
    );
    expect(reply.data as unknown as WorkReply).toMatchObject({ ok: false, error: { code: 'INVALID_HEADER', details: { header: 'Authorization' } } });
  });

  it('issues bus credentials to agents only, for a well-formed public key, and never to a bad request', async () => {
    const api = apiClient(server);
    const publicKey = nkeys.createUser().getPublicKey();
    const admin = await api.post('/agent/bus-credentials', { publicKey });
    expect(admin.statusCode).toBe(403);
    expect(admin.json().code).toBe('AGENTS_ONLY');
    const { key } = await api.subjectWithKey('Asker');
    // The last character changed: the right shape, a wrong checksum.
    const corrupted = `${publicKey.slice(0, -1)}${publicKey.endsWith('A') ? 'B' : 'A'}`;
    for (const body of [
      {},
      { publicKey: 'UNOTAKEY' },
      { publicKey: nkeys.createAccount().getPublicKey() },
      { publicKey: corrupted },
      { publicKey, extra: 1 },
    ]) {
      const bad = await api.post('/agent/bus-credentials', body, key);
      expect(bad.statusCode, JSON.stringify(body)).toBe(400);
      expect(bad.json().code).toBe('VALIDATION_FAILED');
    }
    const issued = await api.post('/agent/bus-credentials', { publicKey }, key);
    expect(issued.statusCode).toBe(201);
    expect(Date.parse(issued.json().expiresAt)).toBeGreaterThan(Date.now());
  });
});

describe('bus credentials where the bus does not authenticate agents', () => {
  it('answers 404 BUS_CREDENTIALS_UNAVAILABLE (the in-process bus)', async () => {
    const server = await startTestServer();
    try {
      const api = apiClient(server);
      const { key } = await api.subjectWithKey('Nowhere');
      const reply = await api.post('/agent/bus-credentials', { publicKey: nkeys.createUser().getPublicKey() }, key);
      expect(reply.statusCode).toBe(404);
      expect(reply.json()).toMatchObject({ code: 'BUS_CREDENTIALS_UNAVAILABLE', details: {} });
    } finally {
      await server.close();
    }
  });
});
