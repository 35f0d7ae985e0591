import { setTimeout as sleep } from 'node:timers/promises';
import type { AllSubscription, EventFilter, EventStore, RecordedEvent } from '../infra/eventstore/port.ts';

export interface FollowLogOptions {
  filter: EventFilter;
  /** Exclusive; undefined: from the beginning of the log. */
  afterPosition?: bigint;
  /** Handles one event; the next is not delivered until it resolves. A throw drops the subscription (followed again). */
  onEvent(event: RecordedEvent): Promise<void> | void;
  /** The subscription dropped (the store's connection, a failing handler): it is followed again after a backoff. */
  onDrop?(error: unknown): void;
  /**
   * The log was read up to `position` with nothing more for this follower (the filter skipped the rest): a
   * checkpointing consumer may checkpoint there. The follower itself resubscribes from there.
   */
  onScanned?(position: bigint): Promise<void> | void;
}

/**
 * Follows `$all` for good: catch-up then live, and when the subscription ends or fails (an EventStoreDB connection
 * blip; the adapters do not resubscribe by themselves), it is opened again from the last event handled, with a
 * backoff from 100 ms to 5 s. Ends only with `stop()`.
 */
export class LogFollower {
  private subscription: AllSubscription | undefined;
  private stopped = false;
  private position: bigint | undefined;
  private readonly done: Promise<void>;

  constructor(
    private readonly store: EventStore,
    private readonly options: FollowLogOptions,
  ) {
    this.position = options.afterPosition;
    this.done = this.run();
  }

  private async run(): Promise<void> {
    let backoff = 100;
    while (!this.stopped) {
      const subscription = this.store.subscribeToAll({
        filter: this.options.filter,
        ...(this.position === undefined ? {} : { afterPosition: this.position }),
        // Past the events the filter skipped, so a resubscription does not read them again.
        checkpointReached: async (position) => {
          await this.options.onScanned?.(position);
          this.position = position;
        },
      });
      this.subscription = subscription;
      try {
        for await (const event of subscription) {
          if (this.stopped) return;
          await this.options.onEvent(event);
          this.position = event.position;
          backoff = 100;
        }
        if (this.stopped) return;
        this.options.onDrop?.(new Error('the subscription ended'));
      } catch (error) {
        if (this.stopped) return;
        this.options.onDrop?.(error);
      }
      await sleep(backoff);
      backoff = Math.min(backoff * 2, 5_000);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.subscription?.unsubscribe();
    await this.done;
  }
}
