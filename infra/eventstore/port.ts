import type { JsonObject } from '../json-value.ts';

/**
 * The EventStore port: the only way the platform touches its log.
 * Semantics follow EventStoreDB so the embedded SQLite adapter and the EventStoreDB adapter are interchangeable;
 * both must pass test/contract/eventstore.contract.ts.
 */

/** `any`: no check; `no_stream`: the stream must not exist; `stream_exists`: it must; bigint: its last revision. */
export type ExpectedRevision = 'any' | 'no_stream' | 'stream_exists' | bigint;

export interface EventToAppend {
  /** A UUID. Appending a batch whose ids are already in the stream is a no-op that returns the original result. */
  id: string;
  type: string;
  data: JsonObject;
  metadata: JsonObject;
}

export interface RecordedEvent {
  id: string;
  type: string;
  streamId: string;
  /** 0-based position of the event within its stream. */
  revision: bigint;
  /** Global position in `$all`; strictly increasing in commit order. */
  position: bigint;
  data: JsonObject;
  metadata: JsonObject;
  created: Date;
}

export interface AppendResult {
  /** Revision of the last event in the stream after the append (what to pass as the next expected revision). */
  nextExpectedRevision: bigint;
  /** Global position of the last event appended (or of the original append, when idempotent). */
  position: bigint;
}

export type Direction = 'forwards' | 'backwards';

export interface ReadStreamOptions {
  direction?: Direction;
  /** Inclusive. Defaults to the first event (forwards) or the last (backwards). */
  fromRevision?: bigint | 'start' | 'end';
  maxCount?: number;
}

export interface ReadAllOptions {
  direction?: Direction;
  /** Inclusive. Defaults to the start (forwards) or the end (backwards). */
  fromPosition?: bigint | 'start' | 'end';
  maxCount?: number;
  filter?: EventFilter;
}

/** Both fields set means both must match. System events (type starting with `$`) are never delivered. */
export interface EventFilter {
  eventTypes?: readonly string[];
  streamPrefixes?: readonly string[];
}

export interface SubscribeToAllOptions {
  /** Exclusive: delivery starts with the first event after this position. Omit to start from the beginning. */
  afterPosition?: bigint;
  filter?: EventFilter;
  /**
   * "Scanned up to `position`": every event at or before it that the filter matches has been delivered (and the
   * iteration has asked for the next one, so the consumer is done with them). A consumer that checkpoints can
   * checkpoint there, past the events the filter skipped, so neither resubscribing nor the next read starts again
   * from its last matching event. Called in order with delivery (never while an event is being handled), awaited, with
   * strictly increasing positions above `afterPosition`, each at or below the head of the log. The embedded store
   * calls it whenever it has read past its last delivered event and is about to wait for news (so a caught-up
   * subscription reports the head), and at least once per scan window during a catch-up; EventStoreDB calls it as
   * the server sends checkpoints of a filtered subscription (its `checkpointReached`).
   */
  checkpointReached?: (position: bigint) => Promise<void> | void;
}

/** Catch-up then live, in position order. Iterate with `for await`; `unsubscribe()` ends the iteration. */
export interface AllSubscription extends AsyncIterable<RecordedEvent> {
  unsubscribe(): Promise<void>;
}

export interface EventStore {
  appendToStream(streamId: string, events: readonly EventToAppend[], options?: { expectedRevision?: ExpectedRevision }): Promise<AppendResult>;
  /** Throws StreamNotFoundError (on first iteration) when the stream has no events. */
  readStream(streamId: string, options?: ReadStreamOptions): AsyncIterable<RecordedEvent>;
  readAll(options?: ReadAllOptions): AsyncIterable<RecordedEvent>;
  subscribeToAll(options?: SubscribeToAllOptions): AllSubscription;
  /** Position of the last event in `$all`, 0n when the log is empty. */
  headPosition(): Promise<bigint>;
  close(): Promise<void>;
}

export function matchesFilter(event: { type: string; streamId: string }, filter: EventFilter | undefined): boolean {
  if (event.type.startsWith('$')) return false;
  if (!filter) return true;
  if (filter.eventTypes && !filter.eventTypes.includes(event.type)) return false;
  if (filter.streamPrefixes && !filter.streamPrefixes.some((prefix) => event.streamId.startsWith(prefix))) return false;
  return true;
}

export function streamCategory(streamId: string): string {
  const dash = streamId.indexOf('-');
  return dash === -1 ? streamId : streamId.slice(0, dash);
}
