import type { RecordedEvent } from '../eventstore/port.ts';

export interface EventWindowLimits {
  /** How many events it keeps at most. */
  events: number;
  /**
   * About how many bytes of event data and metadata it keeps at most (their JSON length). Events are as large as the
   * input limits let a caller make them, so a count alone would let the window hold far more than intended.
   */
  bytes: number;
}

/** The JSON length of what an event carries: what it costs to keep, within a small factor. */
export function eventBytes(event: RecordedEvent): number {
  return JSON.stringify(event.data).length + JSON.stringify(event.metadata).length + event.streamId.length + event.type.length;
}

/**
 * The most recent events of the log, as the tail received them: every event after `base` up to `position` is here,
 * in order. Bounded by count and by bytes: when either is exceeded the oldest fall out (and `base` moves past them),
 * so a slow reader never holds the tail and the window never holds more than its limits; a reader whose next event
 * fell out reads it from the store instead.
 */
export class EventWindow {
  private events: Array<{ event: RecordedEvent; bytes: number }> = [];
  /** Index of the oldest kept entry: evicting moves it on, and the array is compacted now and then. */
  private start = 0;
  private bytes = 0;
  private from = 0n;
  private to = 0n;

  constructor(private readonly limits: EventWindowLimits) {}

  /** Every event after this position up to `position` is in the window. */
  get base(): bigint {
    return this.from;
  }

  /** How far the tail has read the log. */
  get position(): bigint {
    return this.to;
  }

  /** How many events it holds now. */
  get size(): number {
    return this.events.length - this.start;
  }

  /** About how many bytes it holds now (see `eventBytes`). */
  get heldBytes(): number {
    return this.bytes;
  }

  /** Empty, starting at `position` (the head when the tail opens). */
  reset(position: bigint): void {
    this.events = [];
    this.start = 0;
    this.bytes = 0;
    this.from = position;
    this.to = position;
  }

  push(event: RecordedEvent): void {
    const bytes = eventBytes(event);
    this.events.push({ event, bytes });
    this.bytes += bytes;
    this.to = event.position;
    while (this.size > this.limits.events || (this.bytes > this.limits.bytes && this.size > 0)) {
      const oldest = this.events[this.start];
      if (oldest === undefined) break;
      this.start += 1;
      this.bytes -= oldest.bytes;
      this.from = oldest.event.position;
    }
    if (this.start > 1_024 && this.start * 2 > this.events.length) {
      this.events = this.events.slice(this.start);
      this.start = 0;
    }
  }

  /** The tail read the log up to `position` with nothing more in it (system events, a quiet log). */
  reached(position: bigint): void {
    if (position > this.to) this.to = position;
  }

  /** Up to `max` events after `position`, which must be at or after `base`. */
  after(position: bigint, max: number): RecordedEvent[] {
    let low = this.start;
    let high = this.events.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      const entry = this.events[middle];
      if (entry !== undefined && entry.event.position <= position) low = middle + 1;
      else high = middle;
    }
    return this.events.slice(low, low + max).map((entry) => entry.event);
  }
}
