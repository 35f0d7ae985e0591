import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestServer } from '../support/api-server.ts';
import { SseClient } from './api.events-stream.client.ts';
import { GraphqlWsClient } from './graphql.client.ts';
import { waitFor } from '../support/async.ts';

/**
 * Open streams are capped per principal and in total, whatever their kind: SSE /events/stream, GraphQL
 * subscriptions and agent inboxes share one count. Beyond a cap: 429 TOO_MANY_STREAMS (Retry-After), and a slot
 * comes back when its stream ends.
 */
describe('caps on concurrent streams', () => {
  const { server, api } = useTestServer({
    env: { STREAMS_PER_PRINCIPAL: '2', STREAMS_TOTAL: '4' },
    server: { eventStream: { heartbeatMs: 100 }, agentInbox: { heartbeatMs: 100 } },
  });
  let base: string;
  let ada: { id: string; key: string };
  let bob: { id: string; key: string };
  let cyd: { id: string; key: string };
  const open: Array<{ close(): void }> = [];

  beforeAll(async () => {
    ada = await api.subjectWithKey('Ada');
    bob = await api.subjectWithKey('Bob');
    cyd = await api.subjectWithKey('Cyd');
    await server.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(server.app.server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    for (const stream of open) stream.close();
  });

  async function sse(key: string) {
    const opened = await SseClient.open(`${base}/events/stream`, key);
    if (opened instanceof SseClient) open.push(opened);
    return opened;
  }

  async function inbox(key: string) {
    const opened = await SseClient.open(`${base}/agent/inbox`, key);
    if (opened instanceof SseClient) open.push(opened);
    return opened;
  }

  it("refuses a principal's stream beyond its cap, of any kind, with 429 and Retry-After; the slot comes back on close", async () => {
    const first = await sse(ada.key);
    expect(first).toBeInstanceOf(SseClient);
    const second = await inbox(ada.key);
    expect(second).toBeInstanceOf(SseClient);

    const third = await sse(ada.key);
    expect(third).toMatchObject({ status: 429, body: { code: 'TOO_MANY_STREAMS', details: { limit: 'perPrincipal', max: 2, open: 2 } } });
    const thirdInbox = await inbox(ada.key);
    expect(thirdInbox).toMatchObject({ status: 429, body: { code: 'TOO_MANY_STREAMS' } });

    // A GraphQL subscription is a stream too.
    const ws = await GraphqlWsClient.connect(`${base.replace('http', 'ws')}/graphql`);
    open.push(ws);
    expect((await ws.init({ authorization: `Bearer ${ada.key}` })).type).toBe('connection_ack');
    ws.subscribe('s1', 'subscription { events { position } }');
    const refused = await ws.waitFor((message) => message.id === 's1' && message.type === 'error');
    expect(refused.payload).toMatchObject([{ extensions: { code: 'TOO_MANY_STREAMS', details: { limit: 'perPrincipal', max: 2 } } }]);

    // Another principal is not affected by Ada's streams.
    expect(await sse(bob.key)).toBeInstanceOf(SseClient);

    // Closing one of Ada's streams gives its slot back.
    (first as SseClient).close();
    let again: Awaited<ReturnType<typeof sse>> | undefined;
    await waitFor(
      async () => {
        again = await sse(ada.key);
        return again instanceof SseClient;
      },
      10_000,
      'the slot to be given back',
    );
    expect(again).toBeInstanceOf(SseClient);
  });

  it('refuses any principal once the server holds its total, without saying whose streams they are', async () => {
    // Ada holds 2 (an SSE stream and her inbox), Bob 1: one slot left of 4.
    const retryOpen = await sse(bob.key);
    expect(retryOpen).toBeInstanceOf(SseClient);
    const full = await SseClient.open(`${base}/events/stream`, cyd.key);
    expect(full).toMatchObject({ status: 429, body: { code: 'TOO_MANY_STREAMS', details: { limit: 'total' } } });
    expect(JSON.stringify(full)).not.toContain(ada.id);

    const raw = await fetch(`${base}/events/stream`, { headers: { authorization: `Bearer ${cyd.key}` } });
    expect(raw.status).toBe(429);
    expect(Number(raw.headers.get('retry-after'))).toBeGreaterThan(0);
    await raw.body?.cancel();
  });
});
