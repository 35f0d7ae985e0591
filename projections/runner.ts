import { setTimeout as sleep } from 'node:timers/promises';
import type { EventRegistry } from '../domain/events/registry.ts';
import type { Cache } from '../infra/cache/port.ts';
import type { DocumentStore } from '../infra/documents/port.ts';
import type { AllSubscription, EventStore, RecordedEvent } from '../infra/eventstore/port.ts';
import type { Projection, ProjectionContext } from './projection.ts';

export type ProjectionState = 'starting' | 'catching-up' | 'live' | 'failed' | 'rebuilding' | 'stopped';

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
  head: string;
  /** How far behind the head of the log it is, in positions (events, for the embedded store). */
  lag: number;
  failure: ProjectionFailure | null;
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
  savedPosition: bigint;
  /** The head of the log when catching up started (or last looked at): reaching it is when to look again. */
  catchUpTarget: bigint;
  failure: ProjectionFailure | null;
  subscription: AllSubscription | undefined;
  loop: Promise<void> | undefined;
  stopping: boolean;
  onEvent?: (position: bigint) => void;
}

/** Read through a function: state changes inside awaited calls, which flow analysis cannot see. */
const hasFailed = (running: Running) => running.state === 'failed';

/**
 * Runs projections: each follows `$all` from its own checkpoint, applies events in order, and stores its checkpoint
 * with its read model. The checkpoint only moves past events that were applied completely; a replay after a crash
 * re-applies events after the last checkpoint, which the read models ignore (each document keeps its position).
 * A projection that throws stops there and reports the event: it never skips one silently.
 */
export class ProjectionRunner {
  private readonly running = new Map<string, Running>();
  private readonly context: ProjectionContext;
  private waiters: Array<{ position: bigint; projection: string | undefined; resolve: () => void }> = [];
  private flushTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: EventStore,
    private readonly docs: DocumentStore,
    registry: EventRegistry,
    private readonly projections: readonly Projection[],
    cache?: Cache,
    /** Told when a projection's subscription drops (it then resubscribes from its checkpoint with backoff). */
    private readonly onSubscriptionError: (projection: string, error: unknown) => void = () => {},
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
        savedPosition: current ?? 0n,
        catchUpTarget: 0n,
        failure: null,
        subscription: undefined,
        loop: undefined,
        stopping: false,
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
    let delayMs = 100;
    while (!running.stopping && running.state !== 'failed') {
      const head = await this.store.headPosition().catch(() => null);
      running.catchUpTarget = head ?? 0n;
      running.state = head !== null && running.position >= head ? 'live' : 'catching-up';
      // Unfiltered: every event advances the position, so "has it reached position P" is exact for read-your-writes.
      const subscription = this.store.subscribeToAll({ afterPosition: running.position });
      running.subscription = subscription;
      try {
        for await (const event of subscription) {
          await this.applyOne(running, event);
          if (hasFailed(running)) break;
          delayMs = 100;
        }
      } catch (error) {
        if (running.stopping) break;
        this.onSubscriptionError(running.projection.name, error);
      }
      await subscription.unsubscribe();
      if (running.stopping || hasFailed(running)) break;
      await sleep(delayMs);
      delayMs = Math.min(delayMs * 2, 5000);
    }
    await this.flush(running);
  }

  private async applyOne(running: Running, event: RecordedEvent): Promise<void> {
    const { projection } = running;
    if (projection.eventTypes.includes(event.type)) {
      try {
        const data = this.context.registry.decode(event.type, event.data, event.metadata);
        await projection.apply(
          { eventId: event.id, type: event.type, streamId: event.streamId, revision: event.revision, position: event.position, data, metadata: event.metadata },
          this.context,
        );
      } catch (error) {
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
    running.position = event.position;
    running.onEvent?.(event.position);
    // The head is asked again only when the last known one is reached, not for every event of a catch-up.
    if (running.state === 'catching-up' && event.position >= running.catchUpTarget) {
      const head = await this.store.headPosition().catch(() => null);
      if (head !== null && event.position >= head) running.state = 'live';
      else if (head !== null) running.catchUpTarget = head;
    }
    if (running.position - running.savedPosition >= BigInt(CHECKPOINT_EVERY_EVENTS)) await this.flush(running);
    this.resolveWaiters();
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
    let lowest: bigint | undefined;
    for (const running of this.running.values()) if (lowest === undefined || running.position < lowest) lowest = running.position;
    return lowest ?? 0n;
  }

  /** The position one projection has applied (undefined: the lowest of all, as `position`). */
  private reached(projection: string | undefined): bigint {
    if (projection === undefined) return this.position;
    return this.running.get(projection)?.position ?? -1n;
  }

  private resolveWaiters(): void {
    const lowest = this.position;
    this.waiters = this.waiters.filter((waiter) => {
      const reached = waiter.projection === undefined ? lowest : this.reached(waiter.projection);
      return waiter.position <= reached ? (waiter.resolve(), false) : true;
    });
  }

  /**
   * Resolves true once every projection (or only the one named) has applied `position` (read-your-writes), false
   * after `timeoutMs`. Naming the projection a read depends on keeps that read available while another one lags or
   * has failed.
   */
  async waitFor(position: bigint, timeoutMs = 5000, projection?: string): Promise<boolean> {
    if (projection !== undefined && !this.running.has(projection)) throw new Error(`no projection named ${projection}`);
    if (this.reached(projection) >= position) return true;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((waiter) => waiter.resolve !== done);
        resolve(false);
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        resolve(true);
      };
      this.waiters.push({ position, projection, resolve: done });
    });
  }

  async status(): Promise<ProjectionStatus[]> {
    const head = await this.store.headPosition().catch(() => null);
    return [...this.running.values()].map((running) => ({
      name: running.projection.name,
      version: running.projection.version,
      state: running.state,
      position: running.position.toString(),
      head: (head ?? running.position).toString(),
      lag: head === null ? 0 : Number(head > running.position ? head - running.position : 0n),
      failure: running.failure,
    }));
  }

  /**
   * Drops the projection's read model and replays the whole log into it, reporting progress; then it follows the log
   * live again. Also the way out of a failure, once the projection's code is fixed.
   */
  async rebuild(name: string, onProgress?: (progress: RebuildProgress) => void): Promise<void> {
    const running = this.running.get(name);
    if (!running) throw new Error(`no projection named ${name}`);
    running.stopping = true;
    await running.subscription?.unsubscribe();
    await running.loop;
    running.state = 'rebuilding';
    running.failure = null;
    await this.reset(running.projection);
    await running.projection.setup(this.context);
    running.position = 0n;
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
      if (hasFailed(running)) break;
    }
    running.onEvent = undefined;
    onProgress?.({ name, position: running.position, head, events, elapsedMs: Date.now() - started });
    await this.flush(running);
    if (hasFailed(running)) return;
    running.stopping = false;
    running.loop = this.follow(running);
  }

  names(): string[] {
    return [...this.running.keys()];
  }

  async stop(): Promise<void> {
    clearInterval(this.flushTimer);
    for (const running of this.running.values()) {
      running.stopping = true;
      await running.subscription?.unsubscribe();
    }
    await Promise.all([...this.running.values()].map((running) => running.loop));
    for (const running of this.running.values()) running.state = 'stopped';
  }
}
