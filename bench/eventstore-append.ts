import { randomUUID } from 'node:crypto';
import type { ExpectedRevision } from '../infra/eventstore/port.ts';
import type { SqliteEventStore } from '../infra/eventstore/sqlite.ts';
import { sampleEvent, sampleEventBytes, withTempStore, type Synchronous } from './fixtures.ts';
import { emit, measureRuns, now, progress, runsContext, type Run } from './measure.ts';

export interface SingleStreamOptions {
  synchronous: Synchronous;
  batchSize: number;
  /** Events per run, each run on a fresh stream; `maxMsPerRun` only caps a slow disk. */
  eventsPerRun: number;
  maxMsPerRun: number;
  runs: number;
}

/**
 * One writer, one stream, each append awaited before the next with the exact expected revision: the latency-bound
 * case, where group commit has nothing to group (one commit, and under FULL one fsync, per call).
 */
export async function benchSingleStreamAppends(options: SingleStreamOptions): Promise<void> {
  const { synchronous, batchSize } = options;
  await withTempStore(`append-${synchronous.toLowerCase()}-${batchSize}`, { synchronous }, async (store) => {
    // Warm-up on its own stream: statements compiled, WAL file created, JIT done.
    await appendSequentially(store, batchSize, batchSize * 100, 1_000);

    const { runs, summary } = await measureRuns(options.runs, () => appendSequentially(store, batchSize, options.eventsPerRun, options.maxMsPerRun));
    const context = {
      synchronous,
      eventsPerAppend: batchSize,
      events: summary.count,
      streamLength: Math.max(...runs.map((run) => run.count)),
      streams: 1,
      concurrency: 1,
      eventBytes: sampleEventBytes(),
    };
    const kind = batchSize === 1 ? 'single' : 'batched';
    emit(`eventstore.append.single-stream.${kind}.throughput`, summary.throughput, 'events/s', { ...context, ...runsContext(summary) });
    emit(`eventstore.append.single-stream.${kind}.p50`, summary.latency.p50, 'ms', { ...context, per: 'append call' });
    emit(`eventstore.append.single-stream.${kind}.p99`, summary.latency.p99, 'ms', { ...context, per: 'append call' });
    progress(`single stream x${batchSize} ${synchronous}: ${summary.count} events in ${runs.length} runs`);
  });
}

async function appendSequentially(store: SqliteEventStore, batchSize: number, maxEvents: number, maxMs: number): Promise<Run> {
  const streamId = `bench-${randomUUID()}`;
  let expected: ExpectedRevision = 'no_stream';
  let count = 0;
  let sequence = 0;
  const latencies: number[] = [];
  const started = now();
  const deadline = started + maxMs;
  while (count < maxEvents && now() < deadline) {
    const batch = Array.from({ length: batchSize }, (_, index) => sampleEvent(sequence + index + 1));
    sequence += batchSize;
    const before = now();
    const result = await store.appendToStream(streamId, batch, { expectedRevision: expected });
    latencies.push(now() - before);
    expected = result.nextExpectedRevision;
    count += batchSize;
  }
  return { count, elapsedMs: now() - started, latencies };
}
