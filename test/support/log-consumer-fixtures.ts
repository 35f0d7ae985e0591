import { randomUUID } from 'node:crypto';
import { EventStoreUnavailableError } from '../../infra/eventstore/errors.ts';
import type { AllSubscription, EventStore, RecordedEvent, SubscribeToAllOptions } from '../../infra/eventstore/port.ts';
import type { LogProcessor } from '../../infra/log-consumer/processor.ts';

/**
 * A real store that counts its `$all` subscriptions (opened, still open) and its `$all` reads, and can drop the first
 * subscription after it delivered `dropFirstAfter` events, as an EventStoreDB subscription does on a lost connection.
 * `afterFirstRead` runs once the first read of `$all` has read its page, before the reader sees it.
 */
export function countingStore(store: EventStore, options: { dropFirstAfter?: number; afterFirstRead?: () => Promise<void> } = {}) {
  const counts = { opened: 0, open: 0, reads: 0, drops: 0 };
  const subscribeToAll = (subscribeOptions?: SubscribeToAllOptions): AllSubscription => {
    counts.opened += 1;
    counts.open += 1;
    const dropAfter = counts.opened === 1 ? options.dropFirstAfter : undefined;
    const inner = store.subscribeToAll(subscribeOptions);
    let closed = false;
    const close = () => {
      if (!closed) counts.open -= 1;
      closed = true;
    };
    return {
      async unsubscribe() {
        close();
        await inner.unsubscribe();
      },
      async *[Symbol.asyncIterator]() {
        try {
          let delivered = 0;
          for await (const event of inner) {
            if (dropAfter !== undefined && delivered === dropAfter) {
              counts.drops += 1;
              await inner.unsubscribe();
              throw new EventStoreUnavailableError('connection lost');
            }
            delivered += 1;
            yield event;
          }
        } finally {
          close();
        }
      },
    };
  };
  const wrapped: EventStore = {
    appendToStream: store.appendToStream.bind(store),
    readStream: store.readStream.bind(store),
    readAll: (readOptions) => {
      counts.reads += 1;
      const hook = counts.reads === 1 ? options.afterFirstRead : undefined;
      if (!hook) return store.readAll(readOptions);
      return {
        async *[Symbol.asyncIterator]() {
          const page: RecordedEvent[] = [];
          for await (const event of store.readAll(readOptions)) page.push(event);
          await hook();
          yield* page;
        },
      };
    },
    subscribeToAll,
    headPosition: store.headPosition.bind(store),
    close: store.close.bind(store),
  };
  return { store: wrapped, counts };
}

/** Appends `count` events of `type` to `streamId`, one append each; answers the position of the last. */
export async function appendEvents(store: EventStore, streamId: string, count: number, type = 'Noted'): Promise<bigint> {
  let position = 0n;
  for (let n = 0; n < count; n += 1) {
    ({ position } = await store.appendToStream(streamId, [{ id: randomUUID(), type, data: { n }, metadata: {} }]));
  }
  return position;
}

/** A processor that records each event it handled, once `before` (which may fail or block) let it through. */
export function recordingProcessor(
  name: string,
  { before, ...overrides }: Partial<Omit<LogProcessor, 'handle'>> & { before?: (event: RecordedEvent) => Promise<void> | void } = {},
) {
  const seen: RecordedEvent[] = [];
  const processor: LogProcessor = {
    name,
    wants: {},
    failure: { kind: 'stop' },
    handle: async (event) => {
      await before?.(event);
      seen.push(event);
    },
    ...overrides,
  };
  return { processor, seen, positions: () => seen.map((event) => event.position) };
}

/** Whether `positions` are strictly increasing (in log order, none twice). */
export function strictlyIncreasing(positions: readonly bigint[]): boolean {
  return positions.slice(1).every((position, index) => {
    const before = positions[index];
    return before !== undefined && position > before;
  });
}
