import { fanoutResubscribe } from '../infra/retry/policies.ts';
import type { Logger } from 'pino';
import { InvalidSubjectError, PayloadTooLargeError } from '../infra/bus/errors.ts';
import type { Bus, DurablePublishAck } from '../infra/bus/port.ts';
import { subjectToken } from '../infra/bus/subjects.ts';
import type { RecordedEvent } from '../infra/eventstore/port.ts';
import type { ProcessorCursor } from '../infra/log-consumer/cursor.ts';
import type { LogConsumer } from '../infra/log-consumer/log-consumer.ts';
import type { LogProcessor } from '../infra/log-consumer/processor.ts';
import type { CheckpointStore } from '../infra/log-consumer/checkpoint-store.ts';
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
 * Publishes every committed event on the bus, in log order, into a JetStream stream it ensures: a processor on the
 * LogConsumer, from its own checkpoint. Each event is published with msgId = its event id, so what is republished
 * after a restart (the events after the last checkpoint save) is stored once by the stream's duplicate window; the
 * payload's `position` lets a consumer drop anything at or below the last position it handled in any case.
 *
 * At least once, in order: an event is published (and acknowledged by the stream) before the next one, and the
 * checkpoint only ever moves to an acknowledged position. On any error (bus down, the stream deleted under it) it
 * tries the same event again with backoff, for as long as it takes, ensuring the stream again first.
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
  private cursor: ProcessorCursor | undefined;
  private streamReady = false;

  constructor(
    private readonly consumer: LogConsumer,
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
    if (this.cursor) return;
    this.state = 'starting';
    const saved = await this.checkpoints.load(this.name);
    this.savedPosition = saved;
    this.position = saved ?? (this.options.startFrom === 'head' ? await this.consumer.store.headPosition() : 0n);
    this.cursor = this.consumer.attach(this.processor(), this.position);
  }

  private processor(): LogProcessor {
    return {
      name: this.name,
      wants: {},
      prepare: () => this.ensureStream(),
      handle: async (event) => {
        if (!this.streamReady) await this.ensureStream();
        await this.publish(event);
      },
      failure: {
        kind: 'retry',
        backoff: fanoutResubscribe(this.options.retryMinMs ?? 100, this.options.retryMaxMs ?? 5000),
        onFailure: (error, event) => this.failed(error, event),
        onRecovered: () => this.recovered(),
      },
      checkpoint: {
        save: async (position) => {
          await this.checkpoints.save(this.name, position);
          this.savedPosition = position;
        },
        afterHandled: 'behind',
        // Retried with the next event or at stop; until then a restart republishes a little more (deduplicated).
        onError: (error) => this.options.logger?.error({ fanout: this.name, err: error }, 'event fan-out could not save its checkpoint'),
      },
    };
  }

  private async ensureStream(): Promise<void> {
    const maxAgeMs = this.options.maxAgeMs ?? 7 * DAY_MS;
    await this.bus.ensureStream({
      name: this.streamName,
      subjects: [`${this.subjectPrefix}.>`],
      maxAgeMs,
      duplicateWindowMs: this.options.duplicateWindowMs ?? Math.min(10 * 60 * 1000, maxAgeMs),
      ...(this.options.storage ? { storage: this.options.storage } : {}),
    });
    this.streamReady = true;
    this.state = 'live';
  }

  subjectOf(event: Pick<RecordedEvent, 'streamId' | 'type' | 'metadata'>): string {
    return eventSubject(event, this.subjectPrefix);
  }

  status(): FanoutStatus {
    return {
      state: this.state,
      position: (this.cursor?.position ?? this.position ?? 0n).toString(),
      savedPosition: (this.savedPosition ?? 0n).toString(),
      published: this.published,
      duplicates: this.duplicates,
      failure: this.failure,
    };
  }

  /** Resolves true once every event up to `position` is published, false after `timeoutMs`. */
  waitFor(position: bigint, timeoutMs = 5000): Promise<boolean> {
    return this.cursor?.waitFor(position, timeoutMs) ?? Promise.resolve(false);
  }

  private failed(error: unknown, event: RecordedEvent | null): void {
    // Whatever failed, the stream is ensured again before the next attempt (it may have been deleted under us).
    this.streamReady = false;
    if (this.failure === null) {
      this.options.logger?.warn({ fanout: this.name, err: error, position: event?.position.toString() }, 'event fan-out failed; retrying with backoff');
    }
    this.failure = {
      message: error instanceof Error ? error.message : String(error),
      position: event === null ? null : event.position.toString(),
      dependency: unavailableDependency(error),
      since: this.failure?.since ?? new Date().toISOString(),
      attempts: (this.failure?.attempts ?? 0) + 1,
    };
    this.state = 'retrying';
  }

  private recovered(): void {
    this.options.logger?.info({ fanout: this.name, position: (this.cursor?.position ?? 0n).toString() }, 'event fan-out resumed');
    this.failure = null;
    this.state = 'live';
  }

  private async publish(event: RecordedEvent): Promise<void> {
    const subject = this.subjectOf(event);
    const headers = { 'Event-Id': event.id, 'Event-Type': safeToken(event.type), 'Event-Position': event.position.toString() };
    const message: FanoutMessage = publicEvent(event);
    let ack: DurablePublishAck;
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

  async stop(): Promise<void> {
    await this.cursor?.stop();
    this.position = this.cursor?.position ?? this.position;
    this.cursor = undefined;
    this.state = 'stopped';
  }
}
