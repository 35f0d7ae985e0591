import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { ServerOptions } from '../../api/server.ts';
import type { AllSubscription, RecordedEvent } from '../../infra/eventstore/port.ts';
import type { SqliteEventStore } from '../../infra/eventstore/sqlite.ts';
import { required } from '../../domain/shared/required.ts';
import { collect, waitFor } from '../support/async.ts';
import { expectStrictlyIncreasing } from '../support/ordering.ts';
import { ADMIN_KEY, startTestServer, type TestServer } from '../support/server.ts';
import { SseClient } from './api.events-stream.client.ts';
import { listening, type ListeningServer, useListeningServer } from '../support/listening-server.ts';

/**
 * GET /events/stream against the real server listening on a port (app.inject cannot stream). Commands go through
 * app.inject; streams through sockets.
 */

const timing: ServerOptions['eventStream'] = { heartbeatMs: 100, accessTtlMs: 200, retryMs: 500 };

async function startStreamingServer(): Promise<ListeningServer> {
  // These tests keep their streams open until the end; the caps on open streams are api.stream-limits.spec.ts's.
  return listening(await startTestServer({ env: { STREAMS_PER_PRINCIPAL: '64' }, server: { eventStream: timing } }));
}

// Fixed waits only where time is the behaviour: the access TTL passing, a window in which nothing may arrive, or a
// paused client's buffers filling (the server gives no signal that it is blocked).
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const keyIdOf = (key: string) => /^agk_([^.]+)\./.exec(key)?.[1] ?? '';

async function allEvents(server: TestServer): Promise<RecordedEvent[]> {
  return collect(server.platform.store.readAll());
}

async function head(server: TestServer): Promise<string> {
  return (await server.platform.store.headPosition()).toString();
}

describe('GET /events/stream', () => {
  const listeningServer = useListeningServer(startStreamingServer);
  const { server, api } = listeningServer;
  const stream = (query = '', key = ADMIN_KEY, headers: Record<string, string> = {}) => listeningServer.stream(`/events/stream${query}`, key, headers);

  it('delivers every event exactly once, in order, across a disconnect and a resume with Last-Event-ID', async () => {
    const first = await stream();
    expect(first.headers['content-type']).toMatch(/^text\/event-stream/);
    await api.registerOrg('resume-one');
    await api.registerOrg('resume-two');
    await first.waitForPosition(await head(server));
    expect(first.retry).toBe(500);
    const seen = first.messages.length;
    const lastId = required(first.lastEventId, 'an event id on the first stream');
    first.close();
    await first.ended;

    // Written while nobody listens.
    const missed = await api.registerOrg('resume-three');
    await api.post(`/orgs/${missed}/metadata`, { description: 'changed while disconnected' });

    const second = await stream('', ADMIN_KEY, { 'last-event-id': lastId });
    await api.registerOrg('resume-four');
    await second.waitForPosition(await head(server));

    const received = [...first.payloads.slice(0, seen), ...second.payloads];
    const positions = received.map((payload) => BigInt(payload.position));
    expect(new Set(positions).size).toBe(positions.length);
    expectStrictlyIncreasing(positions);
    // The admin sees everything: exactly the log.
    expect(positions).toEqual((await allEvents(server)).map((event) => event.position));

    // The message shape: id = position, event = type, data = the public event.
    const message = required(
      second.messages.find((candidate) => candidate.event === 'OrgRegistered'),
      'an OrgRegistered message',
    );
    const recorded = required(
      (await allEvents(server)).find((event) => event.position.toString() === message.id),
      'the recorded event of the message',
    );
    expect(message.json).toEqual({
      position: recorded.position.toString(),
      streamId: recorded.streamId,
      revision: Number(recorded.revision),
      type: 'OrgRegistered',
      data: recorded.data,
      metadata: recorded.metadata,
      orgId: recorded.metadata.orgId,
    });

    // ?after= resumes the same way (Last-Event-ID wins when both are given).
    const third = await stream(`?after=${lastId}`);
    await third.waitForPosition(await head(server));
    expect(third.payloads.map((payload) => payload.position)).toEqual(second.payloads.map((payload) => payload.position));
    const both = await stream(`?after=0`, ADMIN_KEY, { 'last-event-id': lastId });
    await both.waitForPosition(await head(server));
    expect(both.payloads[0]?.position).toBe(second.payloads[0]?.position);
  });

  it('releases its subscription to the log when the client disconnects', async () => {
    const store = server.platform.store as SqliteEventStore;
    const baseline = store.listenerCount;
    const clientsNow = await Promise.all([1, 2, 3].map(() => stream()));
    await Promise.all(clientsNow.map((client) => client.until(() => client.messages.length > 0, 5000, 'catch-up')));
    expect(store.listenerCount).toBeGreaterThan(baseline);
    for (const client of clientsNow) client.close();
    await waitFor(() => store.listenerCount === baseline, 3000, 'subscriptions released');
  });

  it('filters by org (repeated or comma list), stream category and event type', async () => {
    const alpha = await api.registerOrg('filter-alpha');
    const beta = await api.registerOrg('filter-beta');
    const gamma = await api.registerOrg('filter-gamma');
    await api.defineRole(alpha, { name: 'writer' });
    await api.defineRole(beta, { name: 'writer' });
    await api.defineRole(gamma, { name: 'writer' });
    const end = await head(server);

    const byOrg = await stream(`?orgId=${alpha}&orgId=${beta}`);
    const byList = await stream(`?orgId=${alpha},${beta}`);
    const byCategory = await stream('?category=roster');
    const byType = await stream('?type=RoleDefined,OrgRegistered');
    const combined = await stream(`?orgId=${gamma}&category=roster&type=RoleDefined`);
    const everything = await stream();
    await everything.waitForPosition(end);
    // Each filtered stream has read the same log: wait until each one has at least what it should have.
    const expected = (await allEvents(server)).map((event) => ({ ...event, orgId: (event.metadata.orgId as string | null) ?? null }));
    const check = async (client: SseClient, keep: (event: (typeof expected)[number]) => boolean) => {
      const want = expected.filter(keep).map((event) => event.position.toString());
      await client.until(() => client.messages.length >= want.length, 5000, 'filtered events');
      expect(client.payloads.map((payload) => payload.position)).toEqual(want);
      return client.payloads;
    };
    const orgs = await check(byOrg, (event) => event.orgId === alpha || event.orgId === beta);
    expect(new Set(orgs.map((payload) => payload.orgId))).toEqual(new Set([alpha, beta]));
    await check(byList, (event) => event.orgId === alpha || event.orgId === beta);
    const roster = await check(byCategory, (event) => event.streamId.startsWith('roster-'));
    expect(roster.length).toBeGreaterThan(0);
    const types = await check(byType, (event) => event.type === 'RoleDefined' || event.type === 'OrgRegistered');
    expect(new Set(types.map((payload) => payload.type))).toEqual(new Set(['RoleDefined', 'OrgRegistered']));
    const one = await check(combined, (event) => event.orgId === gamma && event.streamId.startsWith('roster-') && event.type === 'RoleDefined');
    expect(one).toHaveLength(1);
  });

  it('scopes streams to orgs the principal may read: a subject of org A sees nothing of org B', async () => {
    const a = await api.subjectWithKey('scoped-a');
    const b = await api.subjectWithKey('scoped-b');
    // Each subject founds its own org (and owns it).
    const orgA = await api.registerOrg('scoped-org-a', a.key);
    const orgB = await api.registerOrg('scoped-org-b', b.key);

    const streamA = await stream('', a.key);
    const filteredA = await stream(`?orgId=${orgA}`, a.key);
    // Commands in both orgs, interleaved; the last one is A's, so once A sees it, A has been offered everything.
    await api.defineRole(orgB, { name: 'secret-b' }, b.key);
    await api.defineRole(orgA, { name: 'open-a' }, a.key);
    await api.post(`/orgs/${orgB}/metadata`, { description: 'B only' }, b.key);
    const last = await api.expectStatus(await api.post(`/orgs/${orgA}/metadata`, { description: 'A last' }, a.key), 200);
    await streamA.waitForPosition(last.position);
    await filteredA.waitForPosition(last.position);

    const expectedA = (await allEvents(server)).filter((event) => event.metadata.orgId === orgA).map((event) => event.position.toString());
    expect(streamA.payloads.map((payload) => payload.position)).toEqual(expectedA);
    expect(filteredA.payloads.map((payload) => payload.position)).toEqual(expectedA);
    expect(streamA.payloads.every((payload) => payload.orgId === orgA)).toBe(true);
    expect(streamA.messages.some((message) => message.data.includes(orgB))).toBe(false);
    // Platform-level events (its own registration and key included) are not A's to see.
    expect(streamA.payloads.some((payload) => payload.orgId === null)).toBe(false);

    // Naming org B is refused up front, alone or with A; an org that does not exist looks the same.
    for (const query of [`?orgId=${orgB}`, `?orgId=${orgA},${orgB}`, '?orgId=00000000-0000-4000-8000-00000000000b']) {
      const refused = await SseClient.open(`${server.baseUrl}/events/stream${query}`, a.key);
      expect(refused).toMatchObject({ status: 404, body: { code: 'ORG_NOT_FOUND' } });
    }
  });

  it('sends platform-level events to platform admins only, and never an API key hash', async () => {
    const subject = await api.subjectWithKey('platform-watcher');
    const admin = await stream('?category=subject,apikey,audit');
    const asSubject = await stream('', subject.key);
    const other = await api.subjectWithKey('platform-newcomer');
    const end = await head(server);
    await admin.waitForPosition(end);

    const registered = admin.payloads.find((payload) => payload.type === 'SubjectRegistered' && payload.streamId === `subject-${other.id}`);
    expect(registered?.orgId).toBeNull();
    const issued = admin.payloads.filter((payload) => payload.type === 'ApiKeyIssued');
    expect(issued.length).toBeGreaterThan(0);
    for (const payload of issued) {
      expect(payload.data).toMatchObject({ keyId: expect.any(String), principal: expect.any(Object), label: expect.any(String) });
      expect(payload.data).not.toHaveProperty('keyHash');
    }
    // Not in ApiKeyIssued, nor in the decision that permitted it (its request carries the command), anywhere.
    expect(admin.messages.some((message) => message.data.includes('keyHash'))).toBe(false);
    const decision = admin.payloads.find((payload) => payload.type === 'DecisionRecorded' && payload.streamId.startsWith('apikey-'));
    expect(decision).toBeDefined();

    // The subject: a keep-alive later, still nothing (it belongs to no org).
    await asSubject.until(() => asSubject.comments.includes('keep-alive'), 2000, 'a keep-alive');
    await sleep(200); // nothing may arrive within it
    expect(asSubject.messages).toHaveLength(0);
  });

  it('stops the flow soon after a membership is revoked, and ends the stream when the key is revoked', async () => {
    const orgId = await api.registerOrg('revocation-lab');
    await api.defineRole(orgId, { name: 'member' });
    const member = await api.subjectWithKey('revocable-member');
    const grant = await api.expectStatus(await api.grant(orgId, member.id, 'member'), 201);

    const watched = await stream(`?orgId=${orgId}`, member.key);
    const before = await api.expectStatus(await api.post(`/orgs/${orgId}/metadata`, { description: 'while a member' }), 200);
    await watched.waitForPosition(before.position);

    await api.expectStatus(await api.post(`/orgs/${orgId}/associations/${grant.associationId}/revoke`, { reason: 'leaves' }), 200);
    await sleep(400); // > accessTtlMs: the next event of the org is decided again
    const after = await api.expectStatus(await api.post(`/orgs/${orgId}/metadata`, { description: 'after leaving' }), 200);
    const admin = await stream(`?orgId=${orgId}`);
    await admin.waitForPosition(after.position);
    await sleep(300); // the revoked member's stream may show nothing after it within it
    expect(watched.payloads.some((payload) => BigInt(payload.position) >= BigInt(after.position))).toBe(false);
    expect(watched.isEnded).toBe(false);

    // A revoked key ends the stream (EventSource then reconnects and gets 401).
    const keyed = await api.subjectWithKey('key-holder');
    const own = await stream('', keyed.key);
    const revoked = await api.post(`/subjects/${keyed.id}/api-keys/${keyIdOf(keyed.key)}/revoke`, { reason: 'rotating' }, keyed.key);
    expect(revoked.statusCode).toBe(200);
    await Promise.race([own.ended, sleep(3000).then(() => Promise.reject(new Error('the stream did not end')))]);
    expect((await SseClient.open(`${server.baseUrl}/events/stream`, keyed.key)).status).toBe(401);
  });

  it('sends keep-alives, whose id moves the resume point past events it left out', async () => {
    const owner = await api.subjectWithKey('keepalive-owner');
    const own = await api.registerOrg('keepalive-own', owner.key);
    const sparse = await stream(`?after=${await head(server)}`, owner.key);
    await sparse.until(() => sparse.comments.includes('keep-alive'), 2000, 'a keep-alive');
    // Events the owner may not see: left out, but the keep-alive's id moves past them.
    await api.registerOrg('keepalive-other');
    const end = await head(server);
    await sparse.until(() => sparse.lastEventId !== undefined && BigInt(sparse.lastEventId) >= BigInt(end), 3000, 'a progress id');
    expect(sparse.messages).toHaveLength(0);
    // Resuming from it delivers what comes next, exactly once.
    sparse.close();
    const resumed = await stream('', owner.key, { 'last-event-id': required(sparse.lastEventId, 'a progress id') });
    const changed = await api.expectStatus(await api.post(`/orgs/${own}/metadata`, { description: 'next' }, owner.key), 200);
    await resumed.waitForPosition(changed.position);
    expect(resumed.payloads.map((payload) => payload.type)).toEqual(['DecisionRecorded', 'OrgMetadataUpdated']);
  });

  it('answers 400 for a bad query or Last-Event-ID, and 401 without a key', async () => {
    const bad: Array<[string, Record<string, string>, string, unknown[]?]> = [
      ['?orgId=not-a-uuid', {}, 'VALIDATION_FAILED', ['orgId', '0']],
      ['?orgId=', {}, 'VALIDATION_FAILED', ['orgId']],
      ['?category=roster-x', {}, 'VALIDATION_FAILED', ['category', '0']],
      ['?type=NoSuchEvent', {}, 'VALIDATION_FAILED', ['type', '0']],
      ['?type=Bad.Type', {}, 'VALIDATION_FAILED', ['type', '0']],
      ['?after=-1', {}, 'VALIDATION_FAILED', ['after']],
      ['?after=99999999999999999999', {}, 'VALIDATION_FAILED', ['after']],
      ['?unknown=1', {}, 'VALIDATION_FAILED'],
      ['', { 'last-event-id': 'abc' }, 'INVALID_HEADER'],
    ];
    for (const [query, headers, code, path] of bad) {
      const answer = await SseClient.open(`${server.baseUrl}/events/stream${query}`, ADMIN_KEY, headers);
      expect(answer, query).toMatchObject({ status: 400, body: { code } });
      if (path && !(answer instanceof SseClient)) {
        const issues = answer.body.details.issues as Array<{ path: string[] }>;
        expect(
          issues.map((issue) => issue.path),
          query,
        ).toContainEqual(path);
      }
    }
    const anonymous = await server.app.inject({ url: '/events/stream' });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.json()).toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('reads the log only as fast as a slow client reads the stream (backpressure)', async () => {
    // Count what the stream pulls from the log.
    const store = server.platform.store;
    const original = store.subscribeToAll.bind(store);
    let pulled = 0;
    store.subscribeToAll = (options) => {
      const subscription: AllSubscription = original(options);
      return {
        unsubscribe: () => subscription.unsubscribe(),
        async *[Symbol.asyncIterator]() {
          for await (const event of subscription) {
            pulled += 1;
            yield event;
          }
        },
      };
    };
    const blob = 'x'.repeat(64 * 1024);
    const start = await store.headPosition();
    try {
      // Synthetic events in a category the stream knows (it refuses others); nothing else writes projection streams here.
      const slow = await stream(`?after=${start}&category=projection`);
      store.subscribeToAll = original;
      slow.pause();
      const total = 400; // 25 MiB: far more than socket buffers hold
      for (let batch = 0; batch < total / 50; batch += 1) {
        await store.appendToStream(
          `projection-bulk${batch}`,
          Array.from({ length: 50 }, (_, index) => ({ id: randomUUID(), type: 'BulkTested', data: { index, blob }, metadata: { orgId: null } })),
        );
      }
      await sleep(500);
      const whilePaused = pulled;
      console.log(`backpressure: ${whilePaused} of ${total} events pulled while the client is paused`);
      expect(whilePaused).toBeLessThan(total / 2);
      // Over TCP the kernel grows a socket's buffers while it fills, so the stream may still creep by a few events;
      // it stays far from the log's length. The exact stall is pinned over a Unix socket, whose buffers are fixed
      // (test/integration/event-stream.backpressure.spec.ts).
      await sleep(300);
      expect(pulled).toBeLessThan(total / 2);
      slow.resume();
      await slow.until(() => slow.messages.length === total, 15_000, 'every bulk event');
      expect(slow.payloads.map((payload) => payload.data.index)).toEqual(Array.from({ length: total }, (_, index) => index % 50));
    } finally {
      store.subscribeToAll = original;
    }
  });
});

describe('GET /events/stream and shutdown', () => {
  it('ends open streams promptly when the server shuts down, and refuses new ones', async () => {
    const server = await startStreamingServer();
    const streams = await Promise.all([1, 2, 3].map(() => SseClient.connect(`${server.baseUrl}/events/stream`, ADMIN_KEY)));
    const slow = await SseClient.connect(`${server.baseUrl}/events/stream`, ADMIN_KEY);
    slow.pause();
    const started = Date.now();
    await server.close();
    expect(Date.now() - started).toBeLessThan(3000);
    // A paused client sees the end once it reads again.
    slow.resume();
    await Promise.all([...streams, slow].map((client) => client.ended));
    for (const client of [...streams, slow]) expect(client.isEnded).toBe(true);
  });

  it('does not let a client that stopped reading hold a shutdown open', async () => {
    const server = await startStreamingServer();
    const stuck = await SseClient.connect(`${server.baseUrl}/events/stream?category=projection`, ADMIN_KEY);
    stuck.pause();
    const blob = 'x'.repeat(64 * 1024);
    for (let batch = 0; batch < 4; batch += 1) {
      await server.platform.store.appendToStream(
        `projection-bulk${batch}`,
        Array.from({ length: 50 }, (_, index) => ({ id: randomUUID(), type: 'BulkTested', data: { index, blob }, metadata: { orgId: null } })),
      );
    }
    await sleep(300); // the server is now blocked on a full socket
    const started = Date.now();
    await server.close();
    expect(Date.now() - started).toBeLessThan(3000);
    stuck.close();
  });
});
