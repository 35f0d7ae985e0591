import { sagaStep } from '../infra/retry/policies.ts';
import type { Logger } from 'pino';
import type { PlatformEventOf, PlatformEventRegistry, PlatformEventType } from '../domain/events/catalog.ts';
import type { RecordedEvent } from '../infra/eventstore/port.ts';
import type { ProcessorCursor } from '../infra/log-consumer/cursor.ts';
import type { LogConsumer } from '../infra/log-consumer/log-consumer.ts';
import type { LogProcessor } from '../infra/log-consumer/processor.ts';
import type { CheckpointStore } from '../infra/log-consumer/checkpoint-store.ts';
import type { OutageBackoffOptions, OutageStatus } from '../infra/outage/dependency-outage.ts';

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
const SCANNED_CHECKPOINT_EVERY = 1_000;

export { StepUnavailableError } from '../infra/outage/dependency-outage.ts';

/**
 * Runs one saga, a processor on the LogConsumer: from its checkpoint, one event of its types at a time, saving the
 * checkpoint after each handled event (at-least-once). A step that fails with an outage is tried again for as long as
 * it lasts; any other failure is retried with backoff and, after `maxAttempts`, logged, dead-lettered and skipped, so
 * one poison event cannot stop the saga.
 */
export class SagaRunner {
  private cursor: ProcessorCursor | undefined;

  constructor(
    private readonly consumer: LogConsumer,
    private readonly registry: PlatformEventRegistry,
    private readonly checkpoints: CheckpointStore,
    readonly saga: Saga,
    private readonly options: SagaRunnerOptions = {},
  ) {}

  /** The dependency outage the saga is waiting out (the same event is tried again), if any. */
  get waiting(): OutageStatus | null {
    return this.cursor?.waiting ?? null;
  }

  async start(): Promise<void> {
    const from = (await this.checkpoints.load(this.saga.name)) ?? 0n;
    this.cursor = this.consumer.attach(this.processor(), from);
  }

  private processor(): LogProcessor {
    const { saga, options } = this;
    const { logger } = options;
    return {
      name: saga.name,
      wants: { eventTypes: saga.eventTypes },
      handle: (recorded) => saga.handle(this.sagaEvent(recorded)),
      failure: {
        kind: 'skip-after',
        attempts: options.maxAttempts ?? 5,
        backoff: sagaStep(options.retryDelayMs ?? 200),
        onRetry: (recorded, error, attempt) => logger?.warn({ err: error, saga: saga.name, type: recorded.type, attempt }, 'saga step failed; retrying'),
        giveUp: async (recorded, error) => {
          logger?.error({ err: error, saga: saga.name, type: recorded.type, position: recorded.position.toString() }, 'saga step failed; event skipped');
          await options.deadLetters?.record(
            saga.name,
            { type: recorded.type, position: recorded.position, eventId: recorded.id, streamId: recorded.streamId },
            error,
          );
        },
      },
      // Past events of other types too, every so often (and on stop): a restart re-reads at most that many positions.
      checkpoint: { save: (position) => this.checkpoints.save(saga.name, position), afterHandled: 'awaited', everyPositions: SCANNED_CHECKPOINT_EVERY },
      ...(options.outageRetry ? { outageRetry: options.outageRetry } : {}),
      onOutage: (outage) =>
        outage === null
          ? logger?.info({ saga: saga.name }, 'saga resumed after a dependency outage')
          : logger?.warn({ saga: saga.name, dependency: outage.dependency, reason: outage.message }, 'saga waiting for a dependency'),
    };
  }

  /** Decoded (upcast) inside the step, so an event that cannot be decoded fails like a step and is dead-lettered. */
  private sagaEvent(recorded: RecordedEvent): SagaEvent {
    return {
      ...this.registry.decode(recorded.type, recorded.data, recorded.metadata),
      streamId: recorded.streamId,
      position: recorded.position,
      eventId: recorded.id,
      revision: recorded.revision,
      correlationId: typeof recorded.metadata.correlationId === 'string' ? recorded.metadata.correlationId : null,
    };
  }

  /** The position of the last event this saga handled (or skipped). */
  get handledPosition(): bigint {
    return this.cursor?.position ?? 0n;
  }

  /** Resolves once every event of the saga's types up to `position` is handled; false on timeout. */
  async waitFor(position: bigint, timeoutMs = 5_000): Promise<boolean> {
    return this.cursor?.waitFor(position, timeoutMs) ?? false;
  }

  async stop(): Promise<void> {
    await this.cursor?.stop();
  }
}
