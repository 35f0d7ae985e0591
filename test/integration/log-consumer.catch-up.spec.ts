import { describe, expect, it } from 'vitest';
import { LogConsumer } from '../../infra/log-consumer/log-consumer.ts';
import { appendEvents, countingStore, recordingProcessor, strictlyIncreasing } from '../support/log-consumer-fixtures.ts';
import { tempStore } from '../support/pipeline.ts';

describe('a processor the window no longer covers', () => {
  it('catches up by reads of the events it wants, and gets each exactly once, in order', async () => {
    const { store, counts } = countingStore(tempStore());
    const consumer = new LogConsumer(store, { windowSize: 8, pageSize: 5 });
    let release = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    // Blocked on its first event while 60 more are appended: the window (8) moves on without it.
    const slow = recordingProcessor('slow', { wants: { streamPrefixes: ['a-'] }, before: () => gate });
    const fast = recordingProcessor('fast');
    const slowCursor = consumer.attach(slow.processor, 0n);
    const fastCursor = consumer.attach(fast.processor, 0n);
    for (let round = 0; round < 20; round += 1) {
      await appendEvents(store, `a-${round}`, 1);
      await appendEvents(store, `b-${round}`, 2);
    }
    const head = await store.headPosition();
    expect(await fastCursor.waitFor(head)).toBe(true);
    expect(consumer.window.base).toBeGreaterThan(slowCursor.position);
    const readsBefore = counts.reads;

    release();
    expect(await slowCursor.waitFor(head)).toBe(true);
    expect(counts.reads).toBeGreaterThan(readsBefore);
    const wanted = fast.seen.filter((event) => event.streamId.startsWith('a-'));
    expect(slow.positions()).toEqual(wanted.map((event) => event.position));
    expect(slow.seen).toHaveLength(20);
    expect(strictlyIncreasing(slow.positions())).toBe(true);
    expect(counts.opened).toBe(1);

    // Caught up, it follows from the window again: a new event arrives without more reads.
    const readsCaughtUp = counts.reads;
    const next = await appendEvents(store, 'a-next', 1);
    expect(await slowCursor.waitFor(next)).toBe(true);
    expect(slow.seen.at(-1)?.streamId).toBe('a-next');
    expect(counts.reads).toBe(readsCaughtUp);
    await consumer.stop();
    await store.close();
  });

  it('attached far behind the tail (from the start of a long log), reads its way up to it', async () => {
    const { store, counts } = countingStore(tempStore());
    await appendEvents(store, 'a-old', 30);
    const consumer = new LogConsumer(store, { windowSize: 4, pageSize: 7 });
    const late = recordingProcessor('late');
    const cursor = consumer.attach(late.processor, 0n);
    const head = await appendEvents(store, 'a-new', 3);
    expect(await cursor.waitFor(head)).toBe(true);
    expect(late.seen.map((event) => event.position)).toEqual(Array.from({ length: 33 }, (_, n) => BigInt(n + 1)));
    expect(counts.reads).toBeGreaterThan(1);
    await consumer.stop();
    await store.close();
  });

  it('hands over from its reads to the window without losing an event appended while it read', async () => {
    const base = tempStore();
    await appendEvents(base, 'a-old', 3);
    let appended = 0n;
    let consumer: LogConsumer | undefined;
    const { store } = countingStore(base, {
      // The read has its page; then an event is appended, and the tail has it before the reader goes on.
      afterFirstRead: async () => {
        appended = await appendEvents(base, 'a-during', 1);
        await expect.poll(() => consumer?.window.position).toBe(appended);
      },
    });
    consumer = new LogConsumer(store);
    const reader = recordingProcessor('reader', { wants: { streamPrefixes: ['a-'] } });
    const cursor = consumer.attach(reader.processor, 0n);
    await expect.poll(() => appended).toBeGreaterThan(0n);
    expect(await cursor.waitFor(appended)).toBe(true);
    expect(reader.seen.map((event) => event.streamId)).toEqual(['a-old', 'a-old', 'a-old', 'a-during']);
    await consumer.stop();
    await base.close();
  });
});
