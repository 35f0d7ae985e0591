import type { EventFilter, RecordedEvent } from '../eventstore/port.ts';
import { DEFAULT_RETRY_MAX_MS, DEFAULT_RETRY_MIN_MS, type OutageBackoffOptions, type OutageStatus } from '../outage/dependency-outage.ts';
import type { BackoffPolicy } from '../retry/backoff.ts';
import { dependencyOutage } from '../retry/policies.ts';

/**
 * What a processor does when handling an event fails with something that is not an outage. An outage (see
 * infra/outage/dependency-outage.ts) is always waited out and the same event tried again, except under `retry`,
 * which treats every failure alike.
 */
export type FailurePolicy =
  /** Stop at the event and report it (projections): nothing after it is handled until the cursor is resumed. */
  | { kind: 'stop' }
  /** Try `attempts` times in all, with backoff, then hand the event to `giveUp` and go on (sagas: dead-lettered). */
  | {
      kind: 'skip-after';
      attempts: number;
      backoff: BackoffPolicy;
      onRetry?(event: RecordedEvent, error: unknown, attempt: number): void;
      giveUp(event: RecordedEvent, error: unknown): Promise<void>;
    }
  /**
   * Try again with backoff for as long as it takes, outages included (the fan-out: skipping would lose the event for
   * its consumers; the in-memory indexes: they would answer from a log with a hole). `event` is null when `prepare`
   * failed.
   */
  | {
      kind: 'retry';
      backoff: BackoffPolicy;
      onFailure?(error: unknown, event: RecordedEvent | null, attempt: number): void;
      onRecovered?(): void;
    };

/**
 * For an in-memory index: a failure is tried again like an outage, for as long as it takes, and reported as one
 * (`waiting`) meanwhile; it has no checkpoint to skip past and no one to report a poison event to.
 */
export const retryLikeAnOutage: FailurePolicy = { kind: 'retry', backoff: dependencyOutage(DEFAULT_RETRY_MIN_MS, DEFAULT_RETRY_MAX_MS) };

/** How a processor's position is saved as it moves; always once more when it stops. */
export interface Checkpointing {
  /** Durable once it resolves. */
  save(position: bigint): Promise<void>;
  /**
   * After each handled event: `awaited` before the next one (at-least-once per event, outages waited out: sagas), or
   * `behind` it, coalescing positions reached while a save runs (the fan-out).
   */
  afterHandled?: 'awaited' | 'behind';
  /** Once the position moved this many positions past the last save, events it skipped included. */
  everyPositions?: number;
  /** This often while it moves (projections batch their checkpoints). */
  everyMs?: number;
  /** A save that failed: the position stays unsaved and is saved with a later one. */
  onError?(error: unknown): void;
}

/**
 * One follower of `$all` on the process's LogConsumer: what it wants, what it does with it, how its position is kept
 * and what a failure does. Its owner loads the checkpoint (each has its own rules for a missing one) and attaches the
 * processor from there; the cursor does the rest. It knows nothing of the domain: events arrive as recorded.
 */
export interface LogProcessor {
  /** For log lines and checkpoints. */
  readonly name: string;
  /**
   * The events it wants (types and/or stream prefixes, both must match when both are set; `{}`: every event): the
   * others only move its position, and its catch-up reads leave them out.
   */
  readonly wants: EventFilter;
  handle(event: RecordedEvent): Promise<void> | void;
  readonly failure: FailurePolicy;
  /** None: it keeps no checkpoint (an in-memory index reads the log from its start at every start). */
  readonly checkpoint?: Checkpointing;
  /** Runs before the first event, under the failure policy (the fan-out ensures its stream). */
  prepare?(): Promise<void>;
  /** Backoff while it waits out an outage. */
  readonly outageRetry?: OutageBackoffOptions;
  /** Told when it starts waiting out an outage, and with null when the dependency answers again. */
  onOutage?(outage: OutageStatus | null): void;
}

/** The event a processor stopped at under the `stop` policy. */
export interface ProcessorFailure {
  position: string;
  eventId: string;
  type: string;
  streamId: string;
  message: string;
}
