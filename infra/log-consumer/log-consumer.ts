import type { AllSubscription, EventStore } from '../eventstore/port.ts';
import { OutageWait, unavailableDependency, type OutageBackoffOptions, type OutageStatus } from '../outage/dependency-outage.ts';
import { ProcessorCursor } from './cursor.ts';
import { EventWindow } from './event-window.ts';
import type { LogProcessor } from './processor.ts';

export interface LogConsumerOptions {
  /** How many of the most recent events the window keeps at most. Default 1,024. */
  windowSize?: number;
  /** About how many bytes of events (their JSON length) the window keeps at most. Default 16 MiB. */
  windowBytes?: number;
  /** How many events a catch-up read asks for at once. Default 500. */
  pageSize?: number;
  /** Backoff before the tail subscribes again after it dropped. */
  retry?: OutageBackoffOptions;
  /** Told when the tail's subscription drops (it subscribes again from its position, with backoff). */
  onDrop?(error: unknown): void;
}

/** One subscription's life: stopping it ends its loop even while the loop waits for the store. */
class Tail {
  stopped = false;
  subscription: AllSubscription | undefined;
  loop: Promise<void> | undefined;
  readonly abort = new AbortController();

  async stop(): Promise<void> {
    this.stopped = true;
    this.abort.abort();
    await this.subscription?.unsubscribe().catch(() => undefined);
    await this.loop;
  }
}

/**
 * The process's one reader of `$all`. Its tail is a single subscription, opened at the head of the log when the
 * first processor attaches and closed when the last one leaves, that fills a bounded window of the most recent events
 * and never waits for anyone. Each attached processor has a cursor that runs at its own pace: from the window while
 * the window still holds its next event, from paged reads of the store otherwise. A dropped subscription is opened
 * again from the tail's position with backoff (`waiting` meanwhile), so no event is missed or seen twice.
 */
export class LogConsumer {
  readonly window: EventWindow;
  readonly pageSize: number;
  private tail: Tail | undefined;
  private known = false;
  private readonly cursors = new Set<ProcessorCursor>();
  private news: { promise: Promise<void>; resolve: () => void } | undefined;
  private readonly outage: OutageWait;

  constructor(
    readonly store: EventStore,
    private readonly options: LogConsumerOptions = {},
  ) {
    this.window = new EventWindow({ events: options.windowSize ?? 1_024, bytes: options.windowBytes ?? 16 * 1024 * 1024 });
    this.pageSize = options.pageSize ?? 500;
    this.outage = new OutageWait(options.retry);
  }

  /** Starts `processor` after `from` (exclusive): it reads on from there, then follows the log until stopped. */
  attach(processor: LogProcessor, from: bigint): ProcessorCursor {
    const cursor = new ProcessorCursor(this, processor, from);
    this.cursors.add(cursor);
    if (this.tail === undefined) {
      const tail = new Tail();
      this.tail = tail;
      tail.loop = this.follow(tail);
    }
    cursor.start();
    return cursor;
  }

  /** Whether the tail knows where the log is (its window starts there): until then cursors wait. */
  get ready(): boolean {
    return this.known;
  }

  /** The outage the tail waits out while it does not follow the log (the store, its subscription dropped), if any. */
  get waiting(): OutageStatus | null {
    return this.outage.status;
  }

  /** How many processors follow the log through it. */
  get attached(): number {
    return this.cursors.size;
  }

  /** Resolves at the tail's next news (an event, a position scanned, a resubscription), or when `signal` aborts. */
  changed(signal: AbortSignal): Promise<void> {
    if (signal.aborted) return Promise.resolve();
    if (this.news === undefined) {
      let resolve = () => {};
      const promise = new Promise<void>((done) => {
        resolve = done;
      });
      this.news = { promise, resolve };
    }
    const news = this.news.promise;
    return new Promise((resolve) => {
      const aborted = () => resolve();
      signal.addEventListener('abort', aborted, { once: true });
      void news.then(() => {
        signal.removeEventListener('abort', aborted);
        resolve();
      });
    });
  }

  private notify(): void {
    const news = this.news;
    this.news = undefined;
    news?.resolve();
  }

  private async follow(tail: Tail): Promise<void> {
    while (!tail.stopped) {
      try {
        if (!this.known) {
          const head = await this.store.headPosition();
          if (tail.stopped) break;
          this.window.reset(head);
          this.known = true;
        }
        const subscription = this.store.subscribeToAll({
          afterPosition: this.window.position,
          checkpointReached: (position) => {
            this.window.reached(position);
            this.notify();
          },
        });
        tail.subscription = subscription;
        if (this.outage.status !== null) {
          // Subscribing is lazy: the store answering is what says the outage is over.
          await this.store.headPosition();
          this.outage.recovered();
        }
        this.notify();
        for await (const event of subscription) {
          if (tail.stopped) break;
          this.window.push(event);
          this.notify();
        }
        if (tail.stopped) break;
        throw new Error('the subscription to $all ended');
      } catch (error) {
        if (tail.stopped) break;
        this.options.onDrop?.(error);
        const waiting = this.outage.wait(unavailableDependency(error) ?? 'event-store', error, tail.abort.signal);
        this.notify();
        await waiting;
      }
    }
  }

  /** A cursor stopped: the tail closes with the last one (attaching again opens it at the head). */
  async detach(cursor: ProcessorCursor): Promise<void> {
    this.cursors.delete(cursor);
    if (this.cursors.size === 0) await this.close();
  }

  private async close(): Promise<void> {
    const tail = this.tail;
    this.tail = undefined;
    this.known = false;
    await tail?.stop();
    this.outage.recovered();
    this.notify();
  }

  /** Stops every processor still attached, then the tail. */
  async stop(): Promise<void> {
    for (const cursor of [...this.cursors]) await cursor.stop();
    await this.close();
  }
}
