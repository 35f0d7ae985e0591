import { InvalidBusConfigError } from './errors.ts';
import type { BusOptions, IncomingMessage, MessageHandler } from './port.ts';

/**
 * How both adapters hand received messages on: to a handler one at a time, or to one `for await` loop, and how they
 * let their subscriptions finish at close.
 */

type NextMessage = () => Promise<IteratorResult<IncomingMessage>>;

/** Reports to the bus's `onError`; a reporter that throws must not break delivery. */
export function reportSafely(onError: NonNullable<BusOptions['onError']>, error: unknown, subject: string): void {
  try {
    onError(error, { subject });
  } catch {
    // swallowed on purpose: see above
  }
}

/** How a subscription's messages are consumed: by a handler, or by one `for await` loop. */
export class Consumption {
  private mode: 'none' | 'handler' | 'iterator' = 'none';

  get byHandler(): boolean {
    return this.mode === 'handler';
  }

  /** Calls the handler for one message at a time, in order, until the source ends; a handler's error is reported. */
  async handleEach(next: NextMessage, handler: MessageHandler, report: (error: unknown, subject: string) => void): Promise<void> {
    this.mode = 'handler';
    for (;;) {
      const message = await next();
      if (message.done) return;
      try {
        await handler(message.value);
      } catch (error) {
        report(error, message.value.subject);
      }
    }
  }

  /** The iterator of the one `for await` loop; leaving the loop unsubscribes. */
  iterator(next: NextMessage, unsubscribe: () => Promise<void>): AsyncIterator<IncomingMessage> {
    if (this.mode !== 'none') throw new InvalidBusConfigError('a subscription can be iterated once');
    this.mode = 'iterator';
    return {
      next,
      return: async () => {
        await unsubscribe();
        return { value: undefined, done: true };
      },
    };
  }
}

/**
 * Drains every subscription at close; waits only for those with a handler, which finish what they received (an
 * iterated stream keeps its buffer for its reader).
 */
export async function drainAll(subscriptions: Iterable<{ readonly hasHandler: boolean; drain(): Promise<void> }>): Promise<void> {
  const draining: Promise<void>[] = [];
  for (const subscription of [...subscriptions]) {
    const drained = subscription.drain();
    if (subscription.hasHandler) draining.push(drained);
  }
  await Promise.all(draining);
}
