import type { JsonValue } from '../json-value.ts';

/**
 * The Bus port: messaging between the platform and its agents (contract-net auctions, task dispatch), and fan-out of
 * committed events to external consumers. Semantics follow NATS + JetStream so the in-process adapter
 * (infra/bus/memory.ts) and the NATS adapter (infra/bus/nats.ts) are interchangeable; both pass
 * test/contract/bus.contract.ts.
 *
 * Two kinds of delivery:
 * - core (`publish`, `subscribe`, `request`): at most once, only to subscriptions that exist when the message is
 *   published, in publish order per publisher and subscription. Nothing is stored.
 * - durable (`ensureStream`, `publishDurable`): a stream stores every message published on its subjects (by `publish`
 *   too), for consumers outside the platform (the event fan-out's subscribers). The platform itself never consumes a
 *   stream; the tests read them back with test/support/durable-consumer/.
 *
 * Subjects, patterns and wildcards: see infra/bus/subjects.ts. Messages carry a JSON value and string headers; header
 * names starting with `Nats-` or `Bus-` are reserved for the transport (refused on send, never delivered).
 */

export type MessageHeaders = Readonly<Record<string, string>>;

/** What a publisher sends. `data` is encoded as JSON, so receivers get a copy (a Date arrives as its ISO string). */
export interface BusMessage {
  data: JsonValue;
  /** Names: printable ASCII without `:` or spaces; values: no CR/LF, surrounding whitespace is trimmed. */
  headers?: MessageHeaders;
}

/** What a receiver gets. */
export interface ReceivedMessage {
  subject: string;
  data: JsonValue;
  headers: MessageHeaders;
}

/** A message delivered to a subscription. */
export interface IncomingMessage extends ReceivedMessage {
  /** True when the sender called `request` and waits for a reply. */
  readonly isRequest: boolean;
  /**
   * Replies to a request (the first reply wins; later ones are dropped). Returns false, sending nothing, when the
   * message was not a request. Throws InvalidMessageError / PayloadTooLargeError for a reply that cannot be sent.
   */
  respond(reply: BusMessage): boolean;
}

/**
 * Called for one message at a time per subscription, in delivery order: the next message waits until the returned
 * promise settles. A handler that throws (or rejects) is reported to the bus's `onError` and the subscription goes
 * on; a request it did not answer times out at the requester.
 */
export type MessageHandler = (message: IncomingMessage) => void | Promise<void>;

export interface SubscribeOptions {
  /** Queue group: each message matching the pattern goes to ONE member of the group (instead of to every member). */
  queue?: string;
}

export interface Subscription {
  readonly pattern: string;
  /** Stops delivery at once: messages received but not yet handled are dropped. Idempotent. */
  unsubscribe(): Promise<void>;
  /** Stops receiving, delivers what was already received, and resolves when the last one is handled. */
  drain(): Promise<void>;
  /** Resolves when the subscription has ended and its handler will not be called again. */
  readonly closed: Promise<void>;
}

/** A subscription read with `for await`; leaving the loop (break, throw) unsubscribes. Iterate it once. */
export interface MessageStream extends Subscription, AsyncIterable<IncomingMessage> {}

export interface RequestOptions {
  /** Default 5000. */
  timeoutMs?: number;
}

export interface StreamConfig {
  /** Letters, digits, `_` and `-`, at most 64 characters. */
  name: string;
  /** Patterns the stream captures. Two streams may not capture overlapping subjects. */
  subjects: readonly string[];
  /** Messages older than this are discarded; default: kept forever. */
  maxAgeMs?: number;
  /** `publishDurable` with a `msgId` seen within this window is stored once. Default 2 min (at most maxAgeMs). */
  duplicateWindowMs?: number;
  /** NATS only: `file` (default) survives a server restart, `memory` does not. Cannot change once created. */
  storage?: 'file' | 'memory';
}

export interface StreamInfo {
  name: string;
  subjects: string[];
  maxAgeMs: number | undefined;
  duplicateWindowMs: number;
  storage: 'file' | 'memory';
  /** Messages currently stored. */
  messages: number;
  /** 0 when the stream is empty. */
  firstSeq: number;
  /** Sequence of the last message ever stored, 0 when none was. */
  lastSeq: number;
}

export interface DurablePublishOptions {
  /** Idempotency key: a second publish with the same id within the stream's duplicate window is not stored again. */
  msgId?: string;
}

export interface DurablePublishAck {
  stream: string;
  /** The message's sequence in the stream (the original's, when a duplicate). */
  seq: number;
  duplicate: boolean;
}

export interface Bus {
  /** At most once, to the subscriptions that exist now. Resolves when the message is handed to the transport. */
  publish(subject: string, message: BusMessage): Promise<void>;

  /** Resolves once the subscription is active: any message published after that reaches it. */
  subscribe(pattern: string, handler: MessageHandler, options?: SubscribeOptions): Promise<Subscription>;
  subscribe(pattern: string, options?: SubscribeOptions): Promise<MessageStream>;

  /**
   * Sends a request to one subject and resolves with the first reply. Rejects with NoResponderError at once when no
   * subscription is interested in the subject, and RequestTimeoutError when nobody replied within `timeoutMs`.
   * Do not send requests on subjects a durable stream captures (the stream would store the request).
   */
  request(subject: string, message: BusMessage, options?: RequestOptions): Promise<ReceivedMessage>;

  /** Creates the stream, or updates its subjects and limits when it exists. */
  ensureStream(config: StreamConfig): Promise<StreamInfo>;
  /** Throws DurableStreamNotFoundError. */
  streamInfo(name: string): Promise<StreamInfo>;
  /** Deletes the stream, its messages and its consumers; false when it did not exist. */
  deleteStream(name: string): Promise<boolean>;

  /**
   * Stores the message in the stream that captures `subject` and resolves once it is stored (it also reaches core
   * subscribers of the subject). Throws NoStreamForSubjectError when no stream captures it.
   */
  publishDurable(subject: string, message: BusMessage, options?: DurablePublishOptions): Promise<DurablePublishAck>;

  /** False once closed, and (NATS) while the connection is down and reconnecting. */
  isConnected(): boolean;

  /**
   * True when the server authenticated this connection as one principal and enforces what it may publish and
   * subscribe (NATS with credentials): messages then need not, and must not, carry credentials.
   */
  readonly authenticated: boolean;

  /**
   * Drains subscriptions (handlers finish what was already received), then disconnects.
   * Later calls fail with BusUnavailableError. Idempotent. Do not await it from inside a handler.
   */
  close(): Promise<void>;
}

export interface BusOptions {
  /**
   * Receives a handler's error, and a message that could not be decoded (not JSON). Default: printed to stderr.
   */
  onError?: (error: unknown, context: { subject: string }) => void;
}

/** What the NATS adapter needs to authenticate (see infra/bus/nats-auth/). Unset: an anonymous connection. */
export type BusCredentials =
  /** A `.creds` file's content (user JWT and seed), as the platform's user has. */
  | { creds: string }
  /** A user JWT, re-read at each (re)connection so it can be renewed, and the seed of the key it was issued to. */
  | { jwt: () => string; seed: Uint8Array; inboxPrefix: string };

export const DEFAULT_REQUEST_TIMEOUT_MS = 5000;
export const DEFAULT_DUPLICATE_WINDOW_MS = 120_000;
export const DEFAULT_MAX_PAYLOAD = 1024 * 1024;
