import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteEventStore } from '../../infra/eventstore/sqlite.ts';

const opened: SqliteEventStore[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((store) => store.close()));
});

/**
 * A subscription catching up on a long log (every projection and saga of a server started on a restored data dir,
 * or after a projection's version changed) leaves the event loop to I/O between its pages. The embedded store is
 * synchronous: if pages followed each other in promises alone, nothing else (an HTTP request, `/health`, a timer)
 * would run until the subscription reached the head.
 */
describe('embedded event store: catching up leaves room for I/O', () => {
  it('lets a timer run while a subscription is still far from the head', async () => {
    const store = new SqliteEventStore({ path: ':memory:', pageSize: 100 });
    opened.push(store);
    const events = Array.from({ length: 5_000 }, (_, n) => ({ id: randomUUID(), type: 'Seeded', data: { n }, metadata: {} }));
    for (let start = 0; start < events.length; start += 500) await store.appendToStream(`seed-${start}`, events.slice(start, start + 500));
    const head = await store.headPosition();

    let consumed = 0n;
    const subscription = store.subscribeToAll();
    const consuming = (async () => {
      for await (const event of subscription) {
        consumed = event.position;
        if (event.position >= head) return;
      }
    })();
    const seenByTimer = await new Promise<bigint>((resolve) => setTimeout(() => resolve(consumed), 0));
    await consuming;
    await subscription.unsubscribe();

    expect(consumed).toBe(head);
    // The timer ran after the first page or two, not after the last one.
    expect(seenByTimer).toBeGreaterThan(0n);
    expect(seenByTimer).toBeLessThan(head / 2n);
  });
});
