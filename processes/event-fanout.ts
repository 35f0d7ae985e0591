import { setImmediate as nextTurn } from 'node:timers/promises';
import { sleepBackoff } from '../infra/retry/backoff.ts';
import { fanoutResubscribe } from '../infra/retry/policies.ts';
import type { Logger } from 'pino';
import { InvalidSubjectError, PayloadTooLargeError } from '../infra/bus/errors.ts';
import type { Bus } from '../infra/bus/port.ts';
import { subjectToken } from '../infra/bus/subjects.ts';
import type { AllSubscription, EventStore, RecordedEvent } from '../infra/eventstore/port.ts';
import type { CheckpointStore } from './checkpoint-store.ts';
import { unavailableDependency, type Dependency } from '../infra/outage/dependency-outage.ts';
import { eventCategory, eventOrgId, publicEvent, type PublicEvent } from './public-event.ts';

export const EVENTS_STREAM = 'AGENCYGRID_EVENTS';
export const EVENTS_SUBJECT_PREFIX = 'agencygrid.events';
/** The subject token of platform-level events (no org). Org ids are UUIDs, so it never names an org. */
export const PLATFORM_TOKEN = 'platform';

const DAY_MS = 24 * 60 * 60 * 1000;

export interface EventFanoutOptions {
  /** The checkpoint's name. Default `event-fanout`. */
  name?: string;
  /** The JetStream stream the fan-out ensures and publishes into. Default AGENCYGRID_EVENTS. */
  streamName?: string;
  /** Subjects are `<prefix>.<orgId|platform>.<category>.<EventType>`; the stream captures `<prefix>.>`. */
  subjectPrefix?: string;
  /** How long the stream keeps events. Default 7 days. */
  maxAgeMs?: number;
  /**
   * How long a republished event (same msgId = event id) is recognised as a duplicate. Default 10 minutes: a restart
   * republishes at most the events published after the last checkpoint save (milliseconds' worth).
   */
  duplicateWindowMs?: number;
  storage?: 'file' | 'memory';
  /** Where to start when there is no checkpoint: the first event of the log (default), or the head (only new ones). */
  startFrom?: 'beginning' | 'head';
  /** Backoff between attempts after an error: doubles from min to max. Default 100 .. 5000 ms. */
  retryMinMs?: number;
  retryMaxMs?: number;
  logger?: Pick<Logger, 'info' | 'warn' | 'error'>;
}

export type FanoutState = 'starting' | 'live' | 'retrying' | 'stopped';

export interface FanoutStatus {
  state: FanoutState;
  /** Last position published (and acknowledged by the stream), decimal string. */
  position: string;
  /** Last position saved in the checkpoint store. */
  savedPosition: string;
  published: number;
  /** Publishes the stream recognised as duplicates (a republish after a restart). */
  duplicates: number;
  /** `dependency`: the bus or event store that was unavailable, or null for any other failure (retried the same way). */
  failure: { message: string; position: string | null; dependency: Dependency | null; since: string; attempts: number } | null;
}

/** What is published: the public event, or, when it exceeds the bus's max payload, the same without its data. */
export type FanoutMessage = PublicEvent | (Omit<PublicEvent, 'data'> & { data: null; dataOmitted: 'too-large' });

/**
 * One subject token from a value. Values that are not a valid token (a `.`, a wildcard, whitespace) are never
 * expected here (org ids are UUIDs, categories and event types are identifiers), but if one ever is, it is mapped to
 * a valid token (each offending character becomes `_`) rather than changing the subject's shape or stopping the
 * fan-out; the payload carries the exact values.
 */
export function safeToken(value: string): string {
  try {
    return subjectToken(value);
  } catch (error) {
    if (!(error instanceof InvalidSubjectError)) throw error;
  }
  const mapped = value.replace(/[.*>\s\x00-\x1f\x7f]/gu, '_').slice(0, 200);
  return mapped.length > 0 ? mapped : '_';
}

/** `<prefix>.<orgId|platform>.<category>.<EventType>` */
export function eventSubject(event: Pick<RecordedEvent, 'streamId' | 'type' | 'metadata'>, prefix = EVENTS_SUBJECT_PREFIX): string {
  const orgId = eventOrgId(event);
  return `${prefix}.${orgId === null ? PLATFORM_TOKEN : safeToken(orgId)}.${safeToken(eventCategory(event))}.${safeToken(event.type)}`;
}

/**
 * Publishes every committed event on the bus, in log order, into a JetStream stream it ensures: a follower of `$all`
 * from its own checkpoint. Each event is published with msgId = its event id, so what is republished after a
 * restart (the events after the last checkpoint save) is stored once by the stream's duplicate window; the
 * payload's `position` lets a consumer drop anything at or below the last position it handled in any case.
 *
 * At least once, in order: an event is published (and acknowledged by the stream) before the next one, and the
 * checkpoint only ever moves to an acknowledged position. On any error (bus down, the stream deleted under it, the
 * subscription dropped) it resubscribes from the last acknowledged position with backoff, ensuring the stream again.
 */
export class EventFanout {
  private readonly name: string;
  private readonly streamName: string;
  private readonly subjectPrefix: string;
  private state: FanoutState = 'stopped';
  private position: bigint | undefined;
  private savedPosition: bigint | undefined;
  private published = 0;
  private duplicates = 0;
  private failure: FanoutStatus['failure'] = null;
  private stopped = false;
  private loop: Promise<void> | undefined;
  private subscription: AllSubscription | undefined;
  private readonly abort = new AbortController();
  private saving: Promise<void> | undefined;
  private dirty = false;
  private waiters: Array<{ position: bigint; resolve: (reached: boolean) => void; timer: NodeJS.Timeout }> = [];

  constructor(
    private readonly store: EventStore,
    private readonly bus: Bus,
    private readonly checkpoints: CheckpointStore,
    private readonly options: EventFanoutOptions = {},
  ) {
    this.name = options.name ?? 'event-fanout';
    this.streamName = options.streamName ?? EVENTS_STREAM;
    this.subjectPrefix = options.subjectPrefix ?? EVENTS_SUBJECT_PREFIX;
  }

  /**
   * Reads where to start (the checkpoint, or the head when there is none and `startFrom` is `head`), then follows the
   * log in the background: it never waits for the bus, so start-up does not depend on it. Rejects when the
   * checkpoint cannot be read (starting over from 0 instead would republish the whole log).
   */
  async start(): Promise<void> {
    if (this.loop) return;
    this.stopped = false;
    this.state = 'starting';
    await this.loadPosition();
    this.loop = this.run();
  }

  private async loadPosition(): Promise<bigint> {
    if (this.position === undefined) {
      const saved = await this.checkpoints.load(this.name);
      this.savedPosition = saved;
      this.position = saved ?? (this.options.startFrom === 'head' ? await this.store.headPosition() : 0n);
    }
    return this.position;
  }

  subjectOf(event: Pick<RecordedEvent, 'streamId' | 'type' | 'metadata'>): string {
    return eventSubject(event, this.subjectPrefix);
  }

  status(): FanoutStatus {
    return {
      state: this.state,
      position: (this.position ?? 0n).toString(),
      savedPosition: (this.savedPosition ?? 0n).toString(),
      published: this.published,
      duplicates: this.duplicates,
      failure: this.failure,
    };
  }

  /** Resolves true once every event up to `position` is published, false after `timeoutMs`. */
  waitFor(position: bigint, timeoutMs = 5000): Promise<boolean> {
    if (this.position !== undefined && this.position >= position) return Promise.resolve(true);
    return new Promise((resolve) => {
      const waiter = {
        position,
        resolve,
        timer: setTimeout(() => {
          this.waiters = this.waiters.filter((other) => other !== waiter);
          resolve(false);
        }, timeoutMs),
      };
      this.waiters.push(waiter);
    });
  }

  private async run(): Promise<void> {
    const backoff = fanoutResubscribe(this.options.retryMinMs ?? 100, this.options.retryMaxMs ?? 5000);
    // Failures since an event was last published: each one waits longer.
    let failures = 0;
    let streamReady = false;
    while (!this.stopped) {
      let current: bigint | null = null;
      try {
        if (!streamReady) {
          const maxAgeMs = this.options.maxAgeMs ?? 7 * DAY_MS;
          await this.bus.ensureStream({
            name: this.streamName,
            subjects: [`${this.subjectPrefix}.>`],
            maxAgeMs,
            duplicateWindowMs: this.options.duplicateWindowMs ?? Math.min(10 * 60 * 1000, maxAgeMs),
            ...(this.options.storage ? { storage: this.options.storage } : {}),
          });
          streamReady = true;
        }
        const position = await this.loadPosition();
        if (this.stopped) break;
        const subscription = this.store.subscribeToAll({ afterPosition: position });
        this.subscription = subscription;
        try {
          this.state = 'live';
          // A failure to publish one event is over once that event is published; any other once we follow again.
          if (this.failure?.position === null) this.recovered();
          let sliceStarted = performance.now();
          for await (const event of subscription) {
            // A catch-up on a bus that answers at once (in-process) must not hold the event loop: give way now and then.
            if (performance.now() - sliceStarted > 10) {
              await nextTurn();
              sliceStarted = performance.now();
            }
            current = event.position;
            await this.publish(event);
            current = null;
            this.advance(event.position);
            if (this.failure) this.recovered();
            failures = 0;
          }
        } finally {
          await subscription.unsubscribe().catch(() => undefined);
        }
        if (this.stopped) break;
        throw new Error('the subscription to $all ended');
      } catch (error) {
        if (this.stopped) break;
        // Whatever failed, ensure the stream again before the next attempt (it may have been deleted under us).
        streamReady = false;
        const message = error instanceof Error ? error.message : String(error);
        if (this.failure === null) {
          this.options.logger?.warn({ fanout: this.name, err: error, position: current?.toString() }, 'event fan-out failed; retrying with backoff');
        }
        this.failure = {
          message,
          position: current === null ? null : current.toString(),
          dependency: unavailableDependency(error),
          since: this.failure?.since ?? new Date().toISOString(),
          attempts: (this.failure?.attempts ?? 0) + 1,
        };
        this.state = 'retrying';
      }
      failures += 1;
      await sleepBackoff(backoff, failures, this.abort.signal);
    }
    this.state = 'stopped';
  }

  private recovered(): void {
    this.options.logger?.info({ fanout: this.name, position: (this.position ?? 0n).toString() }, 'event fan-out resumed');
    this.failure = null;
  }

  private async publish(event: RecordedEvent): Promise<void> {
    const subject = this.subjectOf(event);
    const headers = { 'Event-Id': event.id, 'Event-Type': safeToken(event.type), 'Event-Position': event.position.toString() };
    const message: FanoutMessage = publicEvent(event);
    let ack;
    try {
      ack = await this.bus.publishDurable(subject, { data: message, headers }, { msgId: event.id });
    } catch (error) {
      if (!(error instanceof PayloadTooLargeError)) throw error;
      // Too big for the bus: consumers still learn that it happened, in order, and read the data from the API.
      const { data: _omitted, ...rest } = publicEvent(event);
      const stub: FanoutMessage = { ...rest, data: null, dataOmitted: 'too-large' };
      this.options.logger?.warn(
        { fanout: this.name, position: event.position.toString(), size: error.size },
        'event too large for the bus: published without its data',
      );
      ack = await this.bus.publishDurable(subject, { data: stub, headers }, { msgId: event.id });
    }
    if (ack.duplicate) this.duplicates += 1;
    else this.published += 1;
  }

  private advance(position: bigint): void {
    this.position = position;
    this.dirty = true;
    this.saving ??= this.saveLoop();
    if (this.waiters.length > 0) {
      this.waiters = this.waiters.filter((waiter) => {
        if (waiter.position > position) return true;
        clearTimeout(waiter.timer);
        waiter.resolve(true);
        return false;
      });
    }
  }

  /** Saves the latest position; positions reached while a save is running are coalesced into the next one. */
  private async saveLoop(): Promise<void> {
    try {
      while (this.dirty && this.position !== undefined) {
        this.dirty = false;
        const position = this.position;
        try {
          await this.checkpoints.save(this.name, position);
          this.savedPosition = position;
        } catch (error) {
          // Retried with the next event or at stop; until then a restart republishes a little more (deduplicated).
          this.options.logger?.error({ fanout: this.name, err: error }, 'event fan-out could not save its checkpoint');
          this.dirty = true;
          break;
        }
      }
    } finally {
      this.saving = undefined;
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.abort.abort();
    await this.subscription?.unsubscribe().catch(() => undefined);
    await this.loop;
    this.loop = undefined;
    await this.saving;
    if (this.dirty) await this.saveLoop();
    for (const waiter of this.waiters.splice(0)) {
      clearTimeout(waiter.timer);
      waiter.resolve(false);
    }
    this.state = 'stopped';
  }
}
