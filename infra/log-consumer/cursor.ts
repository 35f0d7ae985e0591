import { setImmediate as nextTurn } from 'node:timers/promises';
import { matchesFilter, type RecordedEvent } from '../eventstore/port.ts';
import { OutageWait, unavailableDependency, untilAvailable, type Dependency, type OutageStatus } from '../outage/dependency-outage.ts';
import { sleepBackoff } from '../retry/backoff.ts';
import type { LogConsumer } from './log-consumer.ts';
import { PositionWaiters } from './position-waiters.ts';
import type { FailurePolicy, LogProcessor, ProcessorFailure } from './processor.ts';

/**
 * `live`: it reads from the tail's window (or waits at its end); `catching-up`: it reads what the window no longer
 * holds from the store; `waiting`: it waits out an outage (its own, or the tail's while it is live); `failed`: it
 * stopped at an event under the `stop` policy.
 */
export type CursorState = 'starting' | 'catching-up' | 'live' | 'waiting' | 'failed' | 'stopped';

type Phase = Exclude<CursorState, 'waiting'>;

/** Events taken from the window at once: the tail may add more meanwhile, which the next turn takes. */
const WINDOW_SLICE = 256;
/** A catch-up on handlers that answer at once must not hold the event loop: it gives way this often. */
const GIVE_WAY_MS = 10;

/**
 * One processor's place in the log and the loop that moves it. It moves over every position, not only over the
 * events the processor wants, so `waitFor` is exact. Reading the window or the store, it holds only itself: an
 * outage it waits out or an event it stopped at leaves the other processors and the tail going.
 */
export class ProcessorCursor {
  private current: bigint;
  private saved: bigint;
  private phase: Phase = 'starting';
  private failed: ProcessorFailure | null = null;
  /** A failure the `retry` policy is trying again, reported like an outage. */
  private retrying: OutageStatus | null = null;
  private readonly outage: OutageWait;
  private abort = new AbortController();
  private halting = false;
  private loop: Promise<void> | undefined;
  private saving: Promise<void> | undefined;
  private dirty = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly waiters = new PositionWaiters();
  /** Callers of `until`: no timeout, answered false when the loop ends. */
  private readonly untils = new PositionWaiters();
  private readonly listeners = new Set<(position: bigint) => void>();
  private sliceStarted = performance.now();

  constructor(
    private readonly consumer: LogConsumer,
    readonly processor: LogProcessor,
    from: bigint,
  ) {
    this.current = from;
    this.saved = from;
    this.outage = new OutageWait(processor.outageRetry);
  }

  /** The last position it is done with: every event it wants up to here is handled (or skipped by its policy). */
  get position(): bigint {
    return this.current;
  }

  get state(): CursorState {
    return this.phase !== 'failed' && this.phase !== 'stopped' && this.waiting !== null ? 'waiting' : this.phase;
  }

  /** The outage it waits out: its own, or the tail's while it has nothing else to read. */
  get waiting(): OutageStatus | null {
    const own = this.outage.status ?? this.retrying;
    if (own !== null) return own;
    return this.phase === 'live' || this.phase === 'starting' ? this.consumer.waiting : null;
  }

  /** The event it stopped at (`stop` policy), until it is resumed. */
  get failure(): ProcessorFailure | null {
    return this.failed;
  }

  /** Called by the consumer that attached it. */
  start(): void {
    this.halting = false;
    this.abort = new AbortController();
    this.loop = this.run().catch((error: unknown) => this.fail(null, error));
    void this.loop.then(() => this.untils.cancel());
    const every = this.processor.checkpoint?.everyMs;
    if (every !== undefined) {
      this.timer = setInterval(() => {
        if (this.current !== this.saved) void this.checkpoint();
      }, every);
      this.timer.unref();
    }
  }

  /** Resolves true once it has moved to `position`, false after `timeoutMs` (or when it stops). */
  waitFor(position: bigint, timeoutMs = 5_000): Promise<boolean> {
    return this.waiters.waitUntil(position, timeoutMs, () => this.current);
  }

  /** Resolves true once it has moved to `position`, false if its loop ends first (it failed, paused or stopped). */
  until(position: bigint): Promise<boolean> {
    if (this.current >= position) return Promise.resolve(true);
    if (this.halting || this.phase === 'failed' || this.phase === 'stopped') return Promise.resolve(false);
    return this.untils.waitUntil(position, undefined, () => this.current);
  }

  /** Told of every move (for progress reports); answers how to stop being told. */
  onMoved(listener: (position: bigint) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Ends its loop (cutting a backoff short) and saves its position; it stays attached, to be resumed. */
  async pause(): Promise<void> {
    this.halting = true;
    this.abort.abort();
    clearInterval(this.timer);
    await this.loop;
    await this.flush();
  }

  /** Saves its position now, if it moved since the last save. */
  async flush(): Promise<void> {
    await this.saving;
    if (this.current !== this.saved) await this.checkpoint();
  }

  /**
   * Runs again after a pause or a failure: from `from` when given (a rebuild starts over), else from where it is,
   * which after a failure is just before the event it stopped at. No-op while it runs.
   */
  async resume(from?: bigint): Promise<void> {
    if (!this.halting && this.phase !== 'failed') return;
    await this.loop;
    if (this.phase === 'stopped') return;
    if (from !== undefined) {
      this.current = from;
      this.saved = from;
    }
    this.failed = null;
    this.phase = 'starting';
    this.start();
  }

  /** Pauses for good and leaves the consumer. */
  async stop(): Promise<void> {
    if (this.phase === 'stopped') return;
    await this.pause();
    this.phase = 'stopped';
    this.waiters.cancel();
    await this.consumer.detach(this);
  }

  private async run(): Promise<void> {
    const { processor } = this;
    const prepare = processor.prepare?.bind(processor);
    if (prepare && !(await this.attempt(null, prepare))) return;
    while (!this.halting) {
      const { window } = this.consumer;
      if (!this.consumer.ready || this.current >= window.position) {
        if (this.consumer.ready) this.phase = 'live';
        await this.consumer.changed(this.abort.signal);
        continue;
      }
      const going = this.current >= window.base ? await this.fromWindow() : await this.catchUp();
      if (!going) return;
      if (performance.now() - this.sliceStarted > GIVE_WAY_MS) {
        await nextTurn();
        this.sliceStarted = performance.now();
      }
    }
  }

  private async fromWindow(): Promise<boolean> {
    this.phase = 'live';
    const { window } = this.consumer;
    const upTo = window.position;
    const events = window.after(this.current, WINDOW_SLICE);
    for (const event of events) if (!(await this.deliver(event))) return false;
    // The slice was the rest of the window: the tail scanned up to `upTo` with nothing more in it.
    if (events.length < WINDOW_SLICE && upTo > this.current) await this.moveTo(upTo, false);
    return !this.halting;
  }

  /**
   * Reads the next page of the events it wants from the store. A short page means every event it wants up to the
   * tail's position as of before the read was in it, so the cursor moves there, into the window.
   */
  private async catchUp(): Promise<boolean> {
    this.phase = 'catching-up';
    const upTo = this.consumer.window.position;
    const page: RecordedEvent[] = [];
    try {
      const read = this.consumer.store.readAll({ fromPosition: this.current + 1n, maxCount: this.consumer.pageSize, filter: this.processor.wants });
      for await (const event of read) page.push(event);
    } catch (error) {
      if (this.halting) return false;
      await this.waitOut(unavailableDependency(error) ?? 'event-store', error);
      return !this.halting;
    }
    this.recover();
    for (const event of page) {
      // Nothing it wants lies between: it is done with every position before this event (exact for `waitFor`).
      if (event.position - 1n > this.current) await this.moveTo(event.position - 1n, false);
      if (!(await this.deliver(event))) return false;
    }
    if (page.length < this.consumer.pageSize && upTo > this.current) await this.moveTo(upTo, false);
    return !this.halting;
  }

  private async deliver(event: RecordedEvent): Promise<boolean> {
    const wanted = matchesFilter(event, this.processor.wants);
    if (wanted && !(await this.attempt(event, () => this.processor.handle(event)))) return false;
    await this.moveTo(event.position, wanted);
    return !this.halting;
  }

  /** Runs one step under the processor's failure policy: true when it is done with it, false when it stopped there. */
  private async attempt(event: RecordedEvent | null, step: () => Promise<void> | void): Promise<boolean> {
    const policy = this.processor.failure;
    let failing = false;
    for (let attempt = 1; ; attempt += 1) {
      try {
        await step();
        this.recover();
        this.retrying = null;
        if (failing && policy.kind === 'retry') policy.onRecovered?.();
        return true;
      } catch (error) {
        if (this.halting) return false;
        const dependency = unavailableDependency(error);
        if (policy.kind === 'retry') {
          failing = true;
          this.retrying = {
            dependency: dependency ?? 'event-store',
            message: error instanceof Error ? error.message : String(error),
            since: this.retrying?.since ?? new Date().toISOString(),
            attempts: attempt,
          };
          policy.onFailure?.(error, event, attempt);
          await sleepBackoff(policy.backoff, attempt, this.abort.signal);
        } else if (dependency !== null) {
          await this.waitOut(dependency, error);
          attempt -= 1;
        } else if (policy.kind === 'stop' || event === null) {
          this.fail(event, error);
          return false;
        } else if (attempt >= policy.attempts) {
          return this.giveUp(event, error, policy);
        } else {
          policy.onRetry?.(event, error, attempt);
          await sleepBackoff(policy.backoff, attempt, this.abort.signal);
        }
        if (this.halting) return false;
      }
    }
  }

  private async giveUp(event: RecordedEvent, error: unknown, policy: Extract<FailurePolicy, { kind: 'skip-after' }>): Promise<boolean> {
    try {
      await untilAvailable(
        () => policy.giveUp(event, error),
        this.outage,
        () => this.halting,
        this.abort.signal,
      );
      return true;
    } catch (failure) {
      // Not even recorded as given up: skipping it would lose it silently, so it stops there instead.
      if (!this.halting) this.fail(event, failure);
      return false;
    }
  }

  private fail(event: RecordedEvent | null, error: unknown): void {
    this.phase = 'failed';
    this.failed = {
      position: (event?.position ?? this.current).toString(),
      eventId: event?.id ?? '',
      type: event?.type ?? '',
      streamId: event?.streamId ?? '',
      message: error instanceof Error ? error.message : String(error),
    };
  }

  private async waitOut(dependency: Dependency, error: unknown): Promise<void> {
    const first = this.outage.status === null;
    const waiting = this.outage.wait(dependency, error, this.abort.signal);
    if (first) this.processor.onOutage?.(this.outage.status);
    await waiting;
  }

  private recover(): void {
    if (this.outage.recovered() !== null) this.processor.onOutage?.(null);
  }

  private async moveTo(position: bigint, handled: boolean): Promise<void> {
    this.current = position;
    if (this.phase !== 'failed' && this.phase !== 'stopped') this.phase = position >= this.consumer.window.base ? 'live' : 'catching-up';
    const checkpoint = this.processor.checkpoint;
    if (checkpoint) {
      const everyPositions = checkpoint.everyPositions;
      const due = (handled && checkpoint.afterHandled !== undefined) || (everyPositions !== undefined && position - this.saved >= BigInt(everyPositions));
      if (due) {
        const saving = this.checkpoint();
        if (handled && checkpoint.afterHandled === 'awaited') await saving;
      }
    }
    this.waiters.release();
    for (const listener of this.listeners) listener(position);
    this.untils.release();
  }

  /** Saves the latest position; positions reached while a save runs are coalesced into the next one. */
  private checkpoint(): Promise<void> {
    if (!this.processor.checkpoint) return Promise.resolve();
    this.dirty = true;
    this.saving ??= this.saveLoop();
    return this.saving;
  }

  private async saveLoop(): Promise<void> {
    const checkpoint = this.processor.checkpoint;
    try {
      while (this.dirty && checkpoint) {
        this.dirty = false;
        const position = this.current;
        const save = () => checkpoint.save(position);
        try {
          // Saved before the next event: an outage is waited out, as for the event itself.
          if (checkpoint.afterHandled === 'awaited') await untilAvailable(save, this.outage, () => this.halting, this.abort.signal);
          else await save();
          this.saved = position;
        } catch (error) {
          checkpoint.onError?.(error);
          this.dirty = true;
          break;
        }
      }
    } finally {
      this.saving = undefined;
    }
  }
}
