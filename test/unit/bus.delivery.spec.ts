import { describe, expect, it } from 'vitest';
import { Consumption, drainAll, reportSafely } from '../../infra/bus/delivery.ts';
import { InvalidBusConfigError } from '../../infra/bus/errors.ts';
import type { IncomingMessage } from '../../infra/bus/port.ts';

function message(subject: string): IncomingMessage {
  return { subject, data: subject, headers: {}, isRequest: false, respond: () => false };
}

function source(messages: IncomingMessage[]): () => Promise<IteratorResult<IncomingMessage>> {
  const queue = [...messages];
  return async () => {
    const next = queue.shift();
    return next === undefined ? { value: undefined, done: true } : { value: next, done: false };
  };
}

describe('how both bus adapters hand messages on', () => {
  it('calls the handler one message at a time, in order, and reports a failing handler without stopping', async () => {
    const seen: string[] = [];
    const reported: [string, string][] = [];
    let running = 0;
    const consumption = new Consumption();
    await consumption.handleEach(
      source([message('a'), message('b'), message('c')]),
      async (incoming) => {
        running += 1;
        expect(running).toBe(1);
        await Promise.resolve();
        running -= 1;
        seen.push(incoming.subject);
        if (incoming.subject === 'b') throw new Error('handler failed');
      },
      (error, subject) => reported.push([error instanceof Error ? error.message : String(error), subject]),
    );
    expect(seen).toEqual(['a', 'b', 'c']);
    expect(reported).toEqual([['handler failed', 'b']]);
    expect(consumption.byHandler).toBe(true);
  });

  it('keeps delivering when the error reporter itself throws', () => {
    const calls: string[] = [];
    expect(() =>
      reportSafely(
        (_error, context) => {
          calls.push(context.subject);
          throw new Error('reporter broke');
        },
        new Error('x'),
        'orders.created',
      ),
    ).not.toThrow();
    expect(calls).toEqual(['orders.created']);
  });

  it('unsubscribes when a for-await loop is left early', async () => {
    let unsubscribed = 0;
    const consumption = new Consumption();
    const iterator = consumption.iterator(source([message('a'), message('b')]), async () => {
      unsubscribed += 1;
    });
    for await (const incoming of { [Symbol.asyncIterator]: () => iterator }) {
      expect(incoming.subject).toBe('a');
      break;
    }
    expect(unsubscribed).toBe(1);
    expect(consumption.byHandler).toBe(false);
  });

  it('lets a subscription be iterated once, and not once a handler runs it', async () => {
    const unsubscribe = async (): Promise<void> => undefined;
    const iterated = new Consumption();
    iterated.iterator(source([]), unsubscribe);
    expect(() => iterated.iterator(source([]), unsubscribe)).toThrow(InvalidBusConfigError);
    const handled = new Consumption();
    await handled.handleEach(
      source([]),
      () => undefined,
      () => undefined,
    );
    expect(() => handled.iterator(source([]), unsubscribe)).toThrow(InvalidBusConfigError);
  });

  it('drains every subscription at close but waits only for those with a handler', async () => {
    const drained: string[] = [];
    let finishHandler = (): void => undefined;
    const withHandler = {
      hasHandler: true,
      drain: () => {
        drained.push('handler');
        return new Promise<void>((resolve) => (finishHandler = resolve));
      },
    };
    const iterated = {
      hasHandler: false,
      drain: () => {
        drained.push('iterated');
        return new Promise<void>(() => undefined);
      },
    };
    let closed = false;
    const closing = drainAll(new Set([withHandler, iterated])).then(() => (closed = true));
    expect(drained).toEqual(['handler', 'iterated']);
    // Every pending promise callback runs before setImmediate's: a close that did not wait would be done by then.
    await new Promise((resolve) => setImmediate(resolve));
    expect(closed).toBe(false);
    finishHandler();
    await closing;
    expect(closed).toBe(true);
  });
});
