import type { PlatformEventRegistry } from '../domain/events/catalog.ts';
import type { Cache } from '../infra/cache/port.ts';
import type { DocumentStore } from '../infra/documents/port.ts';
import type { AllSubscription, EventStore, RecordedEvent } from '../infra/eventstore/port.ts';
import { OutageWait, unavailableDependency, type Dependency, type OutageBackoffOptions, type OutageStatus } from '../infra/outage/dependency-outage.ts';
import type { Projection, ProjectionContext } from './projection.ts';
import { PositionWaiters } from './position-waiters.ts';

/** `waiting`: a dependency (cache, read-model store, event store) is unavailable; the same event is tried again. */
export type ProjectionState = 'starting' | 'catching-up' | 'live' | 'waiting' | 'failed' | 'rebuilding' | 'stopped';

export interface ProjectionFailure {
  position: string;
  eventId: string;
  type: string;
  streamId: string;
  message: string;
}

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
  /** Told when a projection's subscription drops (it then resubscribes from its checkpoint with backoff). */
  onSubscriptionError?: (projection: string, error: unknown) => void;
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
  state: ProjectionState;
  position: bigint;
  lastApplied: bigint;
  savedPosition: bigint;
  /** The head of the log when catching up started (or last looked at): reaching it is when to look again. */
  catchUpTarget: bigint;
  failure: ProjectionFailure | null;
  subscription: AllSubscription | undefined;
  loop: Promise<void> | undefined;
  stopping: boolean;
  /** Cuts an outage backoff short when the projection is stopped. */
  abort: AbortController;
  outage: OutageWait;
  onEvent?: (position: bigint) => void;
}

/** Read through a function: state changes inside awaited calls, which flow analysis cannot see. */
const hasFailed = (running: Running) => running.state === 'failed';

/**
 * Runs projections: each follows `$all` from its own checkpoint, applies events in order, and stores its checkpoint
 * with its read model. The checkpoint only moves past events that were applied completely; a replay after a crash
 * re-applies events after the last checkpoint, which the read models ignore (each document keeps its position).
 * A projection that throws stops there and reports the event: it never skips one silently, unless an operator parked
 * that event (an audited command; see projections/parked-events.ts). A dependency that is unavailable is not a
 * poison event: the projection waits it out with capped backoff and applies the same event again.
 */
export class ProjectionRunner {
  private readonly running = new Map<string, Running>();
  private readonly context: ProjectionContext;
  private readonly waiters = new PositionWaiters();
  private flushTimer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly store: EventStore,
    private readonly docs: DocumentStore,
    registry: PlatformEventRegistry,
    private readonly projections: readonly Projection[],
    cache?: Cache,
    private readonly options: ProjectionRunnerOptions = {},
  ) {
    this.context = { docs, registry, ...(cache ? { cache } : {}) };
  }

  async start(): Promise<void> {
    for (const projection of this.projections) {
      const checkpoint = await this.docs.get(CHECKPOINTS, projection.name);
      const current = checkpoint && checkpoint.version === projection.version ? BigInt(String(checkpoint.position)) : null;
      if (current === null) await this.reset(projection);
      await projection.setup(this.context);
      const running: Running = {
        projection,
        state: 'starting',
        position: current ?? 0n,
        lastApplied: current ?? 0n,
        savedPosition: current ?? 0n,
        catchUpTarget: 0n,
        failure: null,
        subscription: undefined,
        loop: undefined,
        stopping: false,
        abort: new AbortController(),
        outage: new OutageWait(this.options.retry),
      };
      this.running.set(projection.name, running);
      running.loop = this.follow(running);
    }
    this.flushTimer = setInterval(() => void this.flushAll(), CHECKPOINT_EVERY_MS);
    this.flushTimer.unref();
  }

  /** Drops the projection's collections and its checkpoint. */
  private async reset(projection: Projection): Promise<void> {
    for (const collection of projection.collections) await this.docs.dropCollection(collection);
    await this.docs.delete(CHECKPOINTS, projection.name);
  }

  private async follow(running: Running): Promise<void> {
    while (!running.stopping && running.state !== 'failed') {
      const head = await this.store.headPosition().catch(() => null);
      running.catchUpTarget = head ?? 0n;
      running.state = head !== null && running.position >= head ? 'live' : 'catching-up';
      if (head !== null && running.outage.status?.dependency === 'event-store') this.recovered(running);
      // Unfiltered: every event advances the position, so "has it reached position P" is exact for read-your-writes.
      const subscription = this.store.subscribeToAll({ afterPosition: running.position });
      running.subscription = subscription;
      let dropped: unknown;
      try {
        for await (const event of subscription) {
          await this.applyOne(running, event);
          if (hasFailed(running) || running.stopping) break;
        }
      } catch (error) {
        if (running.stopping) break;
        dropped = error;
        this.options.onSubscriptionError?.(running.projection.name, error);
      }
      await subscription.unsubscribe();
      if (running.stopping || hasFailed(running)) break;
      await this.waitOut(running, unavailableDependency(dropped) ?? 'event-store', dropped ?? new Error('the subscription ended'));
    }
    await this.flush(running).catch(() => undefined);
  }

  /** Reports the outage and sleeps its backoff; the state goes back to what it was once the dependency answers. */
  private async waitOut(running: Running, dependency: Dependency, error: unknown): Promise<void> {
    const first = running.outage.status === null;
    if (running.state !== 'rebuilding') running.state = 'waiting';
    const waiting = running.outage.wait(dependency, error, running.abort.signal);
    if (first) this.options.onOutage?.(running.projection.name, running.outage.status);
    await waiting;
  }

  private recovered(running: Running): void {
    if (running.outage.recovered() !== null) this.options.onOutage?.(running.projection.name, null);
  }

  /** Applies one event (or skips it when it is not the projection's, or parked), waiting out dependency outages. */
  private async applyOne(running: Running, event: RecordedEvent): Promise<void> {
    const { projection } = running;
    if (handles(projection, event.type) && !this.options.parked?.isParked(projection.name, event.position)) {
      const state = running.state;
      for (;;) {
        try {
          const decoded = this.context.registry.decode(event.type, event.data, event.metadata);
          await projection.apply(
            { ...decoded, eventId: event.id, streamId: event.streamId, revision: event.revision, position: event.position, metadata: event.metadata },
            this.context,
          );
          break;
        } catch (error) {
          const dependency = unavailableDependency(error);
          if (dependency !== null && !running.stopping) {
            await this.waitOut(running, dependency, error);
            continue;
          }
          if (running.stopping) return;
          running.state = 'failed';
          running.failure = {
            position: event.position.toString(),
            eventId: event.id,
            type: event.type,
            streamId: event.streamId,
            message: error instanceof Error ? error.message : String(error),
          };
          return;
        }
      }
      running.lastApplied = event.position;
      if (running.outage.status !== null) {
        running.state = state;
        this.recovered(running);
      }
    } else if (running.outage.status !== null) {
      // Events it does not apply still prove the log is being read again.
      this.recovered(running);
    }
    running.position = event.position;
    running.onEvent?.(event.position);
    // The head is asked again only when the last known one is reached, not for every event of a catch-up.
    if (running.state === 'catching-up' && event.position >= running.catchUpTarget) {
      const head = await this.store.headPosition().catch(() => null);
      if (head !== null && event.position >= head) running.state = 'live';
      else if (head !== null) running.catchUpTarget = head;
    }
    if (running.position - running.savedPosition >= BigInt(CHECKPOINT_EVERY_EVENTS)) await this.flush(running).catch(() => undefined);
    this.waiters.release();
  }

  private async flush(running: Running): Promise<void> {
    if (running.position === running.savedPosition) return;
    const position = running.position;
    await this.docs.upsert(CHECKPOINTS, { _id: running.projection.name, position: position.toString(), version: running.projection.version });
    running.savedPosition = position;
  }

  private async flushAll(): Promise<void> {
    for (const running of this.running.values()) await this.flush(running).catch(() => undefined);
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
    for (const running of this.running.values()) if (counts(running) && (lowest === undefined || running.position < lowest)) lowest = running.position;
    return lowest ?? 0n;
  }

  /**
   * Resolves true once every projection (or only the one named) has applied `position`, false after `timeoutMs`.
   * Naming the projection a read depends on keeps that read available while another one lags or has failed.
   */
  async waitFor(position: bigint, timeoutMs = 5000, projection?: string): Promise<boolean> {
    if (projection === undefined) return this.waiters.waitUntil(position, timeoutMs, () => this.position);
    if (!this.running.has(projection)) throw new Error(`no projection named ${projection}`);
    return this.waiters.waitUntil(position, timeoutMs, () => this.running.get(projection)?.position ?? -1n);
  }

  /** Read-your-writes: resolves true once every projection that serves reads has applied `position` (see `readPosition`). */
  async waitForReads(position: bigint, timeoutMs = 5000): Promise<boolean> {
    return this.waiters.waitUntil(position, timeoutMs, () => this.readPosition);
  }

  async status(): Promise<ProjectionStatus[]> {
    const head = await this.store.headPosition().catch(() => null);
    return [...this.running.values()].map((running) => ({
      name: running.projection.name,
      version: running.projection.version,
      state: running.state,
      position: running.position.toString(),
      lastApplied: running.lastApplied.toString(),
      head: (head ?? running.position).toString(),
      lag: head === null ? 0 : Number(head > running.position ? head - running.position : 0n),
      failure: running.failure,
      waiting: running.outage.status,
    }));
  }

  /**
   * Drops the projection's read model and replays the whole log into it, reporting progress; then it follows the log
   * live again. Also the way out of a failure, once the projection's code is fixed.
   */
  async rebuild(name: string, onProgress?: (progress: RebuildProgress) => void): Promise<void> {
    const running = this.running.get(name);
    if (!running) throw new Error(`no projection named ${name}`);
    await this.halt(running);
    running.stopping = false;
    running.abort = new AbortController();
    running.state = 'rebuilding';
    running.failure = null;
    await this.reset(running.projection);
    await running.projection.setup(this.context);
    running.position = 0n;
    running.lastApplied = 0n;
    running.savedPosition = 0n;
    const head = await this.store.headPosition();
    const started = Date.now();
    let events = 0;
    running.onEvent = (position) => {
      events += 1;
      if (events % 1000 === 0 || position >= head) onProgress?.({ name, position, head, events, elapsedMs: Date.now() - started });
    };
    for await (const event of this.store.readAll({ fromPosition: 'start' })) {
      if (event.position > head) break;
      await this.applyOne(running, event);
      if (hasFailed(running) || running.stopping) break;
    }
    running.onEvent = undefined;
    onProgress?.({ name, position: running.position, head, events, elapsedMs: Date.now() - started });
    await this.flush(running);
    if (hasFailed(running) || running.stopping) return;
    this.resume(running);
  }

  /** Stops the projection's loop (cutting an outage backoff short) and waits for it to end. */
  private async halt(running: Running): Promise<void> {
    running.stopping = true;
    running.abort.abort();
    await running.subscription?.unsubscribe();
    await running.loop;
  }

  private resume(running: Running): void {
    running.stopping = false;
    running.abort = new AbortController();
    running.loop = this.follow(running);
  }

  names(): string[] {
    return [...this.running.keys()];
  }

  /** The event the projection stopped at, if it stopped. */
  failureOf(name: string): ProjectionFailure | null {
    return this.running.get(name)?.failure ?? null;
  }

  /**
   * Goes on past the event the projection stopped at, once that event is parked (the parked-events index calls
   * this when it learns of a park from the log, in every instance). No-op otherwise.
   */
  resumeParked(name: string): void {
    const running = this.running.get(name);
    if (running?.state !== 'failed' || running.failure === null) return;
    if (!this.options.parked?.isParked(name, BigInt(running.failure.position))) return;
    running.failure = null;
    running.state = 'starting';
    // Its loop ended at the failure; following again from its position meets the parked event first and skips it.
    void running.loop?.then(() => {
      if (!this.stopped) this.resume(running);
    });
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
      const decoded = this.context.registry.decode(recorded.type, recorded.data, recorded.metadata);
      await running.projection.apply(
        {
          ...decoded,
          eventId: recorded.id,
          streamId: recorded.streamId,
          revision: recorded.revision,
          position: recorded.position,
          metadata: recorded.metadata,
        },
        this.context,
      );
      return null;
    } catch (error) {
      return { message: error instanceof Error ? error.message : String(error), unavailable: unavailableDependency(error) !== null };
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.flushTimer);
    for (const running of this.running.values()) {
      running.stopping = true;
      running.abort.abort();
      await running.subscription?.unsubscribe();
    }
    await Promise.all([...this.running.values()].map((running) => running.loop));
    for (const running of this.running.values()) running.state = 'stopped';
  }
}

/** Whether the projection applies events of this type (checked before decoding: a type read from the log is any string). */
function handles(projection: Projection, type: string): boolean {
  return (projection.eventTypes as readonly string[]).includes(type);
}
