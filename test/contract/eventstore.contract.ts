import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StreamNotFoundError, WrongExpectedVersionError } from '../../infra/eventstore/errors.ts';
import type { EventStore, EventToAppend, RecordedEvent } from '../../infra/eventstore/port.ts';
import { collect, take, waitFor } from '../support/async.ts';
import { required } from '../../domain/shared/required.ts';
import { expectStrictlyIncreasing } from '../support/ordering.ts';

/**
 * The EventStore port's contract. Every adapter runs it. Streams are named per run so the suite also works against a
 * shared EventStoreDB that holds other data.
 */
export function describeEventStoreContract(adapterName: string, open: () => Promise<EventStore>): void {
  describe(`EventStore contract: ${adapterName}`, () => {
    let store: EventStore;
    const run = randomUUID().slice(0, 8);
    const stream = (name: string) => `ct${run}${name}-${randomUUID().slice(0, 8)}`;
    const event = (type = 'ThingHappened', data: Record<string, string | number> = {}): EventToAppend => ({
      id: randomUUID(),
      type,
      data: { ...data },
      metadata: { correlationId: 'corr-1', causationId: 'cause-1', principal: 'tester' },
    });

    beforeAll(async () => {
      store = await open();
    });
    afterAll(async () => {
      await store.close();
    });

    describe('append', () => {
      it('creates a stream with no_stream and reads it back in order with data and metadata', async () => {
        const id = stream('a');
        const a = event('A', { n: 1 });
        const b = event('B', { n: 2 });
        const result = await store.appendToStream(id, [a, b], { expectedRevision: 'no_stream' });
        expect(result.nextExpectedRevision).toBe(1n);
        expect(result.position).toBeGreaterThan(0n);

        const read = await collect(store.readStream(id));
        expect(read.map((e) => [e.id, e.type, e.revision, e.data])).toEqual([
          [a.id, 'A', 0n, { n: 1 }],
          [b.id, 'B', 1n, { n: 2 }],
        ]);
        const first = required(read[0], 'two events were read');
        const second = required(read[1], 'two events were read');
        expect(second.position).toBe(result.position);
        expect(first.position).toBeLessThan(second.position);
        expect(first.metadata).toMatchObject({ correlationId: 'corr-1', causationId: 'cause-1', principal: 'tester' });
        expect(first.streamId).toBe(id);
        expect(first.created).toBeInstanceOf(Date);
      });

      it('refuses no_stream when the stream exists, reporting the actual revision', async () => {
        const id = stream('b');
        await store.appendToStream(id, [event()], { expectedRevision: 'no_stream' });
        const failure = await store.appendToStream(id, [event()], { expectedRevision: 'no_stream' }).catch((e) => e);
        expect(failure).toBeInstanceOf(WrongExpectedVersionError);
        expect(failure).toMatchObject({ streamId: id, actual: 0n });
      });

      it('appends at the exact revision and refuses a stale one', async () => {
        const id = stream('c');
        await store.appendToStream(id, [event(), event()], { expectedRevision: 'no_stream' });
        const next = await store.appendToStream(id, [event()], { expectedRevision: 1n });
        expect(next.nextExpectedRevision).toBe(2n);
        const stale = await store.appendToStream(id, [event()], { expectedRevision: 1n }).catch((e) => e);
        expect(stale).toBeInstanceOf(WrongExpectedVersionError);
        expect(stale).toMatchObject({ expected: 1n, actual: 2n });
        expect(await collect(store.readStream(id))).toHaveLength(3);
      });

      it('refuses stream_exists and an exact revision on a missing stream; any always appends', async () => {
        const id = stream('d');
        await expect(store.appendToStream(id, [event()], { expectedRevision: 'stream_exists' })).rejects.toBeInstanceOf(WrongExpectedVersionError);
        await expect(store.appendToStream(id, [event()], { expectedRevision: 0n })).rejects.toBeInstanceOf(WrongExpectedVersionError);
        await store.appendToStream(id, [event()], { expectedRevision: 'any' });
        await store.appendToStream(id, [event()]);
        const result = await store.appendToStream(id, [event()], { expectedRevision: 'stream_exists' });
        expect(result.nextExpectedRevision).toBe(2n);
      });

      it('is idempotent by event id: the same batch twice is written once and answers the same', async () => {
        const id = stream('e');
        const batch = [event('A'), event('B')];
        const first = await store.appendToStream(id, batch, { expectedRevision: 'no_stream' });
        const again = await store.appendToStream(id, batch, { expectedRevision: 'no_stream' });
        expect(again).toEqual(first);
        expect(await collect(store.readStream(id))).toHaveLength(2);
      });

      it('is idempotent only where the batch sits right after the expected revision, as in EventStoreDB', async () => {
        const id = stream('stale');
        const a = event('A');
        const original = await store.appendToStream(id, [a], { expectedRevision: 'no_stream' });
        await store.appendToStream(id, [event('B')], { expectedRevision: 0n });

        // A writer that read revision 0 and retries [A]: A is at revision 0, not 1, so its view is stale.
        const stale = await store.appendToStream(id, [a], { expectedRevision: 0n }).catch((e: unknown) => e);
        expect(stale).toBeInstanceOf(WrongExpectedVersionError);
        expect(stale).toMatchObject({ streamId: id, expected: 0n, actual: 1n });

        // The writer that created the stream retries [A] at no_stream: A is at revision 0, so it is a replay.
        expect(await store.appendToStream(id, [a], { expectedRevision: 'no_stream' })).toEqual(original);
        expect(await store.appendToStream(id, [a], { expectedRevision: 'any' })).toEqual(original);
        expect((await collect(store.readStream(id))).map((e) => e.type)).toEqual(['A', 'B']);
      });

      it('lets exactly one of 50 concurrent appends with the same expected revision win', async () => {
        const id = stream('f');
        await store.appendToStream(id, [event()], { expectedRevision: 'no_stream' });
        const outcomes = await Promise.allSettled(Array.from({ length: 50 }, () => store.appendToStream(id, [event('Raced')], { expectedRevision: 0n })));
        const won = outcomes.filter((o) => o.status === 'fulfilled');
        const lost = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
        expect(won).toHaveLength(1);
        expect(lost).toHaveLength(49);
        for (const loss of lost) expect(loss.reason).toBeInstanceOf(WrongExpectedVersionError);
        expect(await collect(store.readStream(id))).toHaveLength(2);
      });

      it('lets exactly one of 50 concurrent creators of the same stream win', async () => {
        const id = stream('g');
        const outcomes = await Promise.allSettled(Array.from({ length: 50 }, () => store.appendToStream(id, [event()], { expectedRevision: 'no_stream' })));
        expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
      });
    });

    describe('read a stream', () => {
      it('fails with StreamNotFoundError for a stream that has no events', async () => {
        await expect(collect(store.readStream(stream('missing')))).rejects.toBeInstanceOf(StreamNotFoundError);
      });

      it('reads forwards from a revision, backwards from the end, and honours maxCount', async () => {
        const id = stream('h');
        await store.appendToStream(
          id,
          Array.from({ length: 5 }, (_, n) => event('N', { n })),
          { expectedRevision: 'no_stream' },
        );
        const fromTwo = await collect(store.readStream(id, { fromRevision: 2n }));
        expect(fromTwo.map((e) => e.data.n)).toEqual([2, 3, 4]);
        const backwards = await collect(store.readStream(id, { direction: 'backwards' }));
        expect(backwards.map((e) => e.data.n)).toEqual([4, 3, 2, 1, 0]);
        const lastTwo = await collect(store.readStream(id, { direction: 'backwards', maxCount: 2 }));
        expect(lastTwo.map((e) => e.revision)).toEqual([4n, 3n]);
        const firstTwo = await collect(store.readStream(id, { maxCount: 2 }));
        expect(firstTwo.map((e) => e.revision)).toEqual([0n, 1n]);
      });
    });

    describe('$all', () => {
      it('reads in global order from a position (inclusive), forwards and backwards, with a stream-prefix filter', async () => {
        const prefix = stream('all');
        const a = `${prefix}.one`;
        const b = `${prefix}.two`;
        await store.appendToStream(a, [event('X', { n: 1 })]);
        const second = await store.appendToStream(b, [event('Y', { n: 2 })]);
        await store.appendToStream(a, [event('X', { n: 3 })]);

        const filter = { streamPrefixes: [prefix] };
        const all = await collect(store.readAll({ filter }));
        expect(all.map((e) => e.data.n)).toEqual([1, 2, 3]);
        const positions = all.map((e) => e.position);
        expect([...positions].sort((x, y) => (x < y ? -1 : 1))).toEqual(positions);

        const fromSecond = await collect(store.readAll({ fromPosition: second.position, filter }));
        expect(fromSecond.map((e) => e.data.n)).toEqual([2, 3]);
        const backwards = await collect(store.readAll({ direction: 'backwards', filter, maxCount: 1000 }));
        expect(backwards.map((e) => e.data.n).slice(0, 3)).toEqual([3, 2, 1]);
      });

      it('filters by event type', async () => {
        const prefix = stream('types');
        await store.appendToStream(`${prefix}.x`, [event('Wanted', { n: 1 }), event('Unwanted', { n: 2 })]);
        await store.appendToStream(`${prefix}.y`, [event('Wanted', { n: 3 })]);
        const read = await collect(store.readAll({ filter: { streamPrefixes: [prefix], eventTypes: ['Wanted'] } }));
        expect(read.map((e) => e.data.n)).toEqual([1, 3]);
      });

      it('reports the head position', async () => {
        const result = await store.appendToStream(stream('head'), [event()]);
        expect(await store.headPosition()).toBeGreaterThanOrEqual(result.position);
      });
    });

    describe('subscribe to $all', () => {
      it('catches up, then delivers live events in order, after a checkpoint, filtered', async () => {
        const prefix = stream('sub');
        const first = await store.appendToStream(`${prefix}.a`, [event('Seen', { n: 1 })]);
        await store.appendToStream(`${prefix}.b`, [event('Seen', { n: 2 }), event('Ignored', { n: 99 })]);
        await store.appendToStream(`other${run}-x`, [event('Seen', { n: 98 })]);

        const subscription = store.subscribeToAll({
          afterPosition: first.position,
          filter: { streamPrefixes: [prefix], eventTypes: ['Seen'] },
        });
        const received: RecordedEvent[] = [];
        const reading = (async () => {
          for await (const e of subscription) {
            received.push(e);
            if (received.length === 3) break;
          }
        })();
        // Live appends once the subscription has caught up, from concurrent writers.
        await waitFor(() => received.length === 1, 5000, 'the catch-up');
        await store.appendToStream(`${prefix}.c`, [event('Seen', { n: 3 })]);
        await store.appendToStream(`${prefix}.d`, [event('Seen', { n: 4 })]);
        await Promise.race([reading, new Promise((_, reject) => setTimeout(() => reject(new Error('subscription stalled')), 5000))]);
        await subscription.unsubscribe();
        expect(received.map((e) => e.data.n)).toEqual([2, 3, 4]);
      });

      it('from the beginning delivers every matching event exactly once, then stops on unsubscribe', async () => {
        const prefix = stream('once');
        for (let n = 0; n < 20; n += 1) await store.appendToStream(`${prefix}.${n % 3}`, [event('E', { n })]);
        const subscription = store.subscribeToAll({ filter: { streamPrefixes: [prefix] } });
        const iterator = subscription[Symbol.asyncIterator]();
        const received = await take({ [Symbol.asyncIterator]: () => iterator }, 20);
        expect(received.map((e) => e.data.n)).toEqual(Array.from({ length: 20 }, (_, n) => n));

        // A consumer waiting for the next live event (as `for await` does) is released by unsubscribe.
        const waiting = iterator.next();
        // The port has no way to observe that next() has parked; give it a moment to, so unsubscribe releases a
        // parked consumer, not one still reading (the SQLite spec pins the parked state with listenerCount).
        await new Promise((resolve) => setTimeout(resolve, 20));
        await within(500, 'unsubscribe', subscription.unsubscribe());
        expect(await within(500, 'the pending next() after unsubscribe', waiting)).toMatchObject({ done: true });
        expect(await within(500, 'next() after unsubscribe', iterator.next())).toMatchObject({ done: true });
        expect(await within(500, 'a new iteration after unsubscribe', subscription[Symbol.asyncIterator]().next())).toMatchObject({
          done: true,
        });
      });

      it('reports how far a filtered subscription scanned, in order with delivery, never past an undelivered event', async () => {
        const prefix = stream('scan');
        const skipped = (n: number) => Array.from({ length: n }, (_, index) => event('Skipped', { index }));
        const from = await store.headPosition();
        type Seen = { kind: 'event' | 'checkpoint'; position: bigint; handling: boolean };
        const timeline: Seen[] = [];
        let handling = false;
        const subscription = store.subscribeToAll({
          afterPosition: from,
          filter: { streamPrefixes: [prefix] },
          checkpointReached: (position) => {
            timeline.push({ kind: 'checkpoint', position, handling });
          },
        });
        const reading = (async () => {
          for await (const e of subscription) {
            timeline.push({ kind: 'event', position: e.position, handling: false });
            // A slow consumer: a checkpoint reported now would pass an event that is not handled yet.
            handling = true;
            await new Promise((resolve) => setTimeout(resolve, 20));
            handling = false;
          }
        })();
        for (let batch = 0; batch < 4; batch += 1) await store.appendToStream(stream('noise'), skipped(50));
        const matching = await store.appendToStream(`${prefix}.a`, [event('Kept')]);
        for (let batch = 0; batch < 4; batch += 1) await store.appendToStream(stream('noise'), skipped(50));
        const head = await store.headPosition();

        const checkpoints = () => timeline.filter((seen) => seen.kind === 'checkpoint');
        // EventStoreDB sends a checkpoint every 32 events it filtered out; the embedded store when it caught up.
        await waitFor(() => checkpoints().some((seen) => seen.position > matching.position + 100n), 10_000, 'a checkpoint past the skipped events');
        await subscription.unsubscribe();
        await reading;

        expect(timeline.filter((seen) => seen.kind === 'event').map((seen) => seen.position)).toEqual([matching.position]);
        expect(checkpoints().every((seen) => !seen.handling)).toBe(true);
        expect(checkpoints().every((seen) => seen.position > from && seen.position <= head)).toBe(true);
        // One order: each checkpoint above everything before it, each event above every checkpoint before it.
        expectStrictlyIncreasing(timeline.map((seen) => seen.position));
      });

      it('ends at once when unsubscribed before iterating', async () => {
        const subscription = store.subscribeToAll({ filter: { streamPrefixes: [stream('never')] } });
        await within(500, 'unsubscribe', subscription.unsubscribe());
        expect(await within(500, 'next() after unsubscribe', subscription[Symbol.asyncIterator]().next())).toMatchObject({
          done: true,
        });
      });
    });
  });
}

/** `promise`, or a failure naming `what` if it does not settle within `ms`. */
async function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
