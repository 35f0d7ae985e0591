import type { Logger } from 'pino';
import { isAppError, type AppError } from '../domain/shared/app-error.ts';
import { systemPrincipal } from '../domain/shared/principal.ts';
import type { PlatformEventRegistry } from '../domain/events/catalog.ts';
import { TIMER_EVENT_TYPES } from '../domain/timer/events.ts';
import { timerIdFor } from '../domain/timer/timer-id.ts';
import type { LogConsumer } from '../infra/log-consumer/log-consumer.ts';
import { timerAggregate } from '../commands/handlers/timer.ts';
import type { CommandPipeline } from '../commands/pipeline.ts';
import type { JsonObject } from '../domain/shared/json-value.ts';
import { DueProcess } from './due-process.ts';
import { DueSchedule, type Due, type DueOutcome } from './due-schedule.ts';

interface Pending extends Due {
  timerId: string;
  orgId: string | null;
}

export interface TimerServiceOptions {
  /** How often due timers are looked for; 1000 ms unless told. A timer fires at most this late (plus the append). */
  tickMs?: number;
  /** Decides which timers are due. The pipeline's own clock decides again (FireTimer refuses TIMER_NOT_DUE). */
  clock?: () => Date;
  /** Where a timer refused for good is reported. */
  logger?: Logger;
}

/** Refusals that may go away by themselves: tried again on the next tick. */
const TRANSIENT_CODES: ReadonlySet<string> = new Set(['TIMER_NOT_DUE', 'CONCURRENCY_CONFLICT']);

/**
 * Fires durable timers. Its schedule is rebuilt from the log on every start (TimerScheduled adds a timer,
 * TimerCancelled and TimerFired remove it), so a timer that fell due while the platform was down fires on the next
 * start. FireTimer is issued as the system principal with the command id `fire-timer:<timerId>`, so two instances,
 * or a restart between the append and its acknowledgement, fire a timer once. Sagas react to TimerFired in the log.
 */
export class TimerService extends DueProcess<Pending> {
  protected readonly schedule: DueSchedule<Pending>;

  constructor(
    consumer: LogConsumer,
    registry: PlatformEventRegistry,
    private readonly pipeline: CommandPipeline,
    private readonly options: TimerServiceOptions = {},
  ) {
    super();
    this.schedule = new DueSchedule(consumer, registry, {
      name: 'timers',
      eventTypes: TIMER_EVENT_TYPES,
      follow(event, pending) {
        if (event.type === 'TimerScheduled') {
          const { timerId, orgId, dueAt } = event.data;
          pending.set(timerId, { timerId, orgId, dueAt: Date.parse(dueAt) });
        } else if (event.type === 'TimerCancelled' || event.type === 'TimerFired') {
          pending.delete(event.data.timerId);
        }
      },
      tick: async () => {
        try {
          await this.fireDue();
        } catch {
          // An unexpected failure (not an AppError): the timers stay pending and are tried again on the next tick.
        }
      },
      tickMs: options.tickMs,
    });
  }

  override start(): void {
    if (this.schedule.started || this.schedule.stopped) throw new Error('a TimerService starts once');
    super.start();
  }

  /**
   * Issues FireTimer for every timer that is due, earliest first. Answers how many timers this call saw fire: a
   * timer that had already fired (a replayed command id) or was cancelled does not count. Two instances issuing the
   * same FireTimer in the same instant may both count it; the log holds one TimerFired either way.
   */
  async fireDue(): Promise<number> {
    const now = (this.options.clock ?? (() => new Date()))().getTime();
    return this.schedule.actOnDue(
      now,
      (timer) => this.fire(timer),
      (a, b) => a.dueAt - b.dueAt,
    );
  }

  private async fire(timer: Pending): Promise<DueOutcome> {
    const result = await this.pipeline.execute(
      timerAggregate,
      { type: 'FireTimer', data: { timerId: timer.timerId, orgId: timer.orgId } },
      { commandId: `fire-timer:${timer.timerId}`, principal: systemPrincipal, retryable: true },
    );
    // Unavailable (store down, shutting down), not due on the pipeline's clock, or a lost race: next tick. Fired now
    // or before, or cancelled meanwhile: done. Any other refusal (a policy forbids it) will not change by retrying.
    if (isAppError(result) && (result.kind === 'unavailable' || TRANSIENT_CODES.has(result.code))) return 'again';
    if (isAppError(result) && result.code !== 'TIMER_NOT_FOUND') {
      this.options.logger?.warn({ timerId: timer.timerId, code: result.code, reason: result.message }, 'timer refused; not fired until the next start');
    }
    if (!isAppError(result) && !result.replayed && result.events.some((event) => event.type === 'TimerFired')) return 'counted';
    return 'done';
  }
}

export interface ScheduleTimerInput {
  /** The saga's key for this timer, e.g. `auction.close:<jobId>:<round>`; the timer id is `timerIdFor(key)`. */
  key: string;
  orgId: string | null;
  dueAt: string | Date;
  /** A dotted lowercase name, e.g. `auction.close`. */
  purpose: string;
  /** Small JSON object (at most 2 KiB) handed back in TimerFired. */
  ref: JsonObject;
  /** The event that caused the step (a saga passes it), and the correlation it belongs to. */
  causationId?: string;
  correlationId?: string;
}

/**
 * Schedules the timer of a saga key, as the system principal, with the command id `schedule-timer:<timerId>`
 * (retryable): scheduling the same key again with the same due time, purpose and ref is a no-op, so a restarted saga
 * can simply schedule again. Answers the timer's id, or why it was refused (e.g. `TIMER_EXISTS` when the key already
 * names a timer with another due time, or `IDEMPOTENCY_KEY_REUSED` from the pipeline for the same reason).
 */
export async function scheduleTimer(pipeline: CommandPipeline, input: ScheduleTimerInput): Promise<string | AppError> {
  const timerId = timerIdFor(input.key);
  const dueAt = typeof input.dueAt === 'string' ? input.dueAt : input.dueAt.toISOString();
  const command = { type: 'ScheduleTimer', data: { timerId, orgId: input.orgId, dueAt, purpose: input.purpose, ref: input.ref } };
  return timerCommand(pipeline, timerId, command, `schedule-timer:${timerId}`, input);
}

/**
 * Cancels the timer of a saga key (or of a timer id), as the system principal, with the command id
 * `cancel-timer:<timerId>` (retryable). A timer that already fired or was cancelled stays as it is. Answers the timer's
 * id, or why it was refused (`TIMER_NOT_FOUND` for a timer never scheduled in that org).
 */
export async function cancelTimer(
  pipeline: CommandPipeline,
  input: ({ key: string } | { timerId: string }) & { orgId: string | null; causationId?: string; correlationId?: string },
): Promise<string | AppError> {
  const timerId = 'key' in input ? timerIdFor(input.key) : input.timerId.toLowerCase();
  return timerCommand(pipeline, timerId, { type: 'CancelTimer', data: { timerId, orgId: input.orgId } }, `cancel-timer:${timerId}`, input);
}

/** A timer command as the system principal, with its deterministic id (retryable): the timer's id, or the refusal. */
async function timerCommand(
  pipeline: CommandPipeline,
  timerId: string,
  command: { type: string; data: Record<string, unknown> },
  commandId: string,
  cause: { causationId?: string | undefined; correlationId?: string | undefined },
): Promise<string | AppError> {
  const result = await pipeline.execute(timerAggregate, command, {
    commandId,
    principal: systemPrincipal,
    retryable: true,
    ...(cause.causationId === undefined ? {} : { causationId: cause.causationId }),
    ...(cause.correlationId === undefined ? {} : { correlationId: cause.correlationId }),
  });
  return isAppError(result) ? result : timerId;
}
