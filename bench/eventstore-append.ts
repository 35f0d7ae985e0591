import { randomUUID } from 'node:crypto';
import type { ExpectedRevision } from '../infra/eventstore/port.ts';
import type { SqliteEventStore } from '../infra/eventstore/sqlite.ts';
import { sampleEvent, sampleEventBytes, withTempStore, type Synchronous } from './fixtures.ts';
import { emit, now, perSecond, progress, summarize } from './measure.ts';

export interface SingleStreamOptions {
  synchronous: Synchronous;
  /** Upper bounds of each run; whichever is reached first ends it. */
  maxEvents: number;
  maxMs: number;
  batchSize: number;
}

/**
 * One writer, one stream, each append awaited before the next with the exact expected revision: the latency-bound
 * case, where group commit has nothing to group (one commit, and under FULL one fsync, per call).
 */
export async function benchSingleStreamAppends(options: SingleStreamOptions): Promise<void> {
  const { synchronous, batchSize } = options;
  await withTempStore(`append-${synchronous.toLowerCase()}-${batchSize}`, { synchronous }, async (store) => {
    // Warm-up on another stream: statements compiled, WAL file created, JIT done.
    await appendSequentially(store, `bench-warmup-${randomUUID()}`, batchSize, batchSize * 50, 500);

    const run = await appendSequentially(store, `bench-${randomUUID()}`, batchSize, options.maxEvents, options.maxMs);
    const latency = summarize(run.latencies);
    const context = {
      synchronous,
      events: run.events,
      eventsPerAppend: batchSize,
      streams: 1,
      concurrency: 1,
      eventBytes: sampleEventBytes(),
    };
    const kind = batchSize === 1 ? 'single' : 'batched';
    emit(`eventstore.append.single-stream.${kind}.throughput`, perSecond(run.events, run.elapsedMs), 'events/s', context);
    emit(`eventstore.append.single-stream.${kind}.p50`, latency.p50, 'ms', { ...context, per: 'append call' });
    emit(`eventstore.append.single-stream.${kind}.p99`, latency.p99, 'ms', { ...context, per: 'append call' });
    progress(`single stream x${batchSize} ${synchronous}: ${run.events} events in ${run.elapsedMs.toFixed(0)} ms`);
  });
}

async function appendSequentially(
  store: SqliteEventStore,
  streamId: string,
  batchSize: number,
  maxEvents: number,
  maxMs: number,
): Promise<{ events: number; elapsedMs: number; latencies: number[] }> {
  let expected: ExpectedRevision = 'no_stream';
  let events = 0;
  let sequence = 0;
  const latencies: number[] = [];
  const started = now();
  const deadline = started + maxMs;
  while (events < maxEvents && now() < deadline) {
    const batch = Array.from({ length: batchSize }, () => sampleEvent((sequence += 1)));
    const before = now();
    const result = await store.appendToStream(streamId, batch, { expectedRevision: expected });
    latencies.push(now() - before);
    expected = result.nextExpectedRevision;
    events += batchSize;
  }
  return { events, elapsedMs: now() - started, latencies };
}
