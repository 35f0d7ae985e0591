import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestServer } from '../support/api-server.ts';
import { graphqlServer, GraphqlWsClient, listenForWebSocket, type WsMessage } from './graphql.client.ts';
import { waitFor } from '../support/async.ts';

interface DeliveredEvent {
  position: string;
  streamId: string;
  revision: number;
  category: string;
  type: string;
  orgId: string | null;
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
  occurredAt: string | null;
}

const EVENTS = `subscription($orgId: ID, $categories: [String!], $types: [String!], $after: String) {
  events(orgId: $orgId, categories: $categories, types: $types, afterPosition: $after) {
    position streamId revision category type orgId data metadata occurredAt
  }
}`;

const isNext = (id: string) => (message: WsMessage) => message.id === id && message.type === 'next';
const eventOf = (message: WsMessage) => (message.payload as { data: { events: DeliveredEvent } }).data.events;

describe('GraphQL subscriptions over WebSocket', () => {
  // Authorization answers (and the credential check) are trusted for 100 ms instead of 10 s.
  const { server, api } = useTestServer(graphqlServer(undefined, { accessTtlMs: 100 }));
  let url: string;
  let orgId: string;
  const clients: GraphqlWsClient[] = [];

  async function connect(authorization: string | null = `Bearer ${api.adminKey}`): Promise<GraphqlWsClient> {
    const client = await GraphqlWsClient.connect(url);
    clients.push(client);
    if (authorization !== null) expect((await client.init({ authorization })).type).toBe('connection_ack');
    return client;
  }

  /** The org's events as the log has them, after `after`. */
  async function logOf(after: bigint, types?: readonly string[]): Promise<Array<{ position: string; type: string }>> {
    const events: Array<{ position: string; type: string }> = [];
    for await (const event of server.platform.store.readAll({ fromPosition: after + 1n })) {
      if (event.metadata.orgId !== orgId || (types && !types.includes(event.type))) continue;
      events.push({ position: event.position.toString(), type: event.type });
    }
    return events;
  }

  beforeAll(async () => {
    url = await listenForWebSocket(server);
    orgId = await api.registerOrg('live-org');
  });

  afterAll(async () => {
    for (const client of clients) client.close();
  });

  it('delivers committed events of an org in log order, catch-up then live', async () => {
    const start = await server.platform.store.headPosition();
    const client = await connect();
    client.subscribe('org', EVENTS, { orgId, after: start.toString() });
    for (const name of ['alpha', 'beta', 'gamma']) await api.defineRole(orgId, { name });
    await api.expectStatus(await api.post(`/orgs/${orgId}/metadata`, { description: 'now live' }), 200);

    const expected = await logOf(start);
    const messages = await client.waitForCount(isNext('org'), expected.length);
    const delivered = messages.map(eventOf);
    expect(delivered.map((event) => ({ position: event.position, type: event.type }))).toEqual(expected);
    expect(delivered.map((event) => event.type)).toEqual([
      'DecisionRecorded',
      'RoleDefined',
      'DecisionRecorded',
      'RoleDefined',
      'DecisionRecorded',
      'RoleDefined',
      'DecisionRecorded',
      'OrgMetadataUpdated',
    ]);
    const role = delivered.find((event) => event.type === 'RoleDefined');
    expect(role).toMatchObject({ streamId: `roster-${orgId}`, category: 'roster', orgId, data: { orgId, role: { name: 'alpha' } } });
    expect(role?.occurredAt).toBe(role?.metadata.occurredAt);
    // Strictly increasing positions: nothing twice, nothing out of order.
    const positions = delivered.map((event) => BigInt(event.position));
    expect(positions.every((position, index) => index === 0 || position > (positions[index - 1] ?? 0n))).toBe(true);
  });

  it('resumes after the last position received: every event exactly once across the resume', async () => {
    const types = ['RoleDefined'];
    const first = await connect();
    first.subscribe('roles', EVENTS, { orgId, types });
    for (const name of ['delta', 'epsilon']) await api.defineRole(orgId, { name });
    const before = (await first.waitForCount(isNext('roles'), 5)).map(eventOf);
    first.close();
    await first.waitClosed();

    // Written while nobody listens.
    for (const name of ['zeta', 'eta', 'theta']) await api.defineRole(orgId, { name });
    const resumed = await connect();
    const last = before.at(-1)?.position ?? '0';
    resumed.subscribe('roles', EVENTS, { orgId, types, after: last });
    await api.defineRole(orgId, { name: 'iota' });

    const all = await logOf(0n, types);
    const rest = all.filter((event) => BigInt(event.position) > BigInt(last));
    const after = (await resumed.waitForCount(isNext('roles'), rest.length)).map(eventOf);
    const seen = [...before, ...after].map((event) => ({ position: event.position, type: event.type }));
    expect(seen).toEqual(all);
    expect(new Set(seen.map((event) => event.position)).size).toBe(seen.length);
    expect(after.map((event) => event.data.role)).toEqual(['zeta', 'eta', 'theta', 'iota'].map((name) => expect.objectContaining({ name })));
  });

  it('filters by stream category and event type, and removes secrets', async () => {
    const client = await connect();
    client.subscribe('policy', EVENTS, { categories: ['policy'] });
    client.subscribe('keys', EVENTS, { types: ['ApiKeyIssued'] });
    await api.publishPolicy(orgId, [{ id: 'owner-reads', effect: 'permit', actions: ['*.read'], reason: 'anyone with a key reads' }]);
    await api.subjectWithKey('Keyed');
    const policy = (await client.waitForCount(isNext('policy'), 4)).map(eventOf);
    expect(policy.every((event) => event.category === 'policy' && event.streamId === `policy-${orgId}`)).toBe(true);
    expect(policy.map((event) => event.type)).toEqual(['DecisionRecorded', 'PolicyDrafted', 'DecisionRecorded', 'PolicyPublished']);
    const keys = (await client.waitForCount(isNext('keys'), 2)).map(eventOf);
    expect(keys.every((event) => event.type === 'ApiKeyIssued' && event.orgId === null)).toBe(true);
    expect(JSON.stringify(keys)).not.toContain('keyHash');
  });

  it('refuses connections that do not authenticate, and subscriptions before connection_init', async () => {
    const anonymous = await connect(null);
    expect((await anonymous.init()).type).toBe('connection_error');
    await anonymous.waitClosed();

    const wrongKey = await connect(null);
    expect((await wrongKey.init({ authorization: 'Bearer agk_nobody.0123456789abcdefghijklmnop' })).type).toBe('connection_error');
    await wrongKey.waitClosed();

    const malformed = await connect(null);
    expect((await malformed.init({ authorization: 'Basic dXNlcjpwYXNz' })).type).toBe('connection_error');
    await malformed.waitClosed();

    const eager = await connect(null);
    eager.subscribe('too-soon', EVENTS, {});
    await eager.waitFor((message) => message.type === 'connection_error');
    await eager.waitClosed();
    expect(eager.of('too-soon').filter((message) => message.type === 'next')).toEqual([]);
  });

  it('ends a subscription whose key is revoked, and stops delivering once a membership is revoked', async () => {
    // A fresh org under the default policy: members read it, others do not.
    const orgId = await api.registerOrg('revocable-org');
    await api.defineRole(orgId, { name: 'alpha' });
    const member = await api.subjectWithKey('Member');
    const granted = await api.expectStatus(await api.grant(orgId, member.id, 'alpha'), 201);
    const client = await connect(`Bearer ${member.key}`);
    client.subscribe('mine', EVENTS, { orgId, types: ['RoleDefined'], after: granted.position });
    await api.defineRole(orgId, { name: 'kappa' });
    expect(eventOf(await client.waitFor(isNext('mine'))).data.role).toMatchObject({ name: 'kappa' });

    // Membership revoked: after at most the access TTL, the org's events stop (the credential is still good).
    await api.expectStatus(await api.post(`/orgs/${orgId}/associations/${granted.associationId}/revoke`, { reason: 'left' }), 200);
    await new Promise((resolve) => setTimeout(resolve, 250)); // > accessTtlMs: the access is decided again (time is the behaviour)
    await api.defineRole(orgId, { name: 'lambda' });
    await api.defineRole(orgId, { name: 'mu' });
    await new Promise((resolve) => setTimeout(resolve, 300)); // a fixed wait: neither event may arrive within it
    expect(
      client
        .of('mine')
        .filter((message) => message.type === 'next')
        .map((message) => eventOf(message).data.role),
    ).toEqual([expect.objectContaining({ name: 'kappa' })]);

    // Key revoked: the subscription ends at its next event, with the code a request with that key gets.
    const other = await api.subjectWithKey('Watcher');
    await api.expectStatus(await api.grant(orgId, other.id, 'alpha'), 201);
    const watcher = await connect(`Bearer ${other.key}`);
    watcher.subscribe('w', EVENTS, { orgId, types: ['RoleDefined'] });
    await watcher.waitFor(isNext('w'));
    const otherKeyId = other.key.slice('agk_'.length).split('.')[0];
    await api.expectStatus(await api.post(`/subjects/${other.id}/api-keys/${otherKeyId}/revoke`, { reason: 'rotated out' }), 200);
    await waitFor(() => server.platform.apiKeys.keyOwner(otherKeyId ?? '') === undefined, 5000, 'the key index to drop the key');
    await new Promise((resolve) => setTimeout(resolve, 150)); // > accessTtlMs: the key is checked again at the next event
    await api.defineRole(orgId, { name: 'nu' });
    const ended = await watcher.waitFor((message) => message.id === 'w' && message.type === 'error');
    expect(ended.payload).toMatchObject([{ extensions: { code: 'UNKNOWN_API_KEY' } }]);
  });

  it('answers bad subscription arguments with coded errors', async () => {
    const client = await connect();
    client.subscribe('bad-type', EVENTS, { types: ['NoSuchEvent'] });
    client.subscribe('bad-position', EVENTS, { after: 'the-beginning' });
    client.subscribe('bad-category', EVENTS, { categories: ['roster-*'] });
    for (const id of ['bad-type', 'bad-position', 'bad-category']) {
      const error = await client.waitFor((message) => message.id === id && message.type === 'error');
      expect(error.payload).toMatchObject([{ extensions: { code: 'VALIDATION_FAILED' } }]);
    }
  });
});
