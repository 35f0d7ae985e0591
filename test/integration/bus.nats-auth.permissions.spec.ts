import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { required } from '../../domain/shared/required.ts';
import { agentBusPermissions, agentInboxSubject, agentReplyPrefix, workRequestSubject } from '../../domain/agent-protocol/subjects.ts';
import { BusPermissionError, BusUnavailableError } from '../../infra/bus/errors.ts';
import { NatsBus } from '../../infra/bus/nats.ts';
import { AgentCredentialIssuer } from '../../infra/bus/nats-auth/agent-credentials.ts';
import { nkeys } from '../../infra/bus/nats-auth/nkeys.ts';
import type { IncomingMessage } from '../../infra/bus/port.ts';
import { isRequired } from '../support/services.ts';
import { natsServerAvailable, startSecuredNats, type SecuredNats } from '../support/nats-server.ts';
import { waitFor } from '../support/async.ts';

const available = natsServerAvailable();
if (!available) {
  if (isRequired('nats')) throw new Error('nats is required (REQUIRE_SERVICES) but the nats-server binary is not installed');
  console.log('skipped: nats-server binary not found (secured bus suite)');
}

const until = (what: string, check: () => boolean, timeoutMs = 10_000): Promise<void> => waitFor(check, timeoutMs, what);

describe.runIf(available)('the shipped NATS config: every connection authenticated, each agent confined to its own subjects', () => {
  let nats: SecuredNats;
  let issuer: AgentCredentialIssuer;
  let platform: NatsBus;
  const opened: NatsBus[] = [];
  const A = { subjectId: '0a0a0a0a-0000-4000-8000-00000000000a', keyId: 'keyOfAgentA1' };
  const B = { subjectId: '0b0b0b0b-0000-4000-8000-00000000000b', keyId: 'keyOfAgentB1' };

  /** An agent connection with credentials the platform issued (as POST /agent/bus-credentials does). */
  async function agentBus(agent: { subjectId: string; keyId: string }, options: { now?: Date; errors?: unknown[] } = {}): Promise<NatsBus> {
    const user = nkeys.createUser();
    const { jwt } = issuer.issue({
      name: agent.subjectId,
      userPublicKey: user.getPublicKey(),
      permissions: agentBusPermissions(agent.subjectId, agent.keyId),
      now: options.now ?? new Date(),
    });
    const bus = await NatsBus.connect(nats.url, {
      name: `agent-${agent.subjectId}`,
      maxReconnectAttempts: 0,
      credentials: { jwt: () => jwt, seed: user.getSeed(), inboxPrefix: agentReplyPrefix(agent.subjectId) },
      onError: (error) => options.errors?.push(error),
    });
    opened.push(bus);
    return bus;
  }

  beforeAll(async () => {
    nats = await startSecuredNats();
    issuer = AgentCredentialIssuer.fromSeedFile(nats.agentIssuerSeedFile, 60_000);
    platform = await NatsBus.connect(nats.url, { name: 'platform', credentials: { creds: nats.platformCreds } });
  }, 30_000);
  afterAll(async () => {
    for (const bus of opened) await bus.close();
    await platform?.close();
    await nats?.stop();
  });

  it('refuses a connection without credentials', async () => {
    await expect(NatsBus.connect(nats.url, { maxReconnectAttempts: 0 })).rejects.toBeInstanceOf(BusUnavailableError);
  });

  it('refuses credentials that have expired (a renewal is what keeps an agent on the bus)', async () => {
    const issuedLongAgo = new Date(Date.now() - 120_000);
    await expect(agentBus(A, { now: issuedLongAgo })).rejects.toBeInstanceOf(BusUnavailableError);
  });

  it('refuses a credential for a key the issuer did not sign (a self-made account)', async () => {
    const forger = new AgentCredentialIssuer(nkeys.createAccount(), 60_000);
    const user = nkeys.createUser();
    const { jwt } = forger.issue({
      name: 'forged',
      userPublicKey: user.getPublicKey(),
      permissions: { pub: { allow: ['>'] }, sub: { allow: ['>'] } },
      now: new Date(),
    });
    await expect(
      NatsBus.connect(nats.url, { maxReconnectAttempts: 0, credentials: { jwt: () => jwt, seed: user.getSeed(), inboxPrefix: '_INBOX' } }),
    ).rejects.toBeInstanceOf(BusUnavailableError);
  });

  it("does not let an agent subscribe to everything, to another agent's inbox or requests, to the platform's events or to others' replies", async () => {
    const a = await agentBus(A);
    for (const pattern of [
      '>',
      'agencygrid.>',
      'agencygrid.agent.>',
      `agencygrid.agent.${B.subjectId}.>`,
      'agencygrid.work.>',
      `agencygrid.work.${B.subjectId}.*.*`,
      'agencygrid.events.>',
      '_INBOX.>',
      `${agentReplyPrefix(B.subjectId)}.>`,
      '$JS.API.>',
    ]) {
      await expect(a.subscribe(pattern), pattern).rejects.toBeInstanceOf(BusPermissionError);
    }
    // Its own inbox it may read.
    const own = await a.subscribe(`agencygrid.agent.${A.subjectId}.>`);
    await own.unsubscribe();
  });

  it("does not deliver a dispatch forged by another agent, nor a request forged in another agent's name", async () => {
    const errors: unknown[] = [];
    const a = await agentBus(A, { errors });
    const b = await agentBus(B);
    const received: IncomingMessage[] = [];
    await b.subscribe(`agencygrid.agent.${B.subjectId}.>`, (message) => {
      received.push(message);
    });
    const platformHeard: string[] = [];
    await platform.subscribe('agencygrid.work.>', (message) => {
      platformHeard.push(message.subject);
    });

    await a.publish(agentInboxSubject(B.subjectId, 'dispatch'), { data: { forged: true } });
    await a.publish(workRequestSubject(B.subjectId, B.keyId, 'inform'), { data: { forged: true } });
    // The server answers each refused publish with an error to the publisher: once both are back, it has dropped them.
    await until('both publishes refused', () => errors.filter((error) => error instanceof BusPermissionError).length >= 2);
    expect(errors.map((error) => (error as BusPermissionError).subject).sort()).toEqual(
      [agentInboxSubject(B.subjectId, 'dispatch'), workRequestSubject(B.subjectId, B.keyId, 'inform')].sort(),
    );
    await expect(a.request(workRequestSubject(B.subjectId, B.keyId, 'propose'), { data: {} }, { timeoutMs: 5_000 })).rejects.toBeInstanceOf(BusPermissionError);
    // Not even the platform's JetStream API.
    await expect(a.streamInfo('AGENCYGRID_EVENTS')).rejects.toBeInstanceOf(BusPermissionError);

    // What the platform sends B after that arrives, alone: nothing forged came before it.
    await platform.publish(agentInboxSubject(B.subjectId, 'dispatch'), { data: { real: true } });
    await until('the real dispatch', () => received.length >= 1);
    expect(received.map((message) => message.data)).toEqual([{ real: true }]);
    expect(platformHeard).toEqual([]);
  });

  it("carries an agent's own request to the platform (across accounts) and the reply back, and the platform's messages to its inbox", async () => {
    const a = await agentBus(A);
    const inbox: IncomingMessage[] = [];
    await a.subscribe(`agencygrid.agent.${A.subjectId}.>`, (message) => {
      inbox.push(message);
    });
    const gateway = await platform.subscribe('agencygrid.work.*.*.*', (message) => {
      message.respond({ data: { ok: true, heard: message.subject } });
    });
    const reply = await a.request(workRequestSubject(A.subjectId, A.keyId, 'progress'), { data: { progress: 1 } }, { timeoutMs: 5_000 });
    expect(reply.data).toEqual({ ok: true, heard: workRequestSubject(A.subjectId, A.keyId, 'progress') });
    await gateway.unsubscribe();
    await platform.publish(agentInboxSubject(A.subjectId, 'cfp'), { data: { cfp: 1 } });
    await until('the call for proposals', () => inbox.length >= 1);
    expect(required(inbox[0], 'the call for proposals').subject).toBe(agentInboxSubject(A.subjectId, 'cfp'));
  });

  it('lets the platform use JetStream in its own account', async () => {
    const stream = `AUTH_TEST_${Date.now()}`;
    await platform.ensureStream({ name: stream, subjects: [`authtest.${Date.now()}.>`], storage: 'memory' });
    expect(await platform.deleteStream(stream)).toBe(true);
  });
});
