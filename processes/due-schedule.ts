import { setTimeout as sleep } from 'node:timers/promises';
import type { PlatformEvent, PlatformEventRegistry } from '../domain/events/catalog.ts';
import type { ProcessorCursor } from '../infra/log-consumer/cursor.ts';
import type { LogConsumer } from '../infra/log-consumer/log-consumer.ts';
import { retryLikeAnOutage } from '../infra/log-consumer/processor.ts';
import type { OutageStatus } from '../infra/outage/dependency-outage.ts';

/** Something that falls due: epoch milliseconds. */
export interface Due {
  dueAt: number;
}

/** What acting on a due item came to: `again` keeps it for the next tick; the others take it off the schedule. */
export type DueOutcome = 'again' | 'done' | 'counted';

export interface DueScheduleOptions<Item extends Due> {
  /** The processor's name on the log consumer. */
  name: string;
  eventTypes: readonly string[];
  /** What an event changes in the schedule (items by key): adds, moves or removes an item, or nothing. */
  follow(event: PlatformEvent, items: Map<string, Item>): void;
  /** Acts on what is due now; called at every tick until stopped. */
  tick(): Promise<unknown>;
  /** 1000 ms unless told. */
  tickMs?: number | undefined;
}

/**
 * The schedule of a process that acts when things fall due (timers, association expiries): rebuilt from the log at
 * every start (it follows the log from its start, keeping no checkpoint), so what fell due while the platform was
 * down is acted on at the next start; a tick looks for what is due until it is stopped.
 */
export class DueSchedule<Item extends Due> {
  readonly items = new Map<string, Item>();
  private cursor: ProcessorCursor | undefined;
  private ticker: Promise<void> | undefined;
  private stopping = false;
  private readonly abort = new AbortController();

  constructor(
    private readonly consumer: LogConsumer,
    private readonly registry: PlatformEventRegistry,
    private readonly options: DueScheduleOptions<Item>,
  ) {}

  get started(): boolean {
    return this.cursor !== undefined;
  }

  get stopped(): boolean {
    return this.stopping;
  }

  start(): void {
    this.cursor = this.consumer.attach(
      {
        name: this.options.name,
        wants: { eventTypes: [...this.options.eventTypes] },
        failure: retryLikeAnOutage,
        handle: (recorded) => this.options.follow(this.registry.decode(recorded.type, recorded.data, recorded.metadata), this.items),
      },
      0n,
    );
    this.ticker = this.tickUntilStopped();
  }

  private async tickUntilStopped(): Promise<void> {
    while (!this.stopping) {
      await this.options.tick();
      await sleep(this.options.tickMs ?? 1000, undefined, { signal: this.abort.signal }).catch(() => undefined);
    }
  }

  /**
   * Acts on the items due at `now`, one at a time, in the order they were scheduled unless `order` says otherwise,
   * until stopped. Answers how many came to `counted`.
   */
  async actOnDue(now: number, act: (item: Item) => Promise<DueOutcome>, order?: (a: Item, b: Item) => number): Promise<number> {
    const due = [...this.items].filter(([, item]) => item.dueAt <= now);
    if (order) due.sort(([, a], [, b]) => order(a, b));
    let counted = 0;
    for (const [key, item] of due) {
      if (this.stopping) break;
      const outcome = await act(item);
      if (outcome === 'again') continue;
      this.items.delete(key);
      if (outcome === 'counted') counted += 1;
    }
    return counted;
  }

  /** Why it is not following the log now (a dependency outage it waits out), if it is not. */
  get waiting(): OutageStatus | null {
    return this.cursor?.waiting ?? null;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.abort.abort();
    await this.cursor?.stop();
    await this.ticker;
  }
}
