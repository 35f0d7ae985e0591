import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { required } from '../../domain/shared/required.ts';
import { AgentClient, AgentRequestError, MemoryBus, type AgentHandlers, type CallForProposals } from '../../api/agent-client/index.ts';
import { agentInboxSubject } from '../../domain/agent-protocol/subjects.ts';
import type { ServerOptions } from '../../api/server.ts';
import type { Subscription } from '../../infra/bus/port.ts';
import { waitFor } from '../support/async.ts';
import { serviceUrl } from '../support/services.ts';
import { ADMIN_KEY, startTestServer } from '../support/server.ts';
import { streamEvents, submitJob, waitForStreamEvent, workAgent, workOrg, type TestAgent } from '../support/work-fixtures.ts';
import { apiClient } from './api.client.ts';
import { SseClient } from './api.events-stream.client.ts';
import { listening, type ListeningServer, useListeningServer } from '../support/listening-server.ts';
import { expectCheapestSummaryDelivered, summariseAuctionSettings, summariseJobVerified, summarisingBidder } from '../support/summarise-auction.ts';

/**
 * Agents without NATS: the inbox over `GET /agent/inbox` (Server-Sent Events) and requests over
 * `POST /agent/requests/:kind`, through the SDK's HTTP transport, against the real server listening on a port.
 */

const inboxTiming: NonNullable<ServerOptions['agentInbox']> = { heartbeatMs: 100, retryMs: 100, accessTtlMs: 100, maxQueued: 8 };

async function startListeningServer(env: Record<string, string> = {}): Promise<ListeningServer> {
  return listening(await startTestServer({ server: { agentInbox: inboxTiming }, env }));
}

/** A fetch that records what it was asked: `GET /agent/inbox`, `POST /agent/requests/propose`, ... */
function recordingFetch(calls: string[]): typeof fetch {
  return async (input, init) => {
    calls.push(`${init?.method ?? 'GET'} ${new URL(String(input)).pathname}`);
    return fetch(input, init);
  };
}

function httpClient(server: ListeningServer, agent: { id: string; key: string }, handlers: AgentHandlers, calls: string[] = []): AgentClient {
  return new AgentClient(
    {
      http: { baseUrl: server.baseUrl, fetch: recordingFetch(calls), reconnect: { initialDelayMs: 50, maxDelayMs: 200 } },
      subjectId: agent.id,
      apiKey: agent.key,
      requestTimeoutMs: 5_000,
    },
    handlers,
  );
}

const cfpFor = (orgId: string, jobId: string, round = 1): CallForProposals => ({
  orgId,
  jobId,
  round,
  closesAt: new Date(Date.now() + 60_000).toISOString(),
  goal: 'a test call',
  objectives: [],
  requiredCapabilities: [],
  budget: null,
  deadline: null,
});

async function rejection(promise: Promise<unknown>): Promise<AgentRequestError> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(AgentRequestError);
  return error as AgentRequestError;
}

describe('a job assigned by auction, worked, delivered and verified by agents over HTTP only (in-process bus)', () => {
  let server: ListeningServer;
  let orgId: string;
  let cheap: TestAgent;
  let dear: TestAgent;
  let unqualified: TestAgent;
  let verifier: TestAgent;
  const clients: AgentClient[] = [];
  const calls: Record<string, string[]> = {};
  const rejectedProposals: string[] = [];
  const errors: Array<{ agent: string; kind: string; error: unknown }> = [];

  beforeAll(async () => {
    server = await startListeningServer();
    orgId = await workOrg(server, summariseAuctionSettings);
    const worker = (price: number) => summarisingBidder(price, rejectedProposals);
    const agent = async (name: string, input: { capabilities?: Record<string, number>; role?: string; handlers: AgentHandlers }) => {
      // Registered, with a key and a role; its bus client is never started: this agent has HTTP only.
      const registered = await workAgent(server, { orgId, name, ...input, start: false });
      calls[name] = [];
      const client = httpClient(
        server,
        registered,
        { ...input.handlers, onError: (error, context) => void errors.push({ agent: name, kind: context.kind, error }) },
        calls[name],
      );
      clients.push(client);
      await client.start();
      return { ...registered, client };
    };
    cheap = await agent('Cheap', { capabilities: { summarise: 3 }, handlers: worker(5) });
    dear = await agent('Dear', { capabilities: { summarise: 3 }, handlers: worker(10) });
    unqualified = await agent('Unqualified', { capabilities: {}, handlers: worker(1) });
    verifier = await agent('Verifier', {
      role: 'reviewer',
      handlers: { onVerify: (request) => ({ accept: JSON.stringify(request.deliverable).includes('SUMMARISE'), note: 'checked' }) },
    });
  });
  afterAll(async () => {
    for (const client of clients) await client.stop();
    await server?.close();
  });

  it('runs on the in-process bus, with no agent on it', () => {
    expect(server.platform.bus).toBeInstanceOf(MemoryBus);
  });

  it('awards the lowest valid bid and runs the job to verified, every message and answer over HTTP', async () => {
    const jobId = await summariseJobVerified(server, orgId, verifier, unqualified);

    const assignment = await streamEvents(server, `assignment-${jobId}`);
    const proposals = assignment.filter((event) => event.type === 'ProposalRecorded').map((event) => event.data);
    expect(proposals.map((proposal) => [proposal.subjectId, proposal.valid]).sort()).toEqual(
      [
        [cheap.id, true],
        [dear.id, true],
        [unqualified.id, false],
      ].sort(),
    );
    const awarded = required(
      assignment.find((event) => event.type === 'AssignmentAwarded'),
      'the award',
    ).data;
    expect(awarded).toMatchObject({ subjectId: cheap.id, declined: [dear.id] });
    // The losing bidder heard so through its inbox (`reject`).
    await waitFor(() => rejectedProposals.includes(`10:${jobId}`), 5000, 'the reject message');

    const contractId = awarded.contractId as string;
    await expectCheapestSummaryDelivered(server, jobId, contractId);

    // Every agent read its inbox and answered over HTTP: the bids, the signature, the task's progress, tool use and
    // result, and the verdict.
    for (const name of ['Cheap', 'Dear', 'Unqualified', 'Verifier']) expect(calls[name], name).toContain('GET /agent/inbox');
    expect(calls.Dear).toContain('POST /agent/requests/propose');
    expect(calls.Cheap).toEqual(
      expect.arrayContaining([
        'POST /agent/requests/propose',
        'POST /agent/requests/sign',
        'POST /agent/requests/progress',
        'POST /agent/requests/tool',
        'POST /agent/requests/inform',
      ]),
    );
    expect(calls.Verifier).toContain('POST /agent/requests/verdict');
    expect(calls.Verifier).not.toContain('POST /agent/requests/propose');
    // The unqualified agent was not invited: it bid only because the test made it.
    expect(required(calls.Unqualified, 'the calls of the unqualified agent').filter((call) => call === 'POST /agent/requests/propose')).toHaveLength(1);
    expect(errors).toEqual([]);
  });

  it('maps an error answer to AgentRequestError with its code, message and details; an Idempotency-Key answers the same', async () => {
    const invalid = await rejection(cheap.client.request('propose', { orgId, jobId: 'not-a-uuid', round: 1, bid: { price: 1 } }));
    expect(invalid.code).toBe('VALIDATION_FAILED');
    expect(invalid.details).toMatchObject({ issues: expect.arrayContaining([expect.objectContaining({ path: ['jobId'] })]) });

    const admin = httpClient(server, { id: 'admin', key: ADMIN_KEY }, {});
    const agentsOnly = await rejection(admin.request('sign', { orgId, contractId: '00000000-0000-4000-8000-000000000000' }));
    expect(agentsOnly).toMatchObject({ code: 'AGENTS_ONLY', details: { kind: 'admin' } });

    const jobId = await submitJob(server, orgId, { goal: 'a job bid on twice', requiredCapabilities: [{ name: 'summarise', level: 2 }] });
    await waitForStreamEvent(server, `assignment-${jobId}`, 'CallForProposalsIssued');
    const first = await unqualified.client.request('propose', { orgId, jobId, round: 1, bid: { price: 2 } }, 'retry-me');
    const again = await unqualified.client.request('propose', { orgId, jobId, round: 1, bid: { price: 2 } }, 'retry-me');
    expect(first).toEqual(expect.any(String));
    expect(again).toBe(first);
  });

  it("refuses to start an inbox for an unknown key or an admin, with the server's error", async () => {
    const unknown = httpClient(server, { id: cheap.id, key: 'agk_nope.0123456789abcdefghijklmnopqrstuvwxyz' }, {});
    expect(await rejection(unknown.start())).toMatchObject({ code: 'UNKNOWN_API_KEY' });
    const admin = httpClient(server, { id: 'admin', key: ADMIN_KEY }, {});
    expect(await rejection(admin.start())).toMatchObject({ code: 'AGENTS_ONLY' });
  });

  it('reconnects the inbox with backoff when the connection drops, and keeps receiving', async () => {
    const seen: string[] = [];
    const drops: unknown[] = [];
    const registered = await workAgent(server, { orgId, name: 'Reconnecting', start: false, handlers: {} });
    const calls: string[] = [];
    const client = httpClient(
      server,
      registered,
      {
        onCallForProposals: (cfp) => {
          seen.push(cfp.jobId);
          return null;
        },
        onError: (error, context) => void (context.kind === 'inbox' && drops.push(error)),
      },
      calls,
    );
    clients.push(client);
    await client.start();
    const before = crypto.randomUUID();
    await server.platform.bus.publish(agentInboxSubject(registered.id, 'cfp'), { data: cfpFor(orgId, before) });
    await waitFor(() => seen.includes(before), 5000, 'the first call');

    // Every socket of the server is cut: the inbox drops and the client opens it again.
    server.app.server.closeAllConnections();
    await waitFor(() => drops.length > 0, 5000, 'the drop to be reported');
    const after = crypto.randomUUID();
    // At most once, like the bus: published until the reopened inbox receives it.
    await waitFor(
      async () => {
        await server.platform.bus.publish(agentInboxSubject(registered.id, 'cfp'), { data: cfpFor(orgId, after) });
        return seen.includes(after);
      },
      5000,
      'a call after the reconnection',
    );
    expect(calls.filter((call) => call === 'GET /agent/inbox').length).toBeGreaterThanOrEqual(2);
    await client.stop();
  });
});

describe('GET /agent/inbox', () => {
  const listeningServer = useListeningServer(() => startListeningServer());
  const { server, api } = listeningServer;
  const open = (key: string) => listeningServer.stream('/agent/inbox', key);

  it("delivers to each agent its own messages only, as `event: <kind>` and the message's JSON", async () => {
    const alice = await api.subjectWithKey('Alice');
    const bob = await api.subjectWithKey('Bob');
    const aliceInbox = await open(alice.key);
    const bobInbox = await open(bob.key);
    expect(aliceInbox.headers['content-type']).toMatch(/^text\/event-stream/);

    await server.platform.bus.publish(agentInboxSubject(alice.id, 'dispatch'), { data: { for: 'alice', n: 1 } });
    await server.platform.bus.publish(`agencygrid.agent.${alice.id}.bogus`, { data: { for: 'alice', n: 2 } });
    await server.platform.bus.publish(agentInboxSubject(bob.id, 'cfp'), { data: { for: 'bob', n: 1 } });
    await server.platform.bus.publish(agentInboxSubject(alice.id, 'cancel'), { data: { for: 'alice', n: 3 } });
    await aliceInbox.until(() => aliceInbox.messages.length >= 2, 5000, "alice's messages");
    await bobInbox.until(() => bobInbox.messages.length >= 1, 5000, "bob's message");
    // Bob's stream was live while alice's messages went by (his came after the first of hers); a little longer to
    // catch a late stray.
    await new Promise((resolve) => setTimeout(resolve, 200));

    expect(aliceInbox.messages.map((message) => [message.event, message.json])).toEqual([
      ['dispatch', { for: 'alice', n: 1 }],
      ['cancel', { for: 'alice', n: 3 }],
    ]);
    expect(bobInbox.messages.map((message) => [message.event, message.json])).toEqual([['cfp', { for: 'bob', n: 1 }]]);
    // Heartbeats.
    await aliceInbox.until(() => aliceInbox.comments.includes('keep-alive'), 2000, 'a keep-alive');
  });

  it('is 401 without a key or with an unknown one, 403 AGENTS_ONLY for an admin, 400 with a parameter naming a subject', async () => {
    const alice = await api.subjectWithKey('Alice again');
    const none = await fetch(`${server.baseUrl}/agent/inbox`);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer');
    expect(await none.json()).toMatchObject({ code: 'UNAUTHENTICATED' });

    const unknown = await SseClient.open(`${server.baseUrl}/agent/inbox`, 'agk_nope.0123456789abcdefghijklmnopqrstuvwxyz');
    expect(unknown).toMatchObject({ status: 401, body: { code: 'UNKNOWN_API_KEY' } });

    const admin = await SseClient.open(`${server.baseUrl}/agent/inbox`, ADMIN_KEY);
    expect(admin).toMatchObject({ status: 403, body: { code: 'AGENTS_ONLY', details: { kind: 'admin' } } });

    const bob = await api.subjectWithKey('Bob again');
    const named = await SseClient.open(`${server.baseUrl}/agent/inbox?subjectId=${alice.id}`, bob.key);
    expect(named).toMatchObject({ status: 400, body: { code: 'VALIDATION_FAILED' } });
  });

  it('refuses a suspended subject, and ends an open inbox when its subject is suspended or its key revoked', async () => {
    const carol = await api.subjectWithKey('Carol');
    const dave = await api.subjectWithKey('Dave');
    const carolInbox = await open(carol.key);
    const daveInbox = await open(dave.key);

    await api.expectStatus(await api.post(`/subjects/${carol.id}/suspend`, { reason: 'compromised' }), 200);
    await carolInbox.until(() => carolInbox.isEnded, 3000, "the suspended subject's inbox to end");
    expect(carolInbox.comments).toContainEqual(expect.stringMatching(/^closed: SUBJECT_SUSPENDED: this subject is suspended/));
    const refused = await SseClient.open(`${server.baseUrl}/agent/inbox`, carol.key);
    expect(refused).toMatchObject({ status: 403, body: { code: 'SUBJECT_SUSPENDED', details: { subjectId: carol.id } } });

    const keyId = /^agk_([^.]+)\./.exec(dave.key)?.[1];
    await api.expectStatus(await api.post(`/subjects/${dave.id}/api-keys/${keyId}/revoke`, { reason: 'leaked' }), 200);
    await daveInbox.until(() => daveInbox.isEnded, 3000, "the revoked key's inbox to end");
    // The same code a request with that key now gets: reconnecting cannot help.
    expect(daveInbox.comments).toContainEqual(expect.stringMatching(/^closed: UNKNOWN_API_KEY: this API key is not known/));
  });

  it('releases its bus subscription when the client disconnects', async () => {
    const erin = await api.subjectWithKey('Erin');
    const subscriptions: Subscription[] = [];
    const bus = server.platform.bus;
    const subscribe = bus.subscribe.bind(bus) as (...args: unknown[]) => Promise<Subscription>;
    const spy = vi.spyOn(bus, 'subscribe').mockImplementation((async (...args: unknown[]) => {
      const subscription = await subscribe(...args);
      subscriptions.push(subscription);
      return subscription;
    }) as typeof bus.subscribe);
    try {
      const inbox = await open(erin.key);
      expect(subscriptions.map((subscription) => subscription.pattern)).toEqual([`agencygrid.agent.${erin.id}.>`]);
      let released = false;
      void required(subscriptions[0], 'the inbox subscription').closed.then(() => {
        released = true;
      });
      await new Promise((resolve) => setTimeout(resolve, 150)); // a fixed wait: the open stream must hold the subscription
      expect(released).toBe(false);
      inbox.close();
      await waitFor(() => released, 3000, 'the subscription to be released');
    } finally {
      spy.mockRestore();
    }
  });

  it('drops a client that stops reading instead of buffering without limit', async () => {
    const frank = await api.subjectWithKey('Frank');
    const inbox = await open(frank.key);
    inbox.pause();
    const big = 'x'.repeat(200_000);
    const total = 100;
    for (let index = 0; index < total; index += 1) {
      await server.platform.bus.publish(agentInboxSubject(frank.id, 'dispatch'), { data: { index, big } });
    }
    inbox.resume();
    await inbox.until(() => inbox.isEnded, 5000, 'the stream to be dropped');
    // What the sockets held got through, the rest was not queued for it.
    expect(inbox.messages.length).toBeLessThan(total);
    expect(inbox.messages.map((message) => (message.json as unknown as { index: number }).index)).toEqual(
      Array.from({ length: inbox.messages.length }, (_, index) => index),
    );
  });

  it('ends open inboxes promptly when the server shuts down, and an HTTP agent lets go', async () => {
    const own = await startListeningServer();
    const ownApi = apiClient(own);
    const gina = await ownApi.subjectWithKey('Gina');
    const raw = await SseClient.connect(`${own.baseUrl}/agent/inbox`, gina.key);
    const stuck = await SseClient.connect(`${own.baseUrl}/agent/inbox`, gina.key);
    stuck.pause();
    const client = httpClient(own, gina, {});
    await client.start();
    const started = Date.now();
    await own.close();
    expect(Date.now() - started).toBeLessThan(4000);
    await raw.until(() => raw.isEnded, 2000, 'the inbox to end');
    expect(raw.comments).toContain('closed: server shutting down');
    stuck.close();
    await client.stop();
  });
});

const natsUrl = serviceUrl('nats', 'NATS_URL');

describe.runIf(natsUrl)('GET /agent/inbox with the platform on NATS', () => {
  let server: ListeningServer;
  afterAll(async () => server?.close());

  it('forwards what the platform publishes on NATS to the HTTP agent', async () => {
    server = await startListeningServer({
      NATS_URL: required(natsUrl, 'NATS_URL (the block runs only with it)'),
      DATA_DIR: mkdtempSync(join(tmpdir(), 'ag-inbox-nats-')),
    });
    expect(server.platform.bus).not.toBeInstanceOf(MemoryBus);
    const api = apiClient(server);
    const agent = await api.subjectWithKey('Nats reader');
    const other = await api.subjectWithKey('Nats other');
    const seen: string[] = [];
    const client = httpClient(server, agent, {
      onCallForProposals: (cfp) => {
        seen.push(cfp.jobId);
        return null;
      },
    });
    const otherSeen: string[] = [];
    const otherClient = httpClient(server, other, {
      onCallForProposals: (cfp) => {
        otherSeen.push(cfp.jobId);
        return null;
      },
    });
    await client.start();
    await otherClient.start();
    try {
      const jobId = crypto.randomUUID();
      await server.platform.bus.publish(agentInboxSubject(agent.id, 'cfp'), { data: cfpFor('00000000-0000-4000-8000-000000000001', jobId) });
      await waitFor(() => seen.includes(jobId), 5000, 'the call over NATS and HTTP');
      await new Promise((resolve) => setTimeout(resolve, 200)); // a fixed wait: nothing may reach the other agent
      expect(otherSeen).toEqual([]);
    } finally {
      await client.stop();
      await otherClient.stop();
    }
  });
});
