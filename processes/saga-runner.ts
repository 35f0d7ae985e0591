import { sleepBackoff } from '../infra/retry/backoff.ts';
import { sagaStep } from '../infra/retry/policies.ts';
import type { Logger } from 'pino';
import type { PlatformEventOf, PlatformEventRegistry, PlatformEventType } from '../domain/events/catalog.ts';
import type { EventStore, RecordedEvent } from '../infra/eventstore/port.ts';
import type { CheckpointStore } from './checkpoint-store.ts';
import { OutageWait, unavailableDependency, untilAvailable, type OutageBackoffOptions, type OutageStatus } from '../infra/outage/dependency-outage.ts';
import { LogFollower } from './follow-log.ts';

/** Where an event a saga handles sits in the log, and the correlation it carries on. */
export interface SagaEventPlacement {
  streamId: string;
  position: bigint;
  eventId: string;
  /** The event's revision in its own stream. */
  revision: bigint;
  /** The correlation the event belongs to: a saga's commands carry it on. */
  correlationId: string | null;
}

/**
 * An event as a saga sees it: decoded (upcast, so its data is typed by its `type`), where it is in the log. `Type`
 * narrows it to the types a saga handles.
 */
export type SagaEvent<Type extends PlatformEventType = PlatformEventType> = PlatformEventOf<Type> & SagaEventPlacement;

/**
 * A process manager: reacts to events of some types by issuing commands. Handlers must be idempotent and should
 * decide from the CURRENT state of the streams they touch (not from the event alone): then replaying an event, after
 * a crash between a step and its checkpoint, only repeats steps that are already done, which deterministic command
 * ids turn into no-ops.
 */
export interface Saga<Type extends PlatformEventType = PlatformEventType> {
  /** Checkpoint name: letters, digits, `_` and `-`. */
  readonly name: string;
  readonly eventTypes: readonly Type[];
  handle(event: SagaEvent<Type>): Promise<void>;
}

export interface SagaRunnerOptions {
  logger?: Logger;
  /** Where an event given up on is recorded (beside the checkpoints), so an operator can see and replay it. */
  deadLetters?: DeadLetters;
  /** Attempts per event before it is logged and skipped, so one poison event cannot stop the saga forever. */
  maxAttempts?: number;
  retryDelayMs?: number;
  /** Backoff while a dependency is unavailable (see dependency-outage.ts). */
  outageRetry?: OutageBackoffOptions;
}

export interface DeadLetters {
  record(saga: string, event: { type: string; position: bigint; eventId: string; streamId: string }, error: unknown): Promise<void>;
}

/** How far past its last saved checkpoint a saga may read events of other types before it saves its position. */
const SCANNED_CHECKPOINT_EVERY = 1_000n;

export { StepUnavailableError } from '../infra/outage/dependency-outage.ts';

/**
 * Runs one saga: follows `$all` (its event types only) from its checkpoint, one event at a time, and saves the
 * checkpoint after each handled event (at-least-once). A dropped subscription is followed again from the checkpoint.
 */
export class SagaRunner {
  private follower: LogFollower | undefined;
  private stopped = false;
  private position = 0n;
  /** The position last saved as the checkpoint. */
  private savedPosition = 0n;
  private readonly waiters = new Set<{ position: bigint; resolve: () => void }>();
  private readonly outage: OutageWait;
  private readonly abort = new AbortController();

  constructor(
    private readonly store: EventStore,
    private readonly registry: PlatformEventRegistry,
    private readonly checkpoints: CheckpointStore,
    readonly saga: Saga,
    private readonly options: SagaRunnerOptions = {},
  ) {
    this.outage = new OutageWait(options.outageRetry);
  }

  /** The dependency outage the saga is waiting out (the same event is tried again), if any. */
  get waiting(): OutageStatus | null {
    return this.outage.status;
  }

  async start(): Promise<void> {
    this.position = (await this.checkpoints.load(this.saga.name)) ?? 0n;
    this.savedPosition = this.position;
    // handleOne never throws: a step's failure is retried or dead-lettered there, so the follower only ever drops
    // with the store's subscription, and follows again from the last event handled.
    this.follower = new LogFollower(this.store, {
      filter: { eventTypes: this.saga.eventTypes },
      afterPosition: this.position,
      onEvent: (recorded) => this.handleOne(recorded),
      onScanned: (position) => this.skippedTo(position),
      onDrop: (error) => this.options.logger?.warn({ err: error, saga: this.saga.name }, 'saga subscription dropped; following again from its checkpoint'),
    });
  }

  /** The position of the last event this saga handled (or skipped). */
  get handledPosition(): bigint {
    return this.position;
  }

  /** Resolves once every event of the saga's types up to `position` is handled; false on timeout. */
  async waitFor(position: bigint, timeoutMs = 5_000): Promise<boolean> {
    if (this.position >= position) return true;
    // Nothing of ours may lie between our position and the target: a filtered subscription never reports them.
    const relevant = this.store.readAll({ fromPosition: this.position + 1n, filter: { eventTypes: this.saga.eventTypes } });
    let last = this.position;
    for await (const event of relevant) {
      if (event.position > position) break;
      last = event.position;
    }
    if (last <= this.position) return true;
    return new Promise((resolve) => {
      const waiter = { position: last, resolve: () => resolve(true) };
      this.waiters.add(waiter);
      setTimeout(() => {
        this.waiters.delete(waiter);
        resolve(this.position >= last);
      }, timeoutMs).unref();
    });
  }

  /**
   * Nothing of the saga's types up to `position`: the saga is there too. Saved only every SCANNED_CHECKPOINT_EVERY
   * positions (and on stop), not for every append of other events; a restart re-reads at most that many positions.
   */
  private async skippedTo(position: bigint): Promise<void> {
    if (this.stopped || position <= this.position) return;
    this.position = position;
    if (position - this.savedPosition >= SCANNED_CHECKPOINT_EVERY) await this.save(position);
    this.resolveWaiters();
  }

  private async save(position: bigint): Promise<void> {
    await this.checkpoints.save(this.saga.name, position);
    if (position > this.savedPosition) this.savedPosition = position;
  }

  private resolveWaiters(): void {
    for (const waiter of this.waiters) {
      if (this.position >= waiter.position) {
        this.waiters.delete(waiter);
        waiter.resolve();
      }
    }
  }

  private async handleOne(recorded: RecordedEvent): Promise<void> {
    const maxAttempts = this.options.maxAttempts ?? 5;
    for (let attempt = 1; !this.stopped; attempt += 1) {
      try {
        const event: SagaEvent = {
          ...this.registry.decode(recorded.type, recorded.data, recorded.metadata),
          streamId: recorded.streamId,
          position: recorded.position,
          eventId: recorded.id,
          revision: recorded.revision,
          correlationId: typeof recorded.metadata.correlationId === 'string' ? recorded.metadata.correlationId : null,
        };
        await this.saga.handle(event);
        break;
      } catch (error) {
        const dependency = unavailableDependency(error);
        // An outage is waited out (never skipped: the step would be lost); anything else is given up after a few tries.
        if (dependency !== null) {
          if (this.outage.status === null)
            this.options.logger?.warn({ err: error, saga: this.saga.name, type: recorded.type }, 'saga waiting for a dependency');
          await this.outage.wait(dependency, error, this.abort.signal);
          attempt -= 1;
          continue;
        }
        if (attempt >= maxAttempts) {
          this.options.logger?.error(
            { err: error, saga: this.saga.name, type: recorded.type, position: recorded.position.toString() },
            'saga step failed; event skipped',
          );
          await this.options.deadLetters?.record(
            this.saga.name,
            { type: recorded.type, position: recorded.position, eventId: recorded.id, streamId: recorded.streamId },
            error,
          );
          break;
        }
        this.options.logger?.warn({ err: error, saga: this.saga.name, type: recorded.type, attempt }, 'saga step failed; retrying');
        await sleepBackoff(sagaStep(this.options.retryDelayMs ?? 200), attempt, this.abort.signal);
      }
    }
    if (this.outage.recovered() !== null) this.options.logger?.info({ saga: this.saga.name }, 'saga resumed after a dependency outage');
    if (this.stopped) return;
    this.position = recorded.position;
    await untilAvailable(
      () => this.save(recorded.position),
      this.outage,
      () => this.stopped,
      this.abort.signal,
    );
    this.resolveWaiters();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.abort.abort();
    await this.follower?.stop();
    // Where the skipped events took it since the last save: the next start reads on from there.
    if (this.follower && this.position > this.savedPosition) await this.save(this.position).catch(() => undefined);
    for (const waiter of this.waiters) waiter.resolve();
    this.waiters.clear();
  }
}
