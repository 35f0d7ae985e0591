import type { Readable } from 'node:stream';
import {
  ANY,
  BACKWARDS,
  CancelledError,
  DeadlineExceededError,
  END,
  EventStoreDBClient,
  FORWARDS,
  NO_STREAM,
  NotLeaderError,
  START,
  STREAM_EXISTS,
  StreamDeletedError as EsdbStreamDeletedError,
  StreamNotFoundError as EsdbStreamNotFoundError,
  TimeoutError,
  UnavailableError,
  WrongExpectedVersionError as EsdbWrongExpectedVersionError,
  convertToCommandError,
  eventTypeFilter,
  excludeSystemEvents,
  jsonEvent,
  streamNameFilter,
  type AllStreamResolvedEvent,
  type AllStreamSubscription,
  type AppendExpectedRevision,
  type AppendResult as EsdbAppendResult,
  type Direction as EsdbDirection,
  type Filter,
  type Position,
  type ReadPosition,
  type ReadRevision,
  type StreamingRead,
} from '@eventstore/db-client';
import { EventStoreUnavailableError, StreamNotFoundError, WrongExpectedVersionError } from './errors.ts';
import {
  matchesFilter,
  type AllSubscription,
  type AppendResult,
  type Direction,
  type EventFilter,
  type EventStore,
  type EventToAppend,
  type ExpectedRevision,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  type SubscribeToAllOptions,
} from './port.ts';
import type { JsonObject } from '../json-value.ts';

/**
 * `$all` reads are paged so that `maxCount` counts delivered events although filtering happens client-side: the v6
 * client's `readAll` cannot send a server-side filter, and `$all` always holds system events we must skip.
 * Small requests still read a few dozen events per page so that runs of system events cost few round trips.
 */
const MIN_ALL_PAGE = 32;
const MAX_ALL_PAGE = 512;

/** Our metadata key -> the key EventStoreDB's system projections ($by_correlation_id) read. */
const SYSTEM_METADATA_KEYS = [
  ['correlationId', '$correlationId'],
  ['causationId', '$causationId'],
] as const;

// ---------------------------------------------------------------------------------------------------------------
// Pure mappings (exported for unit tests)
// ---------------------------------------------------------------------------------------------------------------

export function toEsdbMetadata(metadata: JsonObject): JsonObject {
  return withKeysRenamed(metadata, SYSTEM_METADATA_KEYS);
}

export function fromEsdbMetadata(metadata: JsonObject): JsonObject {
  return withKeysRenamed(
    metadata,
    SYSTEM_METADATA_KEYS.map(([ours, theirs]) => [theirs, ours] as const),
  );
}

/** A copy of `metadata` with each present key `from` renamed to `to`. */
function withKeysRenamed(metadata: JsonObject, renames: ReadonlyArray<readonly [from: string, to: string]>): JsonObject {
  const mapped: JsonObject = { ...metadata };
  for (const [from, to] of renames) {
    const value = mapped[from];
    if (value === undefined) continue;
    delete mapped[from];
    mapped[to] = value;
  }
  return mapped;
}

/**
 * The client hands back parsed JSON, or the raw bytes when the payload is not JSON (or not flagged as JSON), or
 * nothing when the payload is empty. Anything that is not a JSON object becomes `{}`: the port only carries objects.
 */
export function decodeJsonObject(value: unknown): JsonObject {
  if (value instanceof Uint8Array) {
    try {
      return decodeJsonObject(JSON.parse(new TextDecoder().decode(value)) as unknown);
    } catch {
      return {};
    }
  }
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as JsonObject;
  return {};
}

/**
 * Our single bigint position is EventStoreDB's commit position. For events appended through gRPC (implicit
 * transactions) the server reports commit == prepare == the event's log position, so the pair is recoverable.
 */
export function toEsdbPosition(position: bigint): Position {
  return { commit: position, prepare: position };
}

export function toEsdbReadPosition(from: bigint | 'start' | 'end'): ReadPosition {
  if (from === 'start') return START;
  if (from === 'end') return END;
  return toEsdbPosition(from);
}

export function toEsdbRevision(expected: ExpectedRevision): AppendExpectedRevision {
  switch (expected) {
    case 'any':
      return ANY;
    case 'no_stream':
      return NO_STREAM;
    case 'stream_exists':
      return STREAM_EXISTS;
    default:
      return expected;
  }
}

export function toEsdbReadRevision(from: bigint | 'start' | 'end'): ReadRevision {
  if (from === 'start') return START;
  if (from === 'end') return END;
  return from;
}

export function toEsdbDirection(direction: Direction): EsdbDirection {
  return direction === 'backwards' ? BACKWARDS : FORWARDS;
}

/** The server may report a missing stream as a negative revision; the port spells that `no_stream`. */
export function toActualRevision(actual: bigint | 'no_stream'): bigint | 'no_stream' {
  return actual === 'no_stream' || actual < 0n ? 'no_stream' : actual;
}

/** An anchored alternation of the exact event types, escaped for the server's (.NET) regex engine. */
export function eventTypesRegex(eventTypes: readonly string[]): string {
  const escaped = eventTypes.map((type) => type.replace(/[\\^$.*+?()[\]{}|]/g, (char) => `\\${char}`));
  return `^(?:${escaped.join('|')})$`;
}

/**
 * The server accepts one filter, on stream name or on event type. Stream prefixes are preferred when both are given
 * (they are usually the more selective, and cheaper than a regex); `matchesFilter` is applied client-side anyway, so
 * the server filter only has to be a superset. Empty lists match nothing in the port; the server is not asked to
 * express that, the client-side check drops everything.
 */
export function toServerFilter(filter: EventFilter | undefined, checkpoints: Pick<Filter, 'checkpointReached'> = {}): Filter {
  if (filter?.streamPrefixes && filter.streamPrefixes.length > 0) {
    return streamNameFilter({ prefixes: [...filter.streamPrefixes], ...checkpoints });
  }
  if (filter?.eventTypes && filter.eventTypes.length > 0) {
    return eventTypeFilter({ regex: eventTypesRegex(filter.eventTypes), ...checkpoints });
  }
  return excludeSystemEvents(checkpoints);
}

/**
 * A server checkpoint, put into the subscription's own stream of events so that it reaches the consumer in order:
 * the client calls `checkpointReached` as the response arrives, possibly while events before it are still buffered,
 * and a consumer told then would checkpoint past events it has not handled.
 */
export class ServerCheckpoint {
  constructor(readonly position: Position) {}
}

/** The client's `checkpointReached`, turned into a ServerCheckpoint queued behind the events received before it. */
export function queueServerCheckpoint(subscription: { push(chunk: unknown): boolean }, position: Position): void {
  subscription.push(new ServerCheckpoint(position));
}

/**
 * The position a server checkpoint lets the port report: one below it, because the server's checkpoint says where
 * its filtering has got to, and an event at that very position may still be on its way.
 */
export function scannedBelow(checkpoint: Position): bigint {
  return checkpoint.commit - 1n;
}

/** The fields we read from the client's recorded events (JSON and binary, stream and `$all` reads alike). */
export interface EsdbRecordedEventLike {
  id: string;
  type: string;
  streamId: string;
  revision: bigint;
  created: Date;
  data: unknown;
  metadata: unknown;
  position?: Position;
}

export function toRecordedEvent(event: EsdbRecordedEventLike, commitPosition?: bigint): RecordedEvent {
  const position = event.position?.commit ?? commitPosition;
  if (position === undefined) {
    throw new Error(
      `EventStoreDB returned event ${event.id} of '${event.streamId}' without a position; event positions on stream reads need EventStoreDB 22.6 or later`,
    );
  }
  return {
    id: event.id,
    type: event.type,
    streamId: event.streamId,
    revision: event.revision,
    position,
    data: decodeJsonObject(event.data),
    metadata: fromEsdbMetadata(decodeJsonObject(event.metadata)),
    // v6 already converts the server's .NET ticks to a Date; the guard only protects against a malformed value.
    created: event.created instanceof Date ? event.created : new Date(Number(event.created)),
  };
}

function comparePositions(a: Position, b: Position): number {
  if (a.commit !== b.commit) return a.commit < b.commit ? -1 : 1;
  if (a.prepare !== b.prepare) return a.prepare < b.prepare ? -1 : 1;
  return 0;
}

function isConnectivityError(error: unknown): boolean {
  const converted = error instanceof Error ? convertToCommandError(error) : error;
  return (
    converted instanceof UnavailableError ||
    converted instanceof DeadlineExceededError ||
    converted instanceof TimeoutError ||
    converted instanceof NotLeaderError ||
    converted instanceof CancelledError ||
    (converted instanceof Error && converted.message.startsWith('Failed to discover'))
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Adapter
// ---------------------------------------------------------------------------------------------------------------

/**
 * EventStore port over EventStoreDB (gRPC client v6). Requires EventStoreDB 22.6+ for event positions on stream
 * reads. Subscriptions do not reconnect: a dropped connection ends iteration with EventStoreUnavailableError and the
 * caller resubscribes from its last position.
 */
export class EventStoreDbEventStore implements EventStore {
  private closed = false;
  private readonly subscriptions = new Set<EsdbAllSubscription>();
  private readonly reads = new Set<Readable>();

  constructor(private readonly client: EventStoreDBClient) {}

  static connect(connectionString: string): EventStoreDbEventStore {
    return new EventStoreDbEventStore(EventStoreDBClient.connectionString(connectionString));
  }

  async appendToStream(streamId: string, events: readonly EventToAppend[], options: { expectedRevision?: ExpectedRevision } = {}): Promise<AppendResult> {
    this.assertOpen();
    const expected = options.expectedRevision ?? 'any';
    const payload = events.map((event) => jsonEvent({ id: event.id, type: event.type, data: event.data, metadata: toEsdbMetadata(event.metadata) }));
    let result: EsdbAppendResult;
    try {
      result = await this.client.appendToStream(streamId, payload, { expectedRevision: toEsdbRevision(expected) });
    } catch (error) {
      if (error instanceof EsdbWrongExpectedVersionError) {
        throw new WrongExpectedVersionError(streamId, expected, toActualRevision(error.actualVersion));
      }
      throw this.mapError(error);
    }

    if (!result.success) {
      // Only with `throwOnAppendFailure=false` in the connection string; the client then reports no usable revision.
      const last = await this.lastEventOf(streamId);
      throw new WrongExpectedVersionError(streamId, expected, last ? last.revision : 'no_stream');
    }
    if (result.position) return { nextExpectedRevision: result.nextExpectedRevision, position: result.position.commit };

    // Servers omit the position for some idempotent replays (older versions) and for empty appends.
    if (events.length === 0) {
      const last = await this.lastEventOf(streamId);
      return last ? { nextExpectedRevision: last.revision, position: last.position } : { nextExpectedRevision: -1n, position: 0n };
    }
    const appended = await this.eventAt(streamId, result.nextExpectedRevision);
    if (!appended) {
      throw new Error(
        `EventStoreDB did not report the position of the append to '${streamId}' ` + `and revision ${result.nextExpectedRevision} could not be read back`,
      );
    }
    return { nextExpectedRevision: result.nextExpectedRevision, position: appended.position };
  }

  readStream(streamId: string, options: ReadStreamOptions = {}): AsyncIterable<RecordedEvent> {
    this.assertOpen();
    return { [Symbol.asyncIterator]: () => this.streamEvents(streamId, options) };
  }

  readAll(options: ReadAllOptions = {}): AsyncIterable<RecordedEvent> {
    this.assertOpen();
    return { [Symbol.asyncIterator]: () => this.allEvents(options) };
  }

  subscribeToAll(options: SubscribeToAllOptions = {}): AllSubscription {
    this.assertOpen();
    const { afterPosition, filter, checkpointReached } = options;
    const subscription = this.client.subscribeToAll({
      // Exclusive on the server, as the port wants; the subscription re-checks it client-side.
      fromPosition: afterPosition === undefined ? START : toEsdbPosition(afterPosition),
      filter: toServerFilter(filter, checkpointReached ? { checkpointReached: queueServerCheckpoint } : {}),
    });
    const wrapped = new EsdbAllSubscription(
      subscription,
      { afterPosition, filter, checkpointReached },
      (error) => this.mapError(error),
      () => this.subscriptions.delete(wrapped),
    );
    this.subscriptions.add(wrapped);
    return wrapped;
  }

  async headPosition(): Promise<bigint> {
    this.assertOpen();
    for await (const event of this.allEvents({ direction: 'backwards', fromPosition: 'end', maxCount: 1 })) {
      return event.position;
    }
    return 0n;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.subscriptions].map((subscription) => subscription.unsubscribe()));
    for (const read of this.reads) read.destroy(new EventStoreUnavailableError('event store is closed'));
    this.reads.clear();
    await this.client.dispose();
  }

  private async *streamEvents(streamId: string, options: ReadStreamOptions): AsyncGenerator<RecordedEvent> {
    this.assertOpen();
    const direction = options.direction ?? 'forwards';
    // The client defaults to START in both directions; the port reads backwards from the end by default.
    const from = options.fromRevision ?? (direction === 'forwards' ? 'start' : 'end');
    const maxCount = options.maxCount;
    // maxCount 0 still has to tell a missing stream apart, so one event is read and dropped.
    const discardAll = maxCount !== undefined && maxCount <= 0;
    const read = this.client.readStream(streamId, {
      direction: toEsdbDirection(direction),
      fromRevision: toEsdbReadRevision(from),
      ...(maxCount === undefined ? {} : { maxCount: discardAll ? 1 : maxCount }),
    });
    try {
      for await (const resolved of this.iterate(read)) {
        if (discardAll) continue;
        if (resolved.event) yield toRecordedEvent(resolved.event, resolved.commitPosition);
      }
    } catch (error) {
      if (error instanceof EsdbStreamNotFoundError || error instanceof EsdbStreamDeletedError) {
        throw new StreamNotFoundError(streamId);
      }
      throw this.mapError(error);
    }
  }

  /**
   * Pages through `$all`, skipping system events and applying the filter client-side, until `maxCount` events are
   * delivered or the log is exhausted. A sparse filter therefore scans all of `$all` from the start position.
   */
  private async *allEvents(options: ReadAllOptions): AsyncGenerator<RecordedEvent> {
    this.assertOpen();
    const direction = options.direction ?? 'forwards';
    const forwards = direction === 'forwards';
    const from = options.fromPosition ?? (forwards ? 'start' : 'end');
    const filter = options.filter;
    let remaining = options.maxCount ?? Number.POSITIVE_INFINITY;
    if (remaining <= 0) return;

    let cursor: ReadPosition = toEsdbReadPosition(from);
    // The last position read (delivered or not): pages overlap on it because forward reads include their start.
    let last: Position | undefined;

    try {
      if (!forwards && typeof from === 'bigint') {
        // EventStoreDB's backward read excludes the event at its start position; the port includes it.
        const start = await this.firstAllEventFrom(toEsdbPosition(from));
        if (start?.position && start.position.commit === from) {
          last = start.position;
          if (matchesFilter(start, filter)) {
            yield toRecordedEvent(start);
            remaining -= 1;
          }
        }
      }

      while (remaining > 0) {
        const pageSize = Math.min(MAX_ALL_PAGE, Math.max(MIN_ALL_PAGE, remaining));
        const read = this.client.readAll({ fromPosition: cursor, direction: toEsdbDirection(direction), maxCount: pageSize });
        let received = 0;
        for await (const resolved of this.iterate(read)) {
          received += 1;
          const event = resolved.event;
          if (!event) continue;
          const order = last === undefined ? 1 : comparePositions(event.position, last) * (forwards ? 1 : -1);
          if (order <= 0) continue;
          last = event.position;
          if (!matchesFilter(event, filter)) continue;
          yield toRecordedEvent(event);
          remaining -= 1;
          if (remaining <= 0) return;
        }
        if (received < pageSize || last === undefined) return;
        cursor = last;
      }
    } catch (error) {
      throw this.mapError(error);
    }
  }

  private async firstAllEventFrom(position: Position) {
    for await (const resolved of this.iterate(this.client.readAll({ fromPosition: position, maxCount: 1 }))) {
      if (resolved.event) return resolved.event;
    }
    return undefined;
  }

  private async lastEventOf(streamId: string): Promise<RecordedEvent | undefined> {
    return this.firstOf(streamId, { direction: 'backwards', fromRevision: 'end', maxCount: 1 });
  }

  private async eventAt(streamId: string, revision: bigint): Promise<RecordedEvent | undefined> {
    return this.firstOf(streamId, { fromRevision: revision, maxCount: 1 });
  }

  private async firstOf(streamId: string, options: ReadStreamOptions): Promise<RecordedEvent | undefined> {
    try {
      for await (const event of this.streamEvents(streamId, options)) return event;
    } catch (error) {
      if (error instanceof StreamNotFoundError) return undefined;
      throw error;
    }
    return undefined;
  }

  /** Iterates a client read, tracking it so `close()` can end it, and cancelling the gRPC call when left early. */
  private async *iterate<E>(read: StreamingRead<E>): AsyncGenerator<E> {
    this.reads.add(read);
    let finished = false;
    try {
      for await (const item of read) yield item;
      finished = true;
    } finally {
      this.reads.delete(read);
      if (!finished) await read.cancel().catch(() => undefined);
    }
  }

  private mapError(error: unknown): unknown {
    if (error instanceof EventStoreUnavailableError || error instanceof StreamNotFoundError || error instanceof WrongExpectedVersionError) {
      return error;
    }
    if (this.closed) return new EventStoreUnavailableError('event store is closed', { cause: error });
    if (isConnectivityError(error)) {
      const reason = error instanceof Error ? error.message : String(error);
      return new EventStoreUnavailableError(`EventStoreDB is unavailable: ${reason}`, { cause: error });
    }
    return error;
  }

  private assertOpen(): void {
    if (this.closed) throw new EventStoreUnavailableError('event store is closed');
  }
}

/**
 * Wraps the client's subscription. `unsubscribe()` destroys the client stream as well as cancelling the call,
 * because a cancelled gRPC call does not reliably end the client's stream, which would leave `for await` hanging.
 */
class EsdbAllSubscription implements AllSubscription {
  private stopped = false;
  private stopping: Promise<void> | undefined;
  private failure: unknown;
  private iterator: AsyncGenerator<RecordedEvent> | undefined;

  constructor(
    private readonly subscription: AllStreamSubscription,
    private readonly options: SubscribeToAllOptions,
    private readonly mapError: (error: unknown) => unknown,
    private readonly onStop: () => void,
  ) {
    // An error before iteration starts would otherwise be an unhandled 'error' event, and be missed by `for await`.
    subscription.on('error', (error) => {
      this.failure ??= error;
    });
  }

  [Symbol.asyncIterator](): AsyncIterator<RecordedEvent> {
    this.iterator ??= this.events();
    return this.iterator;
  }

  async unsubscribe(): Promise<void> {
    await this.stop();
    // Completes the generator (also when it was never started), so later iteration ends at once.
    await this.iterator?.return(undefined);
  }

  private stop(): Promise<void> {
    if (!this.stopping) {
      this.stopped = true;
      this.stopping = this.subscription.unsubscribe().catch(() => undefined);
      this.subscription.destroy();
      this.onStop();
    }
    return this.stopping;
  }

  private async *events(): AsyncGenerator<RecordedEvent> {
    try {
      if (this.failure !== undefined) throw this.failure;
      const { afterPosition, filter, checkpointReached } = this.options;
      // The last position delivered or reported: reports only ever move forwards, past every event delivered.
      let reported = afterPosition ?? -1n;
      const items = this.subscription as AsyncIterable<AllStreamResolvedEvent | ServerCheckpoint>;
      for await (const item of items) {
        if (this.stopped) return;
        if (item instanceof ServerCheckpoint) {
          const position = scannedBelow(item.position);
          if (checkpointReached && position > reported) {
            reported = position;
            await checkpointReached(position);
          }
          continue;
        }
        const event = item.event;
        if (!event) continue;
        const recorded = toRecordedEvent(event, item.commitPosition);
        if (afterPosition !== undefined && recorded.position <= afterPosition) continue;
        if (!matchesFilter(recorded, filter)) continue;
        if (recorded.position > reported) reported = recorded.position;
        yield recorded;
      }
    } catch (error) {
      if (this.stopped) return;
      throw this.mapError(error);
    } finally {
      // Leaving the loop early (break, throw) must release the server-side subscription too.
      await this.stop();
    }
  }
}
