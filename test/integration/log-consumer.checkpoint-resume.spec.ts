import { describe, expect, it } from 'vitest';
import { LogConsumer } from '../../infra/log-consumer/log-consumer.ts';
import type { Checkpointing } from '../../infra/log-consumer/processor.ts';
import { appendEvents, recordingProcessor, strictlyIncreasing } from '../support/log-consumer-fixtures.ts';
import { tempStore } from '../support/pipeline.ts';

/** A checkpoint kept across "processes" (consumers) of one test, with every save it took. */
function savedCheckpoint(policy: Omit<Checkpointing, 'save'>) {
  const saves: bigint[] = [];
  const checkpoint: Checkpointing = {
    ...policy,
    save: async (position) => {
      saves.push(position);
    },
  };
  return { checkpoint, saves, last: () => saves.at(-1) ?? 0n };
}

describe('a processor with a checkpoint', () => {
  it('resumes after a restart from where it saved: nothing handled twice, nothing missed', async () => {
    const store = tempStore();
    const saved = savedCheckpoint({ afterHandled: 'awaited' });
    const first = new LogConsumer(store);
    const before = recordingProcessor('resumable', { checkpoint: saved.checkpoint });
    const firstCursor = first.attach(before.processor, 0n);
    const stopHead = await appendEvents(store, 'thing-1', 10);
    expect(await firstCursor.waitFor(stopHead)).toBe(true);
    await first.stop();
    expect(saved.last()).toBe(stopHead);

    // Down for a while: more events.
    const head = await appendEvents(store, 'thing-2', 5);
    const second = new LogConsumer(store);
    const after = recordingProcessor('resumable', { checkpoint: saved.checkpoint });
    const secondCursor = second.attach(after.processor, saved.last());
    expect(await secondCursor.waitFor(head)).toBe(true);
    expect(after.seen.map((event) => event.streamId)).toEqual(Array(5).fill('thing-2'));
    expect([...before.positions(), ...after.positions()]).toEqual(Array.from({ length: 15 }, (_, n) => BigInt(n + 1)));
    await second.stop();
    await store.close();
  });

  it('batches its saves when told to (every so many positions, and once more when it stops)', async () => {
    const store = tempStore();
    const saved = savedCheckpoint({ everyPositions: 10 });
    const consumer = new LogConsumer(store);
    const batched = recordingProcessor('batched', { checkpoint: saved.checkpoint });
    const cursor = consumer.attach(batched.processor, 0n);
    const head = await appendEvents(store, 'thing-1', 25);
    expect(await cursor.waitFor(head)).toBe(true);
    await expect.poll(() => saved.saves.length).toBeGreaterThan(0);
    // The first save waits for 10 positions; a save that finds the next one due already may coalesce positions.
    expect(saved.saves[0]).toBe(10n);
    expect(saved.saves.length).toBeLessThanOrEqual(3);
    expect(strictlyIncreasing(saved.saves)).toBe(true);
    await consumer.stop();
    expect(saved.saves.at(-1)).toBe(25n);
    expect(saved.saves.length).toBeLessThanOrEqual(4);
    await store.close();
  });
});
