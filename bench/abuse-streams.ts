import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { request, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { bootstrapAdminKey } from '../api/auth/bootstrap-admin-key.ts';
import type { Platform } from '../api/platform.ts';
import { startPlatform } from '../bin/platform/start-platform.ts';
import { buildServer } from '../api/server.ts';
import { loadConfig } from '../infra/config/env.ts';
import { SqliteEventStore } from '../infra/eventstore/sqlite.ts';
import { emit, now, progress } from './measure.ts';

export interface AbuseBenchOptions {
  /** Events in the log before the streams open, each with ~1 KB of data: what every stream replays. */
  logEvents: number;
  /** Streams opened from one key, all replaying from position 0, none reading. */
  streamsFromOneKey: number;
  /** Keys that each open as many streams as they may (to reach the server's total cap). */
  keys: number;
  /** Commands, then GETs, sent from one key as fast as the server answers. */
  commands: number;
  gets: number;
}

const defaults: AbuseBenchOptions = { logEvents: 5_000, streamsFromOneKey: 2_000, keys: 16, commands: 2_000, gets: 5_000 };
const ADMIN_KEY = 'bench-admin-key-0123456789abcdefghijklmnopqrstuv';

const mb = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;

/**
 * The abuse of issue 9 section 4, on the whole server over real sockets with its default limits: thousands of SSE
 * streams replaying a long log to clients that never read, many keys filling the server's stream cap, thousands of
 * commands and GETs from one key. Prints what was accepted and refused, /health latency while it happens, and the
 * process's memory before and after: it must stay bounded whatever the numbers above.
 */
export async function benchAbuse(options: AbuseBenchOptions = defaults): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'agencygrid-bench-abuse-'));
  let platform: Platform | undefined;
  let app: FastifyInstance | undefined;
  const held: IncomingMessage[] = [];
  try {
    const config = loadConfig({ AGENCYGRID_ADMIN_KEY: ADMIN_KEY, LOG_LEVEL: 'silent', DATA_DIR: dir });
    platform = await startPlatform(config, new SqliteEventStore({ path: join(dir, 'events.db') }), pino({ level: 'silent' }));
    await bootstrapAdminKey(platform, ADMIN_KEY);
    app = await buildServer(platform);
    await app.listen({ port: 0, host: '127.0.0.1' });
    const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    const context = { logEvents: options.logEvents, streamsPerPrincipal: config.STREAMS_PER_PRINCIPAL, streamsTotal: config.STREAMS_TOTAL };

    const padding = 'x'.repeat(1000);
    for (let written = 0; written < options.logEvents; written += 500) {
      const events = Array.from({ length: Math.min(500, options.logEvents - written) }, (_, index) => ({
        id: randomUUID(),
        type: 'BenchFiller',
        data: { index: written + index, padding },
        metadata: {},
      }));
      await platform.store.appendToStream(`bench-${Math.floor(written / 5000)}`, events);
    }
    // Keys of subjects (each its own principal) for the total-cap scenario; set up before measuring.
    const keys: string[] = [];
    for (let index = 0; index < options.keys; index += 1) {
      const subject = await call(base, 'POST', '/subjects', ADMIN_KEY, { kind: 'agent', displayName: `Abuser ${index}` });
      const issued = await call(base, 'POST', `/subjects/${String(subject.body.subjectId)}/api-keys`, ADMIN_KEY, { label: 'bench' });
      keys.push(String(issued.body.key));
    }
    global.gc?.();
    const before = process.memoryUsage();
    emit('abuse.memory.before.rss', mb(before.rss), 'MiB', context);
    emit('abuse.memory.before.heapUsed', mb(before.heapUsed), 'MiB', context);

    // 1. Many SSE streams from one key, all replaying from the start, none reading.
    let started = now();
    const oneKey = await Promise.all(Array.from({ length: options.streamsFromOneKey }, () => openStream(base, ADMIN_KEY, held)));
    emit('abuse.sse.one-key.accepted', oneKey.filter((status) => status === 200).length, 'streams', { ...context, opened: options.streamsFromOneKey });
    emit('abuse.sse.one-key.refused429', oneKey.filter((status) => status === 429).length, 'streams', { ...context, opened: options.streamsFromOneKey });
    emit('abuse.sse.one-key.failed', oneKey.filter((status) => status !== 200 && status !== 429).length, 'streams', {
      ...context,
      opened: options.streamsFromOneKey,
      note: 'connection errors or other statuses',
    });
    emit('abuse.sse.one-key.elapsed', now() - started, 'ms', context);

    // 2. Many keys each opening as many streams as it may: the server's total cap.
    started = now();
    const perKey = config.STREAMS_PER_PRINCIPAL;
    const manyKeys = await Promise.all(keys.flatMap((key) => Array.from({ length: perKey }, () => openStream(base, key, held))));
    emit('abuse.sse.many-keys.accepted', manyKeys.filter((status) => status === 200).length, 'streams', {
      ...context,
      keys: options.keys,
      opened: manyKeys.length,
    });
    emit('abuse.sse.many-keys.refused429', manyKeys.filter((status) => status === 429).length, 'streams', {
      ...context,
      keys: options.keys,
      opened: manyKeys.length,
    });
    emit('abuse.sse.many-keys.elapsed', now() - started, 'ms', context);
    emit('abuse.health.latency-with-streams-open', await healthLatency(base), 'ms', { ...context, open: held.length });
    global.gc?.();
    const withStreams = process.memoryUsage();
    emit('abuse.memory.with-streams-open.rss', mb(withStreams.rss), 'MiB', { ...context, open: held.length });
    emit('abuse.memory.with-streams-open.heapUsed', mb(withStreams.heapUsed), 'MiB', { ...context, open: held.length });

    // The streams end (their clients go away): the rates below are measured on their own.
    for (const response of held.splice(0)) response.destroy();

    // 3. Commands, then GETs, from one key as fast as they are answered (16 in flight).
    for (const [name, count, send] of [
      ['commands', options.commands, (index: number) => call(base, 'POST', '/orgs', ADMIN_KEY, { name: `Abuse ${index}`, slug: `abuse-${index}` })],
      ['gets', options.gets, () => call(base, 'GET', '/orgs/by-slug/abuse-0', ADMIN_KEY)],
    ] as const) {
      started = now();
      const statuses: number[] = [];
      let next = 0;
      let retryAfter: string | undefined;
      await Promise.all(
        Array.from({ length: 16 }, async () => {
          while (next < count) {
            const index = next;
            next += 1;
            const answer = await send(index);
            statuses.push(answer.status);
            if (answer.status === 429) retryAfter ??= answer.retryAfter;
          }
        }),
      );
      const limited = statuses.filter((status) => status === 429).length;
      emit(`abuse.${name}.refused429`, limited, 'requests', { ...context, sent: count, accepted: count - limited, retryAfterSeconds: retryAfter ?? 'none' });
      emit(`abuse.${name}.elapsed`, now() - started, 'ms', { ...context, sent: count });
      progress(`abuse: ${name} done`);
    }
    emit('abuse.health.latency-after', await healthLatency(base), 'ms', context);
    global.gc?.();
    const after = process.memoryUsage();
    emit('abuse.memory.after.rss', mb(after.rss), 'MiB', context);
    emit('abuse.memory.after.heapUsed', mb(after.heapUsed), 'MiB', context);
    progress(`abuse: memory rss ${mb(before.rss)} -> ${mb(withStreams.rss)} (streams open) -> ${mb(after.rss)} MiB`);
  } finally {
    for (const response of held) response.destroy();
    await app?.close();
    await platform?.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/** Opens `/events/stream?after=0`; a 200 is kept open and never read (paused), anything else is read and closed. */
function openStream(base: string, key: string, held: IncomingMessage[]): Promise<number> {
  return new Promise((resolve) => {
    const req = request(`${base}/events/stream?after=0`, { agent: false, headers: { authorization: `Bearer ${key}` } }, (response) => {
      const status = response.statusCode ?? 0;
      if (status === 200) {
        response.pause();
        held.push(response);
      } else response.resume();
      resolve(status);
    });
    req.on('error', () => resolve(0));
    req.end();
  });
}

async function call(
  base: string,
  method: string,
  path: string,
  key: string,
  body?: unknown,
): Promise<{ status: number; body: Record<string, unknown>; retryAfter?: string }> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  const retryAfter = response.headers.get('retry-after');
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {}, ...(retryAfter ? { retryAfter } : {}) };
}

async function healthLatency(base: string): Promise<number> {
  const started = now();
  const response = await fetch(`${base}/health`);
  await response.text();
  return now() - started;
}
