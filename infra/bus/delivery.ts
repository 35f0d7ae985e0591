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

/** Calls the handler for one message at a time, in order, until the source ends; a handler's error is reported. */
export async function handleEach(next: NextMessage, handler: MessageHandler, report: (error: unknown, subject: string) => void): Promise<void> {
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

/** The iterator of a `for await` loop: leaving the loop unsubscribes. */
export function unsubscribingIterator(next: NextMessage, unsubscribe: () => Promise<void>): AsyncIterator<IncomingMessage> {
  return {
    next,
    return: async () => {
      await unsubscribe();
      return { value: undefined, done: true };
    },
  };
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
