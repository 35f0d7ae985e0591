import { randomUUID } from 'node:crypto';
import {
  BusUnavailableError,
  DurableStreamNotFoundError,
  InvalidBusConfigError,
  NoResponderError,
  NoStreamForSubjectError,
  RequestTimeoutError,
} from './errors.ts';
import { checkedDurablePublish, checkedPublish, checkedRequest, checkedSubscribe } from './call-checks.ts';
import { Consumption, drainAll, reportSafely } from './delivery.ts';
import { assertName, decodeData, defaultOnError, encodeMessage, normalizeStreamConfig, type EncodedMessage, type NormalizedStreamConfig } from './message.ts';
import {
  DEFAULT_MAX_PAYLOAD,
  type Bus,
  type BusMessage,
  type BusOptions,
  type DurablePublishAck,
  type DurablePublishOptions,
  type IncomingMessage,
  type MessageHandler,
  type MessageStream,
  type ReceivedMessage,
  type RequestOptions,
  type StreamConfig,
  type StreamInfo,
  type SubscribeOptions,
  type Subscription,
} from './port.ts';
import { patternsOverlap, subjectMatches } from './subjects.ts';

/**
 * The in-process bus: the same semantics as NATS + JetStream (subject wildcards, queue groups, request/reply with
 * no-responder detection, durable streams with dedupe and maximum age), without a server.
 *
 * A MemoryBroker plays the server; each MemoryBus is one client connection to it (by default each bus gets its own
 * broker). Several buses on one broker behave like several processes on one NATS: queue groups span them, and each
 * sees the streams the others stored.
 *
 * Durability: streams live in the broker's memory. They survive a bus's close() within the process, NOT a process
 * restart. Use the NATS adapter where that matters.
 */

interface Delivery {
  subject: string;
  encoded: EncodedMessage;
  replyTo: string | undefined;
}

export interface MemoryBrokerOptions {
  /** Max encoded message size (data + headers), as the NATS server's max_payload. Default 1 MiB. */
  maxPayload?: number;
}

export class MemoryBroker {
  readonly maxPayload: number;
  private readonly subscriptions = new Set<MemorySubscription>();
  private readonly queueTurns = new Map<string, number>();
  private readonly inboxes = new Map<string, (delivery: Delivery) => void>();
  private readonly streams = new Map<string, MemoryStream>();

  constructor(options: MemoryBrokerOptions = {}) {
    this.maxPayload = options.maxPayload ?? DEFAULT_MAX_PAYLOAD;
  }

  addSubscription(subscription: MemorySubscription): void {
    this.subscriptions.add(subscription);
  }

  removeSubscription(subscription: MemorySubscription): void {
    this.subscriptions.delete(subscription);
  }

  addInbox(inbox: string, deliver: (delivery: Delivery) => void): void {
    this.inboxes.set(inbox, deliver);
  }

  removeInbox(inbox: string): void {
    this.inboxes.delete(inbox);
  }

  /** Routes a message like the NATS server: streams capture it, every plain subscription and one member per queue
   * group receive it. Returns how many subscriptions received it (request interest). */
  route(delivery: Delivery, options: { store?: boolean } = {}): number {
    if (options.store !== false) this.streamFor(delivery.subject)?.store(delivery.subject, delivery.encoded, undefined);
    const inbox = this.inboxes.get(delivery.subject);
    if (inbox) inbox(delivery);
    let received = 0;
    const groups = new Map<string, MemorySubscription[]>();
    for (const subscription of this.subscriptions) {
      if (!subjectMatches(subscription.pattern, delivery.subject)) continue;
      if (subscription.queue === undefined) {
        subscription.deliver(delivery);
        received += 1;
      } else {
        const members = groups.get(subscription.queue) ?? [];
        members.push(subscription);
        groups.set(subscription.queue, members);
      }
    }
    for (const [queue, members] of groups) {
      const turn = this.queueTurns.get(queue) ?? 0;
      this.queueTurns.set(queue, turn + 1);
      const member = members[turn % members.length];
      // A group is made by its first member, so this always finds one.
      if (member === undefined) continue;
      member.deliver(delivery);
      received += 1;
    }
    return received;
  }

  // ---- streams ------------------------------------------------------------------------------------------------

  ensureStream(config: NormalizedStreamConfig): MemoryStream {
    for (const other of this.streams.values()) {
      if (other.config.name === config.name) continue;
      const clash = config.subjects.find((mine) => other.config.subjects.some((theirs) => patternsOverlap(mine, theirs)));
      if (clash !== undefined) {
        throw new InvalidBusConfigError(`stream '${config.name}': subject '${clash}' overlaps with stream '${other.config.name}'`);
      }
    }
    const existing = this.streams.get(config.name);
    if (existing) {
      if (existing.config.storage !== config.storage) {
        throw new InvalidBusConfigError(`stream '${config.name}': storage cannot change (${existing.config.storage} -> ${config.storage})`);
      }
      existing.config = config;
      existing.purgeExpired();
      return existing;
    }
    const stream = new MemoryStream(config);
    this.streams.set(config.name, stream);
    return stream;
  }

  stream(name: string): MemoryStream {
    const stream = this.streams.get(name);
    if (!stream) throw new DurableStreamNotFoundError(name);
    return stream;
  }

  deleteStream(name: string): boolean {
    const stream = this.streams.get(name);
    if (!stream) return false;
    this.streams.delete(name);
    stream.destroy();
    return true;
  }

  streamFor(subject: string): MemoryStream | undefined {
    for (const stream of this.streams.values()) {
      if (stream.config.subjects.some((pattern) => subjectMatches(pattern, subject))) return stream;
    }
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Core subscriptions
// ---------------------------------------------------------------------------------------------------------------

type Waiter = (result: IteratorResult<IncomingMessage>) => void;

class MemorySubscription implements MessageStream {
  readonly closed: Promise<void>;
  private resolveClosed!: () => void;
  private state: 'active' | 'draining' | 'ended' = 'active';
  private readonly buffer: IncomingMessage[] = [];
  private readonly waiters: Waiter[] = [];
  private readonly consumption = new Consumption();

  constructor(
    private readonly bus: MemoryBus,
    readonly pattern: string,
    readonly queue: string | undefined,
  ) {
    this.closed = new Promise((resolve) => (this.resolveClosed = resolve));
  }

  get hasHandler(): boolean {
    return this.consumption.byHandler;
  }

  deliver(delivery: Delivery): void {
    if (this.state !== 'active') return;
    const replyTo = delivery.replyTo;
    const message: IncomingMessage = {
      subject: delivery.subject,
      data: decodeData(delivery.encoded.payload),
      headers: { ...delivery.encoded.headers },
      isRequest: replyTo !== undefined,
      respond: (reply: BusMessage) => (replyTo === undefined ? false : this.bus.sendReply(replyTo, reply)),
    };
    const waiter = this.waiters.shift();
    if (waiter) waiter({ value: message, done: false });
    else this.buffer.push(message);
  }

  next(): Promise<IteratorResult<IncomingMessage>> {
    const message = this.state === 'ended' ? undefined : this.buffer.shift();
    if (message) return Promise.resolve({ value: message, done: false });
    if (this.state !== 'active') {
      this.end();
      return Promise.resolve({ value: undefined, done: true });
    }
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  async unsubscribe(): Promise<void> {
    this.buffer.length = 0;
    this.end();
  }

  async drain(): Promise<void> {
    if (this.state === 'active') {
      this.state = 'draining';
      this.bus.forget(this);
      if (this.buffer.length === 0) this.end();
    }
    await this.closed;
  }

  /** Starts the handler loop: one message at a time, in order. `closed` resolves when the loop has exited. */
  run(handler: MessageHandler): void {
    void (async () => {
      await this.consumption.handleEach(
        () => this.next(),
        handler,
        (error, subject) => this.bus.reportError(error, subject),
      );
      this.resolveClosed();
    })();
  }

  private end(): void {
    if (this.state === 'ended') return;
    this.state = 'ended';
    this.buffer.length = 0;
    this.bus.forget(this);
    for (const waiter of this.waiters.splice(0)) waiter({ value: undefined, done: true });
    if (!this.consumption.byHandler) this.resolveClosed();
  }

  [Symbol.asyncIterator](): AsyncIterator<IncomingMessage> {
    return this.consumption.iterator(
      () => this.next(),
      () => this.unsubscribe(),
    );
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Durable streams
// ---------------------------------------------------------------------------------------------------------------

interface StoredMessage {
  seq: number;
  subject: string;
  encoded: EncodedMessage;
  time: number;
}

class MemoryStream {
  private messages: StoredMessage[] = [];
  private lastSeq = 0;
  private readonly dedupe = new Map<string, { seq: number; time: number }>();

  constructor(public config: NormalizedStreamConfig) {}

  store(subject: string, encoded: EncodedMessage, msgId: string | undefined): { seq: number; duplicate: boolean } {
    const now = Date.now();
    this.purgeExpired(now);
    if (msgId !== undefined) {
      for (const [id, entry] of this.dedupe) {
        if (now - entry.time < this.config.duplicateWindowMs) break;
        this.dedupe.delete(id);
      }
      const seen = this.dedupe.get(msgId);
      if (seen) return { seq: seen.seq, duplicate: true };
    }
    this.lastSeq += 1;
    this.messages.push({ seq: this.lastSeq, subject, encoded, time: now });
    if (msgId !== undefined) this.dedupe.set(msgId, { seq: this.lastSeq, time: now });
    return { seq: this.lastSeq, duplicate: false };
  }

  purgeExpired(now = Date.now()): void {
    const maxAge = this.config.maxAgeMs;
    if (maxAge === undefined) return;
    let drop = 0;
    for (const message of this.messages) {
      if (now - message.time < maxAge) break;
      drop += 1;
    }
    if (drop > 0) this.messages = this.messages.slice(drop);
  }

  get(seq: number): StoredMessage | undefined {
    const first = this.messages[0];
    if (!first) return undefined;
    return this.messages[seq - first.seq];
  }

  get firstSeq(): number {
    return this.messages[0]?.seq ?? this.lastSeq + 1;
  }

  get last(): number {
    return this.lastSeq;
  }

  info(): StreamInfo {
    this.purgeExpired();
    return {
      name: this.config.name,
      subjects: [...this.config.subjects],
      maxAgeMs: this.config.maxAgeMs,
      duplicateWindowMs: this.config.duplicateWindowMs,
      storage: this.config.storage,
      messages: this.messages.length,
      firstSeq: this.messages[0]?.seq ?? 0,
      lastSeq: this.lastSeq,
    };
  }

  destroy(): void {
    this.messages = [];
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The bus (one client of a broker)
// ---------------------------------------------------------------------------------------------------------------

export interface MemoryBusOptions extends BusOptions {
  /** Share a broker between buses to simulate several processes on one server. Default: a broker of its own. */
  broker?: MemoryBroker;
}

export class MemoryBus implements Bus {
  readonly broker: MemoryBroker;
  /** In process: whoever holds the bus is the platform's own code; nothing authenticates it. */
  readonly authenticated = false;
  private readonly onError: NonNullable<BusOptions['onError']>;
  private readonly subscriptions = new Set<MemorySubscription>();
  private readonly requests = new Map<string, (error: unknown) => void>();
  /** `draining`: close() has begun; handlers finishing their messages may still publish and reply. */
  private state: 'open' | 'draining' | 'closed' = 'open';
  private closing: Promise<void> | undefined;

  constructor(options: MemoryBusOptions = {}) {
    this.broker = options.broker ?? new MemoryBroker();
    this.onError = options.onError ?? defaultOnError;
  }

  isConnected(): boolean {
    return this.state === 'open';
  }

  private assertOpen(): void {
    if (this.state !== 'open') throw new BusUnavailableError('the bus is closed');
  }

  private assertCanPublish(): void {
    if (this.state === 'closed') throw new BusUnavailableError('the bus is closed');
  }

  reportError(error: unknown, subject: string): void {
    reportSafely(this.onError, error, subject);
  }

  forget(subscription: MemorySubscription): void {
    this.subscriptions.delete(subscription);
    this.broker.removeSubscription(subscription);
  }

  async publish(subject: string, message: BusMessage): Promise<void> {
    this.assertCanPublish();
    const encoded = checkedPublish(subject, message, this.broker.maxPayload);
    this.broker.route({ subject, encoded, replyTo: undefined });
  }

  sendReply(replyTo: string, reply: BusMessage): boolean {
    this.assertCanPublish();
    const encoded = encodeMessage(reply, this.broker.maxPayload);
    // Replies go through the broker like any message: a `>` subscriber sees them too, as with NATS.
    this.broker.route({ subject: replyTo, encoded, replyTo: undefined }, { store: false });
    return true;
  }

  subscribe(pattern: string, handler: MessageHandler, options?: SubscribeOptions): Promise<Subscription>;
  subscribe(pattern: string, options?: SubscribeOptions): Promise<MessageStream>;
  async subscribe(
    pattern: string,
    handlerOrOptions?: MessageHandler | SubscribeOptions,
    maybeOptions?: SubscribeOptions,
  ): Promise<Subscription | MessageStream> {
    this.assertOpen();
    const { handler, queue } = checkedSubscribe(pattern, handlerOrOptions, maybeOptions);
    const subscription = new MemorySubscription(this, pattern, queue);
    this.subscriptions.add(subscription);
    this.broker.addSubscription(subscription);
    if (handler) subscription.run(handler);
    return subscription;
  }

  async request(subject: string, message: BusMessage, options: RequestOptions = {}): Promise<ReceivedMessage> {
    this.assertOpen();
    const { encoded, timeoutMs } = checkedRequest(subject, message, options, this.broker.maxPayload);
    const inbox = `_INBOX.${randomUUID().replaceAll('-', '')}`;
    return new Promise<ReceivedMessage>((resolve, reject) => {
      const timer = setTimeout(() => finish(new RequestTimeoutError(subject, timeoutMs)), timeoutMs);
      const finish = (error: unknown, reply?: ReceivedMessage) => {
        clearTimeout(timer);
        this.broker.removeInbox(inbox);
        this.requests.delete(inbox);
        if (reply) resolve(reply);
        else reject(error);
      };
      this.requests.set(inbox, (error) => finish(error));
      this.broker.addInbox(inbox, (delivery) => {
        try {
          finish(undefined, { subject: delivery.subject, data: decodeData(delivery.encoded.payload), headers: { ...delivery.encoded.headers } });
        } catch (error) {
          finish(error);
        }
      });
      const interested = this.broker.route({ subject, encoded, replyTo: inbox });
      if (interested === 0) finish(new NoResponderError(subject));
    });
  }

  async ensureStream(config: StreamConfig): Promise<StreamInfo> {
    this.assertOpen();
    return this.broker.ensureStream(normalizeStreamConfig(config)).info();
  }

  async streamInfo(name: string): Promise<StreamInfo> {
    this.assertOpen();
    assertName('stream', name);
    return this.broker.stream(name).info();
  }

  async deleteStream(name: string): Promise<boolean> {
    this.assertOpen();
    assertName('stream', name);
    return this.broker.deleteStream(name);
  }

  async publishDurable(subject: string, message: BusMessage, options: DurablePublishOptions = {}): Promise<DurablePublishAck> {
    this.assertCanPublish();
    const encoded = checkedDurablePublish(subject, message, options, this.broker.maxPayload);
    const stream = this.broker.streamFor(subject);
    if (!stream) throw new NoStreamForSubjectError(subject);
    const { seq, duplicate } = stream.store(subject, encoded, options.msgId);
    // A durable publish is a message like any other: core subscribers of the subject get it too (as with NATS).
    this.broker.route({ subject, encoded, replyTo: undefined }, { store: false });
    return { stream: stream.config.name, seq, duplicate };
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      this.state = 'draining';
      for (const fail of [...this.requests.values()]) fail(new BusUnavailableError('the bus was closed before the reply came'));
      await drainAll(this.subscriptions);
      this.state = 'closed';
    })();
    return this.closing;
  }
}
