import { setTimeout as sleep } from 'node:timers/promises';
import type { EventStore, EventToAppend } from '../../infra/eventstore/port.ts';

export interface Appended {
  streamId: string;
  revision: bigint;
  position: bigint;
}

export interface ConcurrentAppends {
  /** Writer `w` appends to stream `<prefix>-<w>`. */
  prefix: string;
  /** Events in all, numbered from 0 and dealt out to the writers in turn. */
  total: number;
  writers: number;
  /** A pause after each append, so that another process's commits come in between. */
  pauseMs?: number;
  event(n: number): EventToAppend;
}

/**
 * Concurrent writers, one stream each, appending one event at a time at the exact expected revision. A writer stops
 * at its first error, which is kept: under contention the store must need none of them.
 */
export async function appendConcurrently(store: EventStore, options: ConcurrentAppends): Promise<{ appended: Appended[]; errors: unknown[] }> {
  const { prefix, total, writers, pauseMs } = options;
  const appended: Appended[] = [];
  const errors: unknown[] = [];
  await Promise.all(
    Array.from({ length: writers }, async (_, writer) => {
      const streamId = `${prefix}-${writer}`;
      let expected: bigint | 'no_stream' = 'no_stream';
      for (let n = writer; n < total; n += writers) {
        try {
          const result = await store.appendToStream(streamId, [options.event(n)], { expectedRevision: expected });
          expected = result.nextExpectedRevision;
          appended.push({ streamId, revision: result.nextExpectedRevision, position: result.position });
          if (pauseMs !== undefined) await sleep(pauseMs);
        } catch (error) {
          errors.push(error);
          return;
        }
      }
    }),
  );
  return { appended, errors };
}
