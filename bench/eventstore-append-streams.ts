import { randomUUID } from 'node:crypto';
import type { ExpectedRevision } from '../infra/eventstore/port.ts';
import type { SqliteEventStore } from '../infra/eventstore/sqlite.ts';
import { sampleEvent, sampleEventBytes, withTempStore, type Synchronous } from './fixtures.ts';
import { emit, measureRuns, now, progress, runsContext, runWorkers, type Run } from './measure.ts';

export interface ManyStreamsOptions {
  synchronous: Synchronous;
  streams: number;
  /** Events each writer appends per run, on fresh streams; `maxMsPerRun` only caps a slow disk. */
  eventsPerStream: number;
  maxMsPerRun: number;
  runs: number;
}

/**
 * One writer per stream, all in flight together, each appending one event at a time with its stream's exact
 * expected revision. Appends arriving in the same tick share one transaction (and one fsync under FULL), so this
 * is the figure group commit is for.
 */
export async function benchManyStreamAppends(options: ManyStreamsOptions): Promise<void> {
  const { synchronous, streams } = options;
  await withTempStore(`streams-${synchronous.toLowerCase()}`, { synchronous }, async (store) => {
    await writeConcurrently(store, streams, 20, 1_000);

    const { summary } = await measureRuns(options.runs, () => writeConcurrently(store, streams, options.eventsPerStream, options.maxMsPerRun));
    const context = {
      synchronous,
      eventsPerAppend: 1,
      events: summary.count,
      streams,
      concurrency: streams,
      eventBytes: sampleEventBytes(),
    };
    emit('eventstore.append.many-streams.throughput', summary.throughput, 'events/s', { ...context, ...runsContext(summary) });
    emit('eventstore.append.many-streams.p50', summary.latency.p50, 'ms', { ...context, per: 'append call' });
    emit('eventstore.append.many-streams.p99', summary.latency.p99, 'ms', { ...context, per: 'append call' });
    progress(`${streams} streams ${synchronous}: ${summary.count} events in ${summary.runs} runs`);
  });
}

async function writeConcurrently(store: SqliteEventStore, streams: number, perStream: number, maxMs: number): Promise<Run> {
  const latencies: number[] = [];
  let count = 0;
  const started = now();
  const deadline = started + maxMs;
  await runWorkers(streams, async () => {
    const streamId = `bench-${randomUUID()}`;
    let expected: ExpectedRevision = 'no_stream';
    for (let written = 0; written < perStream && now() < deadline; written += 1) {
      const event = sampleEvent(written);
      const before = now();
      const result = await store.appendToStream(streamId, [event], { expectedRevision: expected });
      latencies.push(now() - before);
      expected = result.nextExpectedRevision;
      count += 1;
    }
  });
  return { count, elapsedMs: now() - started, latencies };
}
