import { describe, expect, it } from 'vitest';
import { LogConsumer } from '../../infra/log-consumer/log-consumer.ts';
import { appendEvents, countingStore, recordingProcessor } from '../support/log-consumer-fixtures.ts';
import { tempStore } from '../support/pipeline.ts';

describe('the tail when its subscription drops', () => {
  it('subscribes again from its position with backoff, reporting the outage meanwhile: no event lost or doubled', async () => {
    const { store, counts } = countingStore(tempStore(), { dropFirstAfter: 4 });
    const drops: unknown[] = [];
    const consumer = new LogConsumer(store, { retry: { minMs: 500, maxMs: 500 }, onDrop: (error) => drops.push(error) });
    const follower = recordingProcessor('follower');
    const cursor = consumer.attach(follower.processor, 0n);
    // One at a time, so the tail (not a catch-up read) delivers them: the fifth is where the first subscription drops.
    for (let n = 1; n <= 4; n += 1) expect(await cursor.waitFor(await appendEvents(store, 'thing-1', 1))).toBe(true);
    await appendEvents(store, 'thing-1', 1);

    await expect.poll(() => consumer.waiting, { interval: 10 }).toMatchObject({ dependency: 'event-store', message: 'connection lost' });
    expect(cursor.state).toBe('waiting');
    expect(counts.drops).toBe(1);
    expect(drops).toHaveLength(1);
    const head = await appendEvents(store, 'thing-2', 5);
    expect(await cursor.waitFor(head)).toBe(true);
    expect(follower.positions()).toEqual(Array.from({ length: 10 }, (_, n) => BigInt(n + 1)));
    expect(consumer.waiting).toBeNull();
    expect(counts).toMatchObject({ opened: 2, open: 1 });
    await consumer.stop();
    await store.close();
  });
});
