import { describe, expect, it } from 'vitest';
import type { RecordedEvent } from '../../infra/eventstore/port.ts';
import { LogConsumer } from '../../infra/log-consumer/log-consumer.ts';
import { appendEvents, recordingProcessor } from '../support/log-consumer-fixtures.ts';
import { tempStore } from '../support/pipeline.ts';

const fast = { firstMs: 1, jitter: 'none' } as const;

/**
 * A log of ten events whose fourth is the poison (type `Poison`), a consumer of it, and `close` to stop the one and
 * close the other.
 */
async function logWithPoison() {
  const store = tempStore();
  await appendEvents(store, 'thing-1', 3);
  await appendEvents(store, 'thing-1', 1, 'Poison');
  const head = await appendEvents(store, 'thing-1', 6);
  const consumer = new LogConsumer(store);
  const close = async () => {
    await consumer.stop();
    await store.close();
  };
  return { consumer, head, poison: 4n, close };
}

describe('an event a processor cannot handle', () => {
  it('under `stop`: stops just before it and reports it, holding no one else, and goes on past it once resumed', async () => {
    const { consumer, head, poison, close } = await logWithPoison();
    let fixed = false;
    const strict = recordingProcessor('strict', {
      before: (event) => {
        if (event.type === 'Poison' && !fixed) throw new TypeError('cannot read properties of undefined');
      },
    });
    const other = recordingProcessor('other');
    const strictCursor = consumer.attach(strict.processor, 0n);
    const otherCursor = consumer.attach(other.processor, 0n);
    expect(await otherCursor.waitFor(head)).toBe(true);
    await expect.poll(() => strictCursor.state).toBe('failed');
    expect(strictCursor.failure).toMatchObject({ position: poison.toString(), type: 'Poison', message: 'cannot read properties of undefined' });
    expect(strictCursor.position).toBe(poison - 1n);
    expect(strict.positions()).toEqual([1n, 2n, 3n]);
    expect(await strictCursor.waitFor(head, 100)).toBe(false);

    fixed = true;
    await strictCursor.resume();
    expect(await strictCursor.waitFor(head)).toBe(true);
    expect(strict.positions()).toEqual(other.positions());
    expect(strictCursor.failure).toBeNull();
    await close();
  });

  it('under `skip-after`: tries it the given number of times, gives it up once, and goes on', async () => {
    const { consumer, head, poison, close } = await logWithPoison();
    let tries = 0;
    const givenUp: RecordedEvent[] = [];
    const retries: number[] = [];
    const lenient = recordingProcessor('lenient', {
      failure: {
        kind: 'skip-after',
        attempts: 3,
        backoff: fast,
        onRetry: (_event, _error, attempt) => retries.push(attempt),
        giveUp: async (event) => {
          givenUp.push(event);
        },
      },
      before: (event) => {
        if (event.type !== 'Poison') return;
        tries += 1;
        throw new Error('no such job');
      },
    });
    const cursor = consumer.attach(lenient.processor, 0n);
    expect(await cursor.waitFor(head)).toBe(true);
    expect(tries).toBe(3);
    expect(retries).toEqual([1, 2]);
    expect(givenUp.map((event) => event.position)).toEqual([poison]);
    expect(lenient.positions()).toEqual([1n, 2n, 3n, 5n, 6n, 7n, 8n, 9n, 10n]);
    expect(cursor.state).toBe('live');
    await close();
  });

  it('under `retry`: tries it again for as long as it fails, reporting it meanwhile, and handles it once it can', async () => {
    const { consumer, head, poison, close } = await logWithPoison();
    let failuresLeft = 4;
    const failures: Array<{ attempt: number; position: bigint | undefined }> = [];
    let recovered = 0;
    let waitingSeen = false;
    const stubborn = recordingProcessor('stubborn', {
      failure: {
        kind: 'retry',
        backoff: fast,
        onFailure: (_error, event, attempt) => {
          failures.push({ attempt, position: event?.position });
        },
        onRecovered: () => {
          recovered += 1;
        },
      },
      before: (event) => {
        if (event.type !== 'Poison' || failuresLeft === 0) return;
        failuresLeft -= 1;
        // The failure before this attempt is reported as the processor's wait.
        if (failuresLeft < 3 && cursor.waiting?.message === 'the bus is away') waitingSeen = true;
        throw new Error('the bus is away');
      },
    });
    const cursor = consumer.attach(stubborn.processor, 0n);
    expect(await cursor.waitFor(head)).toBe(true);
    expect(failures).toEqual([1, 2, 3, 4].map((attempt) => ({ attempt, position: poison })));
    expect(recovered).toBe(1);
    expect(waitingSeen).toBe(true);
    expect(stubborn.positions()).toEqual(Array.from({ length: 10 }, (_, n) => BigInt(n + 1)));
    expect(cursor.waiting).toBeNull();
    await close();
  });
});
