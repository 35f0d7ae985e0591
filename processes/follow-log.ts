import type { AllSubscription, EventFilter, EventStore, RecordedEvent } from '../infra/eventstore/port.ts';
import { OutageWait, unavailableDependency, type OutageStatus } from '../infra/outage/dependency-outage.ts';

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
 * capped backoff (dependency-outage.ts), reported by `waiting` meanwhile. Ends only with `stop()`.
 */
export class LogFollower {
  private subscription: AllSubscription | undefined;
  private stopped = false;
  private position: bigint | undefined;
  private readonly done: Promise<void>;
  private readonly outage = new OutageWait();
  private readonly abort = new AbortController();

  constructor(
    private readonly store: EventStore,
    private readonly options: FollowLogOptions,
  ) {
    this.position = options.afterPosition;
    this.done = this.run();
  }

  /** Why it is not following now (the store's subscription dropped, a handler met an outage), if it is not. */
  get waiting(): OutageStatus | null {
    return this.outage.status;
  }

  private async run(): Promise<void> {
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
          this.outage.recovered();
        }
        if (this.stopped) return;
        this.options.onDrop?.(new Error('the subscription ended'));
        await this.outage.wait('event-store', new Error('the subscription ended'), this.abort.signal);
      } catch (error) {
        if (this.stopped) return;
        this.options.onDrop?.(error);
        await this.outage.wait(unavailableDependency(error) ?? 'event-store', error, this.abort.signal);
      }
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.abort.abort();
    await this.subscription?.unsubscribe();
    await this.done;
  }
}
