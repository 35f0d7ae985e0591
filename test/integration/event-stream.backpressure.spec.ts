import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { required } from '../../domain/shared/required.ts';
import { authenticate } from '../../api/auth/authenticate.ts';
import { StreamAccess } from '../../api/streaming/access.ts';
import { EventStreamSession } from '../../api/streaming/session.ts';
import { SseWriter } from '../../api/streaming/sse.ts';
import { isAppError } from '../../domain/shared/app-error.ts';
import type { AllSubscription, EventStore, SubscribeToAllOptions } from '../../infra/eventstore/port.ts';
import { ADMIN_KEY, startTestServer, type TestServer } from '../support/server.ts';
import { waitFor } from '../support/async.ts';

const EVENTS = 2000;
const PADDING = 'x'.repeat(2000);

/**
 * A replay of a long log to a client that does not read: the stream reads the log a page at a time and waits for the
 * socket to drain, so what it has pulled from the log is bounded by the socket's buffers plus one page, whatever the
 * log's length. (Over a Unix socket, whose kernel buffers are small and fixed, the bound is tight.)
 */
describe('an event stream replaying a long log to a paused client', () => {
  let server: TestServer;
  let http: Server;
  let socketPath: string;
  let pulled = 0;
  let writer: SseWriter | undefined;
  let session: EventStreamSession | undefined;
  const streamId = `bulk-${randomUUID()}`;

  beforeAll(async () => {
    server = await startTestServer();
    const store = server.platform.store;
    for (let batch = 0; batch < EVENTS / 500; batch += 1) {
      const events = Array.from({ length: 500 }, (_, index) => ({
        id: randomUUID(),
        type: 'BulkWritten',
        data: { index: batch * 500 + index, padding: PADDING },
        metadata: {},
      }));
      await store.appendToStream(streamId, events);
    }
    // The log as the session reads it, counting every event it pulls.
    const counting: Pick<EventStore, 'subscribeToAll'> = {
      subscribeToAll(options?: SubscribeToAllOptions): AllSubscription {
        const subscription = store.subscribeToAll(options);
        return {
          async *[Symbol.asyncIterator]() {
            for await (const event of subscription) {
              pulled += 1;
              yield event;
            }
          },
          unsubscribe: () => subscription.unsubscribe(),
        };
      },
    };
    const principal = authenticate(`Bearer ${ADMIN_KEY}`, server.platform.apiKeys);
    if (isAppError(principal)) throw new Error(principal.message);
    const access = new StreamAccess(server.platform.loader, server.platform.apiKeys, principal);
    http = createServer((_request, response) => {
      writer = new SseWriter(response);
      const filters = { orgIds: null, categories: new Set(['bulk']), types: null, after: undefined };
      session = new EventStreamSession(counting as EventStore, access, writer, filters, pino({ level: 'silent' }), { heartbeatMs: 60_000 });
      void session.run();
    });
    socketPath = join(mkdtempSync(join(tmpdir(), 'ag-sse-')), 'sse.sock');
    await new Promise<void>((resolve) => http.listen(socketPath, resolve));
  });

  afterAll(async () => {
    await session?.close('test over');
    await new Promise((resolve) => http?.close(resolve));
    await server?.close();
  });

  const until = (check: () => boolean, what: string): Promise<void> => waitFor(check, 20_000, what);

  it('stops reading the log while the socket is full, and delivers every event once the client reads again', { timeout: 60_000 }, async () => {
    // A raw client over the socket: it sends its request, then reads nothing until told to.
    let text = '';
    const client = connect(socketPath);
    client.pause();
    client.write('GET / HTTP/1.1\r\nHost: local\r\nAccept: text/event-stream\r\n\r\n');
    await until(() => writer !== undefined, 'the stream to start');
    await until(() => required(writer, 'the stream writer').congested, 'the socket to fill up');

    // The stream is waiting for the socket to drain: it has pulled a bounded part of the log, not all of it.
    const pulledWhilePaused = pulled;
    expect(pulledWhilePaused).toBeGreaterThan(0);
    expect(pulledWhilePaused).toBeLessThan(EVENTS / 3);
    // More turns of the event loop do not make it read on.
    for (let turn = 0; turn < 20; turn += 1) await new Promise((resolve) => setImmediate(resolve));
    expect(pulled).toBe(pulledWhilePaused);

    let received = 0;
    let searchFrom = 0;
    client.setEncoding('utf8');
    client.on('data', (chunk: string) => {
      text += chunk;
      for (let at = text.indexOf('event: BulkWritten\n', searchFrom); at !== -1; at = text.indexOf('event: BulkWritten\n', searchFrom)) {
        received += 1;
        searchFrom = at + 1;
      }
    });
    client.resume();
    await until(() => received === EVENTS, `all ${EVENTS} events (got ${received}, ${text.length} characters, pulled ${pulled})`);
    const indexes = [...text.matchAll(/"index":(\d+)/gu)].map((match) => Number(match[1]));
    expect(indexes).toEqual(Array.from({ length: EVENTS }, (_, index) => index));
    client.destroy();
  });
});
