import type { DomainEvent } from '../domain/shared/decider.ts';
import type { PlatformEventRegistry } from '../domain/events/catalog.ts';
import { STREAM_FENCED } from '../domain/reservation/events.ts';

/**
 * Command records kept per cached stream, oldest dropped first. A retry older than that is still answered by its
 * durable completion record when it was sent with an Idempotency-Key.
 */
const MAX_COMMAND_RECORDS = 10_000;

const PLATFORM_EVENT_TYPES: ReadonlySet<string> = new Set([STREAM_FENCED, 'DecisionRecorded']);
import { StreamNotFoundError } from '../infra/eventstore/errors.ts';
import type { EventStore, RecordedEvent } from '../infra/eventstore/port.ts';
import { StreamStateCache } from './stream-state-cache.ts';

export interface RecordedEventSummary {
  eventId: string;
  type: string;
  revision: bigint;
  data: Record<string, unknown>;
}

/** What a command already did to a stream: enough to answer a retry exactly as the first attempt was answered. */
export interface CommandRecord {
  commandHash: string;
  streamRevision: bigint;
  position: bigint;
  events: RecordedEventSummary[];
}

export interface LoadedStream<State> {
  streamId: string;
  state: State;
  /** Last revision folded into `state`; -1n when the stream does not exist. */
  revision: bigint;
  /** The stream was closed by a StreamFenced event: it takes no more commands. */
  fenced: boolean;
  commands: ReadonlyMap<string, CommandRecord>;
}

export interface Evolver<State, Event extends DomainEvent> {
  initialState: State;
  evolve(state: State, event: Event): State;
}

export interface StreamReader {
  load<State, Event extends DomainEvent>(decider: Evolver<State, Event>, streamId: string): Promise<LoadedStream<State>>;
}

interface CacheEntry {
  streamId: string;
  evolver: Evolver<unknown, DomainEvent>;
  state: unknown;
  revision: bigint;
  fenced: boolean;
  commands: Map<string, CommandRecord>;
}

/** Loads a stream's state by folding its events, starting from the cached snapshot when there is one. */
export class StreamLoader implements StreamReader {
  private readonly cache: StreamStateCache<CacheEntry>;

  constructor(
    private readonly store: EventStore,
    private readonly registry: PlatformEventRegistry,
    cacheSize = 10_000,
  ) {
    this.cache = new StreamStateCache(cacheSize);
  }

  async load<State, Event extends DomainEvent>(decider: Evolver<State, Event>, streamId: string): Promise<LoadedStream<State>> {
    // The cache holds states of many aggregate types; an entry is only reused by the evolver that built it, which
    // makes the narrowing below sound.
    const evolver = decider as unknown as Evolver<unknown, DomainEvent>;
    const cached = this.cache.get(streamId);
    const base: CacheEntry =
      cached && cached.evolver === evolver ? cached : { streamId, evolver, state: decider.initialState, revision: -1n, fenced: false, commands: new Map() };
    const entry = await this.catchUp(base);
    if (entry !== base || !cached) this.cache.offer(streamId, entry);
    return entry as unknown as LoadedStream<State>;
  }

  /** Folds events appended by this process without re-reading them. */
  remember<State, Event extends DomainEvent>(
    decider: Evolver<State, Event>,
    before: LoadedStream<State>,
    appended: readonly RecordedEvent[],
  ): LoadedStream<State> {
    const evolver = decider as unknown as Evolver<unknown, DomainEvent>;
    const entry: CacheEntry = { ...before, evolver, commands: before.commands as Map<string, CommandRecord> };
    const next = this.fold(entry, appended);
    this.cache.offer(before.streamId, next);
    return next as unknown as LoadedStream<State>;
  }

  forget(streamId: string): void {
    this.cache.delete(streamId);
  }

  private async catchUp(entry: CacheEntry): Promise<CacheEntry> {
    const newer: RecordedEvent[] = [];
    try {
      for await (const event of this.store.readStream(entry.streamId, { fromRevision: entry.revision + 1n })) newer.push(event);
    } catch (error) {
      if (!(error instanceof StreamNotFoundError)) throw error;
    }
    return newer.length === 0 ? entry : this.fold(entry, newer);
  }

  private fold(entry: CacheEntry, events: readonly RecordedEvent[]): CacheEntry {
    let { state, revision, fenced } = entry;
    const { commands } = entry;
    for (const recorded of events) {
      if (recorded.revision <= revision) continue;
      const decoded = this.registry.decode(recorded.type, recorded.data, recorded.metadata);
      const { data } = decoded;
      revision = recorded.revision;
      if (recorded.type === STREAM_FENCED) fenced = true;
      // Decisions and fences live in every kind of stream; they are the platform's, not the aggregate's.
      else if (!PLATFORM_EVENT_TYPES.has(recorded.type)) state = entry.evolver.evolve(state, decoded);
      const commandId = recorded.metadata.commandId;
      if (typeof commandId === 'string') {
        const record = commands.get(commandId) ?? {
          commandHash: String(recorded.metadata.commandHash ?? ''),
          streamRevision: recorded.revision,
          position: recorded.position,
          events: [],
        };
        // Two loads may fold the same events into the shared map concurrently; each event is recorded once.
        if ((record.events.at(-1)?.revision ?? -1n) < recorded.revision) {
          record.streamRevision = recorded.revision;
          record.position = recorded.position;
          record.events.push({ eventId: recorded.id, type: recorded.type, revision: recorded.revision, data });
        }
        commands.set(commandId, record);
        if (commands.size > MAX_COMMAND_RECORDS) {
          const oldest = commands.keys().next().value;
          if (oldest !== undefined) commands.delete(oldest);
        }
      }
    }
    return { ...entry, state, revision, fenced, commands };
  }
}
