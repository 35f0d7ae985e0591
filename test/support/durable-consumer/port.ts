import { BusError, InvalidBusConfigError } from '../../../infra/bus/errors.ts';
import { assertName } from '../../../infra/bus/message.ts';
import type { Bus, ReceivedMessage } from '../../../infra/bus/port.ts';
import { assertPattern } from '../../../infra/bus/subjects.ts';

/**
 * Durable consumers for the tests: reading back what a stream stored (what the event fan-out published, what the bus
 * contract stores), as an external consumer of the platform's streams would. The platform only publishes to streams,
 * so the Bus port has no consumer; these are built beside the adapters: on the memory broker's streams
 * (`memory.ts`) and on JetStream with a NATS connection of their own (`nats.ts`).
 *
 * A durable consumer receives each stored message at least once, in stream order, until it acks it, and resumes where
 * it left off after it (or, with NATS, the process) restarts.
 */

export interface DurableConsumerOptions {
  stream: string;
  /** Letters, digits, `_` and `-`, at most 64 characters. The consumer's position is kept under this name. */
  durableName: string;
  /** Only messages on subjects matching this pattern, which must lie within the stream's subjects. */
  filterSubject?: string;
  /** A delivered message not acked (nor nak'ed) within this time is delivered again. Default 30 000. */
  ackWaitMs?: number;
  /** After this many deliveries a message is no longer delivered (it stays in the stream). Default: no limit. */
  maxDeliver?: number;
  /** Where a NEW durable starts: `all` stored messages (default) or only `new` ones. Ignored when it exists. */
  deliverPolicy?: 'all' | 'new';
  /**
   * NATS only: messages fetched ahead of iteration (default 32). Those still unread when the consumer stops are
   * nak'ed, so they come back at once, but count as a delivery.
   */
  prefetch?: number;
}

export interface DurableMessage extends ReceivedMessage {
  /** Position in the stream. */
  seq: number;
  /** 0 on the first delivery, 1 on the first redelivery, ... */
  redeliveryCount: number;
  /** Confirmed by the stream: once it resolves, the message is never delivered to this consumer again. Idempotent. */
  ack(): Promise<void>;
  /** Asks for redelivery, at once or after `delayMs`. */
  nak(delayMs?: number): void;
  /** Never deliver this message to this consumer again, without processing it (poison message). */
  term(): void;
  /** Still working on it: restarts the ack wait. */
  inProgress(): void;
}

/**
 * Delivers the durable's messages in stream sequence order, redeliveries first, at least once each. Iterate it once;
 * leaving the loop stops the consumer (the durable itself and its position stay). Several consumers with the same
 * durable name share its messages (each goes to one of them).
 */
export interface DurableConsumer extends AsyncIterable<DurableMessage> {
  readonly stream: string;
  readonly durableName: string;
  /**
   * Ends the iteration. Messages already delivered but not acked stay pending (they come back after the ack wait,
   * or at once if you nak them; an ack after stop still counts). Idempotent.
   */
  stop(): Promise<void>;
}

/** Durable consumers of one adapter's streams, reached through a bus of that adapter. */
export interface DurableConsumers {
  /**
   * Creates the durable consumer, or updates its filter, ack wait and max deliver when it exists, and starts
   * delivering from its position. Throws DurableStreamNotFoundError.
   */
  consume(bus: Bus, options: DurableConsumerOptions): Promise<DurableConsumer>;
  /** Forgets the durable and its position; false when it did not exist. */
  delete(bus: Bus, stream: string, durableName: string): Promise<boolean>;
}

/** A durable consumer that was deleted (or never existed) while being consumed. */
export class DurableConsumerNotFoundError extends BusError {
  override readonly name = 'DurableConsumerNotFoundError';
  constructor(
    readonly stream: string,
    readonly durableName: string,
    options?: { cause?: unknown },
  ) {
    super(`durable consumer '${durableName}' of stream '${stream}' not found`, options);
  }
}

export const DEFAULT_ACK_WAIT_MS = 30_000;

export function assertDelay(delayMs: number | undefined): number {
  if (delayMs === undefined) return 0;
  if (!Number.isFinite(delayMs) || delayMs < 0) throw new InvalidBusConfigError(`delayMs must be >= 0 (got ${delayMs})`);
  return Math.round(delayMs);
}

export interface NormalizedConsumerOptions {
  stream: string;
  durableName: string;
  filterSubject: string | undefined;
  ackWaitMs: number;
  maxDeliver: number | undefined;
  deliverPolicy: 'all' | 'new';
  prefetch: number;
}

function positiveInteger(what: string, value: number | undefined, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isInteger(value) || value <= 0 || value > max) throw new InvalidBusConfigError(`${what} must be a positive integer (got ${value})`);
  return value;
}

export function normalizeConsumerOptions(options: DurableConsumerOptions): NormalizedConsumerOptions {
  assertName('stream', options.stream);
  assertName('durable', options.durableName);
  if (options.filterSubject !== undefined) assertPattern(options.filterSubject);
  const deliverPolicy = options.deliverPolicy ?? 'all';
  if (deliverPolicy !== 'all' && deliverPolicy !== 'new') throw new InvalidBusConfigError(`deliverPolicy must be 'all' or 'new'`);
  return {
    stream: options.stream,
    durableName: options.durableName,
    filterSubject: options.filterSubject,
    ackWaitMs: positiveInteger('ackWaitMs', options.ackWaitMs) ?? DEFAULT_ACK_WAIT_MS,
    maxDeliver: positiveInteger('maxDeliver', options.maxDeliver),
    deliverPolicy,
    prefetch: positiveInteger('prefetch', options.prefetch, 1000) ?? 32,
  };
}
