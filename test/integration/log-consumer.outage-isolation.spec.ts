import { describe, expect, it } from 'vitest';
import { DocumentStoreUnavailableError } from '../../infra/documents/errors.ts';
import { LogConsumer } from '../../infra/log-consumer/log-consumer.ts';
import { appendEvents, recordingProcessor, strictlyIncreasing } from '../support/log-consumer-fixtures.ts';
import { tempStore } from '../support/pipeline.ts';

describe('a processor waiting out an outage', () => {
  it('holds only itself: the others follow the log meanwhile, and it catches up with every event once it answers', async () => {
    const store = tempStore();
    // A small window: the stuck processor falls out of it and catches up from the store afterwards.
    const consumer = new LogConsumer(store, { windowSize: 4, pageSize: 3 });
    let down = true;
    let attempts = 0;
    const stuck = recordingProcessor('stuck', {
      outageRetry: { minMs: 1, maxMs: 10 },
      before: () => {
        attempts += 1;
        if (down) throw new DocumentStoreUnavailableError('the read-model store is unavailable');
      },
    });
    const free = recordingProcessor('free');
    const stuckCursor = consumer.attach(stuck.processor, 0n);
    const freeCursor = consumer.attach(free.processor, 0n);

    const head = await appendEvents(store, 'thing-1', 20);
    expect(await freeCursor.waitFor(head)).toBe(true);
    expect(free.seen).toHaveLength(20);
    await expect.poll(() => attempts, { timeout: 5000 }).toBeGreaterThan(3);
    expect(stuckCursor.state).toBe('waiting');
    expect(stuckCursor.waiting).toMatchObject({ dependency: 'documents' });
    expect(stuck.seen).toHaveLength(0);

    down = false;
    expect(await stuckCursor.waitFor(head)).toBe(true);
    expect(stuck.positions()).toEqual(free.positions());
    expect(strictlyIncreasing(stuck.positions())).toBe(true);
    expect(stuckCursor.waiting).toBeNull();
    await consumer.stop();
    await store.close();
  });
});
