import type { RecordedEvent } from '../eventstore/port.ts';

/**
 * The most recent events of the log, as the tail received them: every event after `base` up to `position` is here,
 * in order. Bounded: when full the oldest fall out (and `base` moves past them), so a slow reader never holds the tail;
 * it reads what fell out from the store instead.
 */
export class EventWindow {
  private events: RecordedEvent[] = [];
  private from = 0n;
  private to = 0n;

  constructor(private readonly capacity: number) {}

  /** Every event after this position up to `position` is in the window. */
  get base(): bigint {
    return this.from;
  }

  /** How far the tail has read the log. */
  get position(): bigint {
    return this.to;
  }

  /** Empty, starting at `position` (the head when the tail opens). */
  reset(position: bigint): void {
    this.events = [];
    this.from = position;
    this.to = position;
  }

  push(event: RecordedEvent): void {
    this.events.push(event);
    this.to = event.position;
    if (this.events.length > this.capacity) {
      const [oldest] = this.events.splice(0, this.events.length - this.capacity).slice(-1);
      if (oldest) this.from = oldest.position;
    }
  }

  /** The tail read the log up to `position` with nothing more in it (system events, a quiet log). */
  reached(position: bigint): void {
    if (position > this.to) this.to = position;
  }

  /** Up to `max` events after `position`, which must be at or after `base`. */
  after(position: bigint, max: number): RecordedEvent[] {
    let low = 0;
    let high = this.events.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      const event = this.events[middle];
      if (event !== undefined && event.position <= position) low = middle + 1;
      else high = middle;
    }
    return this.events.slice(low, low + max);
  }
}
