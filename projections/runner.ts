import type { PlatformEventRegistry } from '../domain/events/catalog.ts';
import type { Cache } from '../infra/cache/port.ts';
import type { DocumentStore } from '../infra/documents/port.ts';
import type { EventStore, RecordedEvent } from '../infra/eventstore/port.ts';
import type { ProcessorCursor } from '../infra/log-consumer/cursor.ts';
import type { LogConsumer } from '../infra/log-consumer/log-consumer.ts';
import { PositionWaiters } from '../infra/log-consumer/position-waiters.ts';
import type { LogProcessor, ProcessorFailure } from '../infra/log-consumer/processor.ts';
import { unavailableDependency, type OutageBackoffOptions, type OutageStatus } from '../infra/outage/dependency-outage.ts';
import type { Projection, ProjectionContext } from './projection.ts';

/** `waiting`: a dependency (cache, read-model store, event store) is unavailable; the same event is tried again. */
export type ProjectionState = 'starting' | 'catching-up' | 'live' | 'waiting' | 'failed' | 'rebuilding' | 'stopped';

export type ProjectionFailure = ProcessorFailure;

export interface ProjectionStatus {
  name: string;
  version: number;
  state: ProjectionState;
  /** Last position fully applied (decimal string). */
  position: string;
  /** Position of the last event of its own types it applied (its checkpoint, right after a start). */
  lastApplied: string;
  head: string;
  /** How far behind the head of the log it is, in positions (events, for the embedded store). */
  lag: number;
  failure: ProjectionFailure | null;
  /** The dependency outage it is waiting out, if any. */
  waiting: OutageStatus | null;
}

/** Which events an operator parked, learned from the log (see projections/parked-events.ts). */
export interface ParkedEventsView {
  isParked(projection: string, position: bigint): boolean;
}

export interface ProjectionRunnerOptions {
  /** Told when a projection starts or stops waiting on an unavailable dependency. */
  onOutage?: (projection: string, outage: OutageStatus | null) => void;
  /** Backoff while a dependency is unavailable. */
  retry?: OutageBackoffOptions;
  parked?: ParkedEventsView;
}

export interface RebuildProgress {
  name: string;
  position: bigint;
  head: bigint;
  events: number;
  elapsedMs: number;
}

const CHECKPOINTS = '_projections';
const CHECKPOINT_EVERY_EVENTS = 500;
const CHECKPOINT_EVERY_MS = 250;

interface Running {
  projection: Projection;
  cursor: ProcessorCursor;
  /** Position of the last event of its own types it applied. */
  applied: { last: bigint };
  rebuilding: boolean;
}

/**
 * Runs projections, each a processor on the process's LogConsumer with its own cursor: it applies events in order
 * and stores its checkpoint with its read model (batched). The checkpoint only moves past events that were applied
 * completely; a replay after a crash re-applies events after the last checkpoint, which the read models ignore (each
 * document keeps its position). A projection that throws stops there and reports the event: it never skips one
 * silently, unless an operator parked that event (an audited command; see projections/parked-events.ts). A
 * dependency that is unavailable is not a poison event: the projection waits it out with capped backoff and applies
 * the same event again.
 */
export class ProjectionRunner {
  private readonly running = new Map<string, Running>();
  private readonly context: ProjectionContext;
  private readonly waiters = new PositionWaiters();
  private readonly store: EventStore;

  constructor(
    private readonly consumer: LogConsumer,
    private readonly docs: DocumentStore,
    registry: PlatformEventRegistry,
    private readonly projections: readonly Projection[],
    cache?: Cache,
    private readonly options: ProjectionRunnerOptions = {},
  ) {
    this.store = consumer.store;
    this.context = { docs, registry, ...(cache ? { cache } : {}) };
  }

  async start(): Promise<void> {
    for (const projection of this.projections) {
      const checkpoint = await this.docs.get(CHECKPOINTS, projection.name);
      const current = checkpoint && checkpoint.version === projection.version ? BigInt(String(checkpoint.position)) : null;
      if (current === null) await this.reset(projection);
      await projection.setup(this.context);
      const applied = { last: current ?? 0n };
      const cursor = this.consumer.attach(this.processorFor(projection, applied), current ?? 0n);
      cursor.onMoved(() => this.waiters.release());
      this.running.set(projection.name, { projection, cursor, applied, rebuilding: false });
    }
  }

  private processorFor(projection: Projection, applied: Running['applied']): LogProcessor {
    return {
      name: projection.name,
      wants: { eventTypes: projection.eventTypes },
      failure: { kind: 'stop' },
      checkpoint: {
        save: (position) => this.docs.upsert(CHECKPOINTS, { _id: projection.name, position: position.toString(), version: projection.version }),
        everyPositions: CHECKPOINT_EVERY_EVENTS,
        everyMs: CHECKPOINT_EVERY_MS,
      },
      ...(this.options.retry ? { outageRetry: this.options.retry } : {}),
      onOutage: (outage) => this.options.onOutage?.(projection.name, outage),
      handle: async (event) => {
        if (this.options.parked?.isParked(projection.name, event.position)) return;
        await this.apply(projection, event);
        applied.last = event.position;
      },
    };
  }

  private async apply(projection: Projection, event: RecordedEvent): Promise<void> {
    const decoded = this.context.registry.decode(event.type, event.data, event.metadata);
    await projection.apply(
      { ...decoded, eventId: event.id, streamId: event.streamId, revision: event.revision, position: event.position, metadata: event.metadata },
      this.context,
    );
  }

  /** Drops the projection's collections and its checkpoint. */
  private async reset(projection: Projection): Promise<void> {
    for (const collection of projection.collections) await this.docs.dropCollection(collection);
    await this.docs.delete(CHECKPOINTS, projection.name);
  }

  /** The lowest position every projection has applied. */
  get position(): bigint {
    return this.lowest(() => true);
  }

  /**
   * The lowest position every projection that serves reads has applied: cache-only projections are left out (a read
   * that uses the cache checks their progress itself), so a cache outage they wait out never holds reads.
   */
  get readPosition(): bigint {
    return this.lowest((running) => !running.projection.cacheOnly);
  }

  private lowest(counts: (running: Running) => boolean): bigint {
    let lowest: bigint | undefined;
    for (const running of this.running.values()) {
      if (counts(running) && (lowest === undefined || running.cursor.position < lowest)) lowest = running.cursor.position;
    }
    return lowest ?? 0n;
  }

  /**
   * Resolves true once every projection (or only the one named) has applied `position`, false after `timeoutMs`.
   * Naming the projection a read depends on keeps that read available while another one lags or has failed.
   */
  async waitFor(position: bigint, timeoutMs = 5000, projection?: string): Promise<boolean> {
    if (projection === undefined) return this.waiters.waitUntil(position, timeoutMs, () => this.position);
    const running = this.running.get(projection);
    if (!running) throw new Error(`no projection named ${projection}`);
    return running.cursor.waitFor(position, timeoutMs);
  }

  /** Read-your-writes: resolves true once every projection that serves reads has applied `position` (see `readPosition`). */
  async waitForReads(position: bigint, timeoutMs = 5000): Promise<boolean> {
    return this.waiters.waitUntil(position, timeoutMs, () => this.readPosition);
  }

  async status(): Promise<ProjectionStatus[]> {
    const head = await this.store.headPosition().catch(() => null);
    return [...this.running.values()].map(({ projection, cursor, applied, rebuilding }) => ({
      name: projection.name,
      version: projection.version,
      state: rebuilding ? 'rebuilding' : cursor.state,
      position: cursor.position.toString(),
      lastApplied: applied.last.toString(),
      head: (head ?? cursor.position).toString(),
      lag: head === null ? 0 : Number(head > cursor.position ? head - cursor.position : 0n),
      failure: cursor.failure,
      waiting: cursor.waiting,
    }));
  }

  /**
   * Drops the projection's read model and replays the whole log into it, reporting progress; then it follows the log
   * live again. Also the way out of a failure, once the projection's code is fixed.
   */
  async rebuild(name: string, onProgress?: (progress: RebuildProgress) => void): Promise<void> {
    const running = this.running.get(name);
    if (!running) throw new Error(`no projection named ${name}`);
    const { cursor } = running;
    await cursor.pause();
    running.rebuilding = true;
    try {
      await this.reset(running.projection);
      await running.projection.setup(this.context);
      running.applied.last = 0n;
      const head = await this.store.headPosition();
      const started = Date.now();
      let events = 0;
      const report = (position: bigint) => onProgress?.({ name, position, head, events, elapsedMs: Date.now() - started });
      const stopTelling = cursor.onMoved((position) => {
        events += 1;
        if (events % 1000 === 0 || position >= head) report(position);
      });
      await cursor.resume(0n);
      // Ends at the head it started at, or where it stopped (a failure, a stop).
      await cursor.until(head);
      stopTelling();
      report(cursor.position);
      await cursor.flush();
    } finally {
      running.rebuilding = false;
    }
  }

  names(): string[] {
    return [...this.running.keys()];
  }

  /** The event the projection stopped at, if it stopped. */
  failureOf(name: string): ProjectionFailure | null {
    return this.running.get(name)?.cursor.failure ?? null;
  }

  /**
   * Goes on past the event the projection stopped at, once that event is parked (the parked-events index calls
   * this when it learns of a park from the log, in every instance). No-op otherwise.
   */
  resumeParked(name: string): void {
    const cursor = this.running.get(name)?.cursor;
    const failure = cursor?.failure;
    if (cursor?.state !== 'failed' || !failure) return;
    if (!this.options.parked?.isParked(name, BigInt(failure.position))) return;
    // It stopped just before the failed event; going on from there meets the parked event first and skips it.
    void cursor.resume();
  }

  /**
   * Applies one event of the log to the projection again (retrying a parked event), once, outside its loop: the
   * read-model writes are idempotent and keep each document's position, so a document that later events already
   * changed keeps their state. Answers null when it applied, else why not.
   */
  async reapply(name: string, position: bigint): Promise<{ message: string; unavailable: boolean } | null> {
    const running = this.running.get(name);
    if (!running) throw new Error(`no projection named ${name}`);
    let recorded: RecordedEvent | undefined;
    for await (const event of this.store.readAll({ fromPosition: position, maxCount: 1 })) recorded = event;
    if (recorded?.position !== position) return { message: `there is no event at position ${position}`, unavailable: false };
    if (!handles(running.projection, recorded.type)) return null;
    try {
      await this.apply(running.projection, recorded);
      return null;
    } catch (error) {
      return { message: error instanceof Error ? error.message : String(error), unavailable: unavailableDependency(error) !== null };
    }
  }

  async stop(): Promise<void> {
    await Promise.all([...this.running.values()].map((running) => running.cursor.stop()));
  }
}

/** Whether the projection applies events of this type (checked before decoding: a type read from the log is any string). */
function handles(projection: Projection, type: string): boolean {
  return (projection.eventTypes as readonly string[]).includes(type);
}
