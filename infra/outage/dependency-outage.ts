import { sleepBackoff, type BackoffPolicy } from '../retry/backoff.ts';
import { dependencyOutage } from '../retry/policies.ts';
import { BusUnavailableError } from '../bus/errors.ts';
import { CacheUnavailableError } from '../cache/errors.ts';
import { DocumentStoreUnavailableError } from '../documents/errors.ts';
import { EventStoreUnavailableError } from '../eventstore/errors.ts';

/**
 * The one place that tells "a dependency cannot serve now" from "this event cannot be applied". Every follower of
 * the log (projections, sagas, timers, association expiry, the event fan-out, the API-key index) asks here: an
 * outage is waited out with capped backoff and the same event is tried again; anything else is a poison event,
 * stopped at and reported. Adapters throw the typed errors below for every way of being unreachable (refused,
 * reset, timed out, offline queue rejected, closed), so nothing here looks at a transport's error codes.
 */

export type Dependency = 'cache' | 'bus' | 'documents' | 'event-store' | 'commands';

/** A step refused because something it needs is unavailable (the store, a read model behind): retried, not skipped. */
export class StepUnavailableError<Refusal extends { code: string; message: string } = { code: string; message: string }> extends Error {
  override readonly name = 'StepUnavailableError';
  constructor(readonly error: Refusal) {
    super(`${error.code}: ${error.message}`);
  }
}

const MAX_CAUSE_DEPTH = 5;

/** Which dependency the error says is unavailable (looking through `cause`), or null when it is not an outage. */
export function unavailableDependency(error: unknown): Dependency | null {
  let current: unknown = error;
  for (let depth = 0; depth <= MAX_CAUSE_DEPTH && current instanceof Error; depth += 1) {
    if (current instanceof CacheUnavailableError) return 'cache';
    if (current instanceof BusUnavailableError) return 'bus';
    if (current instanceof DocumentStoreUnavailableError) return 'documents';
    if (current instanceof EventStoreUnavailableError) return 'event-store';
    if (current instanceof StepUnavailableError) return 'commands';
    current = current.cause;
  }
  return null;
}

export const isDependencyUnavailable = (error: unknown): boolean => unavailableDependency(error) !== null;

/** What /ready reports for a follower waiting on a dependency. */
export interface OutageStatus {
  dependency: Dependency;
  message: string;
  /** ISO instant of the first failure of this outage. */
  since: string;
  attempts: number;
}

export interface OutageBackoffOptions {
  /** First wait; doubled on each failure up to `maxMs`. Defaults 100 and 2,000 ms (constants, not settings). */
  minMs?: number;
  maxMs?: number;
  clock?: () => Date;
}

export const DEFAULT_RETRY_MIN_MS = 100;
export const DEFAULT_RETRY_MAX_MS = 2_000;

/**
 * One follower's wait on a dependency: capped exponential backoff, and the status /ready shows while it lasts.
 * The cap bounds how long a follower stays behind once the dependency is back.
 */
export class OutageWait {
  private current: OutageStatus | null = null;
  private readonly policy: BackoffPolicy;
  private readonly clock: () => Date;

  constructor(options: OutageBackoffOptions = {}) {
    this.policy = dependencyOutage(options.minMs ?? DEFAULT_RETRY_MIN_MS, options.maxMs ?? DEFAULT_RETRY_MAX_MS);
    this.clock = options.clock ?? (() => new Date());
  }

  get status(): OutageStatus | null {
    return this.current;
  }

  /** Records the failure and sleeps the next backoff (cut short by `signal`). */
  async wait(dependency: Dependency, error: unknown, signal?: AbortSignal): Promise<void> {
    const message = error instanceof Error ? error.message : String(error);
    this.current = this.current
      ? { ...this.current, dependency, message, attempts: this.current.attempts + 1 }
      : { dependency, message, since: this.clock().toISOString(), attempts: 1 };
    await sleepBackoff(this.policy, this.current.attempts, signal);
  }

  /** The dependency answered again. Answers the outage that ended, if any (for a "resumed" log line). */
  recovered(): OutageStatus | null {
    const ended = this.current;
    this.current = null;
    return ended;
  }
}

/**
 * Runs `step` until it succeeds or fails with something that is not an outage (rethrown: the caller's poison
 * path). An outage is waited out on `outage` for as long as it lasts, unless `stopped()` says to give up, in which
 * case the last outage error is rethrown.
 */
export async function untilAvailable<T>(step: () => Promise<T>, outage: OutageWait, stopped: () => boolean, signal?: AbortSignal): Promise<T> {
  for (;;) {
    try {
      const result = await step();
      outage.recovered();
      return result;
    } catch (error) {
      const dependency = unavailableDependency(error);
      if (dependency === null || stopped()) throw error;
      await outage.wait(dependency, error, signal);
      if (stopped()) throw error;
    }
  }
}
