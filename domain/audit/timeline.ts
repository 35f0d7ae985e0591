import type { PlatformEvent } from '../events/catalog.ts';
import { STREAM_FENCED } from '../reservation/events.ts';

/** Where an event sits in its stream and in the whole log, and when it happened. */
export interface LogPlace {
  streamId: string;
  /** 0-based revision within its stream. */
  revision: bigint;
  /** Global position in `$all`: the reliable order (and cut) across streams. */
  position: bigint;
  /** `metadata.occurredAt` (the pipeline's clock when it decided), else the store's own write time. */
  occurredAt: string;
}

/**
 * One event of the log as audit replay sees it: decoded (upcast to the current schema and validated by the event
 * registry, so its data is typed by its `type`), with its place in the log.
 */
export type LoggedEvent<Event extends PlatformEvent = PlatformEvent> = Event & LogPlace;

/** The part of a decider that rebuilds state: what a timeline folds with. */
export interface Fold<State, Event extends PlatformEvent> {
  initialState: State;
  evolve(state: State, event: Event): State;
}

const PLATFORM_EVENT_TYPES: ReadonlySet<string> = new Set([STREAM_FENCED, 'DecisionRecorded']);

/** Milliseconds since the epoch of an ISO-8601 instant; NaN when it is not one. */
export function instantMs(text: string): number {
  return Date.parse(text);
}

/**
 * One stream's history, foldable to any revision or position. Pure: built from decoded events, it never reads.
 *
 * States are immutable (every evolve returns a new state), so a fold can resume from any state it passed: the
 * timeline keeps one every `checkpointEvery` events and the last one it computed, so asking for revisions in
 * (mostly) increasing order costs one fold overall, and going back costs at most `checkpointEvery` events.
 */
export class StreamTimeline<State, Event extends PlatformEvent> {
  private readonly events: readonly LoggedEvent[];
  /** checkpoints[i] = the state after the first i * every events. */
  private readonly checkpoints: State[];
  private cursor: { count: number; state: State };

  /** `events`: one stream's, so each is the folding aggregate's own or one of the platform's (decision, fence). */
  constructor(
    private readonly fold: Fold<State, Event>,
    events: readonly LoggedEvent[],
    private readonly every = 64,
  ) {
    this.events = [...events].sort((a, b) => (a.revision < b.revision ? -1 : a.revision > b.revision ? 1 : 0));
    this.checkpoints = [fold.initialState];
    this.cursor = { count: 0, state: fold.initialState };
  }

  /** Revision of the stream's last event; -1n when it has none. */
  get head(): bigint {
    return this.events.at(-1)?.revision ?? -1n;
  }

  get length(): number {
    return this.events.length;
  }

  /** The events, in revision order. */
  all(): readonly LoggedEvent[] {
    return this.events;
  }

  /** How many events have a revision <= `revision`. */
  countUpToRevision(revision: bigint): number {
    return upperBound(this.events, (event) => event.revision <= revision);
  }

  /** How many events have a position <= `position` (positions grow with revisions within a stream). */
  countUpToPosition(position: bigint): number {
    return upperBound(this.events, (event) => event.position <= position);
  }

  /** Revision of the last event at or before `position`; -1n when none. */
  revisionAtPosition(position: bigint): bigint {
    const count = this.countUpToPosition(position);
    return count === 0 ? -1n : (this.events[count - 1]?.revision ?? -1n);
  }

  /** The state after every event with a revision <= `revision` (the initial state for -1n). */
  stateAtRevision(revision: bigint): State {
    return this.stateAfter(this.countUpToRevision(revision));
  }

  /** The state after every event with a position <= `position`, and the revision it reflects. */
  stateAtPosition(position: bigint): { state: State; revision: bigint } {
    const count = this.countUpToPosition(position);
    return { state: this.stateAfter(count), revision: count === 0 ? -1n : (this.events[count - 1]?.revision ?? -1n) };
  }

  /** The state after the first `count` events. */
  stateAfter(count: number): State {
    const target = Math.max(0, Math.min(count, this.events.length));
    let { count: from, state } = this.cursor;
    if (from > target) {
      const index = Math.floor(target / this.every);
      // Checkpoints are recorded in order while folding forward: the nearest one below the target exists whenever
      // the fold ever passed it; otherwise the last one recorded is the nearest.
      const usable = Math.min(index, this.checkpoints.length - 1);
      from = usable * this.every;
      state = this.checkpoints[usable] as State;
    }
    for (let index = from; index < target; index += 1) {
      const event = this.events[index] as LoggedEvent;
      if (this.isOwn(event)) state = this.fold.evolve(state, event);
      const reached = index + 1;
      if (reached % this.every === 0 && this.checkpoints.length === reached / this.every) this.checkpoints.push(state);
    }
    this.cursor = { count: target, state };
    return state;
  }

  /**
   * Decisions and fences are appended to every kind of stream but are the platform's, not the aggregate's: they count
   * for the stream's revisions and are never folded (the same rule as commands/stream-loader.ts). Every other event
   * of the stream is the aggregate's own, the events its evolve takes.
   */
  private isOwn(event: LoggedEvent): event is LoggedEvent & Event {
    return !PLATFORM_EVENT_TYPES.has(event.type);
  }
}

/** Number of leading items for which `inside` holds (it must hold for a prefix and fail for the rest). */
function upperBound<T>(items: readonly T[], inside: (item: T) => boolean): number {
  let low = 0;
  let high = items.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (inside(items[middle] as T)) low = middle + 1;
    else high = middle;
  }
  return low;
}
