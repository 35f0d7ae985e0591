import { randomUUID } from 'node:crypto';
import type { ExpectedRevision } from '../infra/eventstore/port.ts';
import type { SqliteEventStore } from '../infra/eventstore/sqlite.ts';
import { sampleEvent, sampleEventBytes, withTempStore, type Synchronous } from './fixtures.ts';
import { emit, now, perSecond, progress, runWorkers, summarize } from './measure.ts';

export interface ManyStreamsOptions {
  synchronous: Synchronous;
  streams: number;
  /** Upper bounds of the run; whichever is reached first ends it. */
  maxEvents: number;
  maxMs: number;
}

/**
 * One writer per stream, all in flight together, each appending one event at a time with its stream's exact
 * expected revision. Appends arriving in the same tick share one transaction (and one fsync under FULL), so this
 * is the figure group commit is for.
 */
export async function benchManyStreamAppends(options: ManyStreamsOptions): Promise<void> {
  const { synchronous, streams } = options;
  await withTempStore(`streams-${synchronous.toLowerCase()}`, { synchronous }, async (store) => {
    await writeConcurrently(store, streams, streams * 20, 1000);

    const run = await writeConcurrently(store, streams, options.maxEvents, options.maxMs);
    const latency = summarize(run.latencies);
    const context = {
      synchronous,
      events: run.events,
      eventsPerAppend: 1,
      streams,
      concurrency: streams,
      eventBytes: sampleEventBytes(),
    };
    emit('eventstore.append.many-streams.throughput', perSecond(run.events, run.elapsedMs), 'events/s', context);
    emit('eventstore.append.many-streams.p50', latency.p50, 'ms', { ...context, per: 'append call' });
    emit('eventstore.append.many-streams.p99', latency.p99, 'ms', { ...context, per: 'append call' });
    progress(`${streams} streams ${synchronous}: ${run.events} events in ${run.elapsedMs.toFixed(0)} ms`);
  });
}

async function writeConcurrently(
  store: SqliteEventStore,
  streams: number,
  maxEvents: number,
  maxMs: number,
): Promise<{ events: number; elapsedMs: number; latencies: number[] }> {
  const perWriter = Math.ceil(maxEvents / streams);
  const latencies: number[] = [];
  let events = 0;
  const started = now();
  const deadline = started + maxMs;
  await runWorkers(streams, async () => {
    const streamId = `bench-${randomUUID()}`;
    let expected: ExpectedRevision = 'no_stream';
    for (let written = 0; written < perWriter && now() < deadline; written += 1) {
      const event = sampleEvent(written);
      const before = now();
      const result = await store.appendToStream(streamId, [event], { expectedRevision: expected });
      latencies.push(now() - before);
      expected = result.nextExpectedRevision;
      events += 1;
    }
  });
  return { events, elapsedMs: now() - started, latencies };
}
