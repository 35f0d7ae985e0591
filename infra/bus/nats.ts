import {
  DiscardPolicy,
  ErrorCode,
  Events,
  NatsError,
  RetentionPolicy,
  StorageType,
  connect,
  credsAuthenticator,
  headers as natsHeaders,
  jwtAuthenticator,
  millis,
  nanos,
  type ConnectionOptions,
  type JetStreamClient,
  type JetStreamManager,
  type Msg,
  type MsgHdrs,
  type NatsConnection,
  type StreamInfo as NatsStreamInfo,
  type Subscription as NatsSub,
} from 'nats';
import {
  BusError,
  BusPermissionError,
  BusUnavailableError,
  DurableStreamNotFoundError,
  InvalidBusConfigError,
  InvalidSubjectError,
  NoResponderError,
  NoStreamForSubjectError,
  PayloadTooLargeError,
  RequestTimeoutError,
} from './errors.ts';
import { checkedDurablePublish, checkedPublish, checkedRequest, checkedSubscribe } from './call-checks.ts';
import { Consumption, drainAll, reportSafely } from './delivery.ts';
import { DURABLE_MARKER_HEADER, assertName, decodeData, defaultOnError, encodeMessage, normalizeStreamConfig, publicHeaders } from './message.ts';
import {
  DEFAULT_MAX_PAYLOAD,
  type Bus,
  type BusCredentials,
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
import { redactUrl } from '../config/redact-url.ts';
import type { JsonValue } from '../json-value.ts';

/**
 * The Bus port on NATS (core for publish/subscribe/request, JetStream for durable streams), with nats.js v2.
 *
 * - Connecting fails fast with BusUnavailableError (connection refused at once, an unresponsive server after
 *   `connectTimeoutMs`). Once connected, a lost connection is retried `maxReconnectAttempts` times
 *   `reconnectTimeWaitMs` apart (publishes are buffered meanwhile); after that the bus is closed for good and every
 *   call fails with BusUnavailableError.
 */

export interface NatsBusOptions extends BusOptions {
  /** Connection name shown by the server (`nats server report connections`). */
  name?: string;
  /** Default 2000. */
  connectTimeoutMs?: number;
  /** Default 30 (with the default wait: give up after about 30 s without a server). */
  maxReconnectAttempts?: number;
  /** Default 1000. */
  reconnectTimeWaitMs?: number;
  /** Unset: an anonymous connection (a server without authentication). */
  credentials?: BusCredentials;
}

// JetStream API error codes (server `err_code`).
const JS_STREAM_NOT_FOUND = 10059;
const JS_STREAM_NAME_IN_USE = 10058;

function natsCode(error: unknown): string | undefined {
  return error instanceof NatsError ? error.code : undefined;
}

function apiErrCode(error: unknown): number | undefined {
  return error instanceof NatsError ? error.api_error?.err_code : undefined;
}

function describeError(error: unknown): string {
  if (error instanceof NatsError && error.api_error) return error.api_error.description;
  return error instanceof Error ? error.message : String(error);
}

const CONNECTION_CODES = new Set<string>([
  ErrorCode.ConnectionClosed,
  ErrorCode.ConnectionDraining,
  ErrorCode.ConnectionRefused,
  ErrorCode.ConnectionTimeout,
  ErrorCode.Disconnect,
]);

/** Errors that are about the connection or the bus's own rules; anything else is left to the call site. */
function mapCommon(error: unknown): BusError | undefined {
  if (error instanceof BusError) return error;
  const code = natsCode(error);
  if (code === undefined) return undefined;
  if (CONNECTION_CODES.has(code)) return new BusUnavailableError(`NATS connection unavailable (${code})`, { cause: error });
  if (error instanceof NatsError && error.isPermissionError() && error.permissionContext) {
    const { operation, subject } = error.permissionContext;
    return new BusPermissionError(operation === 'subscription' ? 'subscribe' : 'publish', subject, { cause: error });
  }
  // No answer in time from a server that holds the connection (frozen, overloaded): an outage like a lost connection.
  // A request's own timeout (a responder too slow) is mapped before this, as RequestTimeoutError.
  if (code === ErrorCode.Timeout) return new BusUnavailableError(`NATS did not answer in time (${code})`, { cause: error });
  if (code === ErrorCode.BadSubject) return new InvalidSubjectError('?', describeError(error));
  if (error instanceof NatsError && error.api_error) {
    if (error.api_error.code === 400) return new InvalidBusConfigError(describeError(error), { cause: error });
    if (error.api_error.code >= 500) return new BusUnavailableError(`JetStream: ${describeError(error)}`, { cause: error });
  }
  return undefined;
}

function mapError(error: unknown, what: string, sent?: { size: number; maxPayload: number }): BusError {
  // Our own size check runs first; nats.js only refuses what the adapter's extra headers pushed over the limit.
  if (sent && natsCode(error) === ErrorCode.MaxPayloadExceeded) return new PayloadTooLargeError(sent.size, sent.maxPayload);
  return mapCommon(error) ?? new BusError(`${what} failed: ${describeError(error)}`, { cause: error });
}

function authOptions(credentials: BusCredentials | undefined): Pick<ConnectionOptions, 'authenticator' | 'inboxPrefix' | 'ignoreAuthErrorAbort'> {
  if (credentials === undefined) return {};
  if ('creds' in credentials) return { authenticator: credsAuthenticator(new TextEncoder().encode(credentials.creds)) };
  return {
    authenticator: jwtAuthenticator(credentials.jwt, credentials.seed),
    inboxPrefix: credentials.inboxPrefix,
    // An expired JWT is refused until the renewed one arrives: keep reconnecting (up to maxReconnectAttempts) rather
    // than give up at the second identical refusal, as nats.js does by default.
    ignoreAuthErrorAbort: true,
  };
}

function toNatsHeaders(headers: Record<string, string>, extra: Record<string, string> = {}): MsgHdrs | undefined {
  const entries = [...Object.entries(headers), ...Object.entries(extra)];
  if (entries.length === 0) return undefined;
  const h = natsHeaders();
  for (const [name, value] of entries) h.set(name, value);
  return h;
}

function fromNatsHeaders(headers: MsgHdrs | undefined): Record<string, string> {
  if (!headers) return {};
  return publicHeaders(headers.keys().map((name) => [name, headers.get(name)] as const));
}

export class NatsBus implements Bus {
  private readonly onError: NonNullable<BusOptions['onError']>;
  private readonly subscriptions = new Set<NatsSubscription>();
  private state: 'open' | 'draining' | 'closed' = 'open';
  private connected = true;
  private closing: Promise<void> | undefined;
  private managerPromise: Promise<JetStreamManager> | undefined;
  private readonly js: JetStreamClient;
  private readonly statusLoop: Promise<void>;
  private readonly stopStatus: () => void;
  readonly authenticated: boolean;

  private constructor(
    private readonly nc: NatsConnection,
    options: NatsBusOptions,
  ) {
    this.authenticated = options.credentials !== undefined;
    this.onError = options.onError ?? defaultOnError;
    this.js = nc.jetstream();
    // nats.js never ends this iterator by itself, not even when the connection closes: we stop it.
    const statuses = nc.status();
    this.stopStatus = () => {
      // Typed as a plain AsyncIterable, it is a QueuedIterator at run time.
      if ('stop' in statuses && typeof statuses.stop === 'function') statuses.stop();
    };
    this.statusLoop = (async () => {
      for await (const status of statuses) {
        if (status.type === Events.Disconnect) this.connected = false;
        if (status.type === Events.Reconnect) this.connected = true;
        // A refused publish has no call to fail (the server answers asynchronously): it is reported.
        if (status.type === Events.Error && status.permissionContext?.operation === 'publish') {
          this.reportError(new BusPermissionError('publish', status.permissionContext.subject), status.permissionContext.subject);
        }
      }
    })().catch(() => undefined);
    void nc.closed().then(() => {
      this.connected = false;
      this.stopStatus();
      if (this.state === 'open') this.state = 'closed';
    });
  }

  /** Connects, or fails within about `connectTimeoutMs` with BusUnavailableError. */
  static async connect(url: string, options: NatsBusOptions = {}): Promise<NatsBus> {
    let nc: NatsConnection;
    try {
      nc = await connect({
        servers: url,
        name: options.name ?? 'agencygrid',
        timeout: options.connectTimeoutMs ?? 2000,
        maxReconnectAttempts: options.maxReconnectAttempts ?? 30,
        reconnectTimeWait: options.reconnectTimeWaitMs ?? 1000,
        waitOnFirstConnect: false,
        ...authOptions(options.credentials),
      });
    } catch (error) {
      throw new BusUnavailableError(`cannot connect to NATS at ${redactUrl(url)}: ${describeError(error)}`, { cause: error });
    }
    return new NatsBus(nc, options);
  }

  isConnected(): boolean {
    return this.state === 'open' && this.connected && !this.nc.isClosed();
  }

  private assertOpen(): void {
    if (this.state !== 'open' || this.nc.isClosed()) throw new BusUnavailableError('the bus is closed');
  }

  private assertCanPublish(): void {
    if (this.state === 'closed' || this.nc.isClosed()) throw new BusUnavailableError('the bus is closed');
  }

  private get maxPayload(): number {
    return this.nc.info?.max_payload ?? DEFAULT_MAX_PAYLOAD;
  }

  reportError(error: unknown, subject: string): void {
    reportSafely(this.onError, error, subject);
  }

  forget(subscription: NatsSubscription): void {
    this.subscriptions.delete(subscription);
  }

  private manager(): Promise<JetStreamManager> {
    this.managerPromise ??= this.nc.jetstreamManager().catch((error: unknown) => {
      this.managerPromise = undefined;
      throw mapCommon(error) ?? new BusUnavailableError(`JetStream is not available: ${describeError(error)}`, { cause: error });
    });
    return this.managerPromise;
  }

  // ---- core ---------------------------------------------------------------------------------------------------

  async publish(subject: string, message: BusMessage): Promise<void> {
    this.assertCanPublish();
    const encoded = checkedPublish(subject, message, this.maxPayload);
    try {
      this.nc.publish(subject, encoded.payload, { headers: toNatsHeaders(encoded.headers) });
    } catch (error) {
      throw mapError(error, `publish on '${subject}'`, { size: encoded.size, maxPayload: this.maxPayload });
    }
  }

  /** Replies on behalf of a received message (see IncomingMessage.respond). */
  reply(msg: Msg, reply: BusMessage): boolean {
    this.assertCanPublish();
    const encoded = encodeMessage(reply, this.maxPayload);
    try {
      return msg.respond(encoded.payload, { headers: toNatsHeaders(encoded.headers) });
    } catch (error) {
      throw mapError(error, `reply to '${msg.subject}'`);
    }
  }

  /** Turns a NATS message into ours; undefined (reported) when its payload is not JSON. */
  toIncoming(msg: Msg): IncomingMessage | undefined {
    let data: JsonValue;
    try {
      data = decodeData(msg.data);
    } catch (error) {
      this.reportError(error, msg.subject);
      return undefined;
    }
    // A durable publish reaches core subscribers with the stream's ack inbox as its reply subject: not a request.
    const isRequest = Boolean(msg.reply) && !(msg.headers?.has(DURABLE_MARKER_HEADER) ?? false);
    return {
      subject: msg.subject,
      data,
      headers: fromNatsHeaders(msg.headers),
      isRequest,
      respond: (reply: BusMessage) => (isRequest ? this.reply(msg, reply) : false),
    };
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
    let sub: NatsSub;
    try {
      sub = this.nc.subscribe(pattern, queue === undefined ? {} : { queue });
      // The server has registered the interest once it answered the PING that follows the SUB.
      await this.nc.flush();
    } catch (error) {
      throw mapError(error, `subscribe to '${pattern}'`);
    }
    // A refused SUB is answered before that PING: nats.js has closed the subscription with the server's error.
    if (sub.isClosed()) {
      const reason: unknown = await sub.closed;
      throw reason instanceof Error ? mapError(reason, `subscribe to '${pattern}'`) : new BusPermissionError('subscribe', pattern);
    }
    const subscription = new NatsSubscription(this, sub, pattern);
    this.subscriptions.add(subscription);
    if (handler) subscription.run(handler);
    return subscription;
  }

  async request(subject: string, message: BusMessage, options: RequestOptions = {}): Promise<ReceivedMessage> {
    this.assertOpen();
    const { encoded, timeoutMs } = checkedRequest(subject, message, options, this.maxPayload);
    let reply: Msg;
    try {
      reply = await this.nc.request(subject, encoded.payload, { timeout: timeoutMs, headers: toNatsHeaders(encoded.headers) });
    } catch (error) {
      const code = natsCode(error);
      if (code === ErrorCode.NoResponders) throw new NoResponderError(subject, { cause: error });
      if (code === ErrorCode.Timeout) throw new RequestTimeoutError(subject, timeoutMs, { cause: error });
      throw mapError(error, `request on '${subject}'`);
    }
    return { subject: reply.subject, data: decodeData(reply.data), headers: fromNatsHeaders(reply.headers) };
  }

  // ---- streams ------------------------------------------------------------------------------------------------

  async ensureStream(config: StreamConfig): Promise<StreamInfo> {
    this.assertOpen();
    const wanted = normalizeStreamConfig(config);
    const jsm = await this.manager();
    const limits = {
      subjects: wanted.subjects,
      max_age: nanos(wanted.maxAgeMs ?? 0),
      duplicate_window: nanos(wanted.duplicateWindowMs),
    };
    const storage = wanted.storage === 'memory' ? StorageType.Memory : StorageType.File;
    const update = async () => {
      const current = await jsm.streams.info(wanted.name);
      if (current.config.storage !== storage) {
        throw new InvalidBusConfigError(`stream '${wanted.name}': storage cannot change (${current.config.storage} -> ${storage})`);
      }
      return jsm.streams.update(wanted.name, limits);
    };
    try {
      try {
        return toStreamInfo(await update());
      } catch (error) {
        if (apiErrCode(error) !== JS_STREAM_NOT_FOUND) throw error;
      }
      try {
        return toStreamInfo(
          await jsm.streams.add({
            name: wanted.name,
            ...limits,
            storage,
            retention: RetentionPolicy.Limits,
            discard: DiscardPolicy.Old,
            num_replicas: 1,
          }),
        );
      } catch (error) {
        // Created meanwhile by someone else: bring it to our settings.
        if (apiErrCode(error) === JS_STREAM_NAME_IN_USE) return toStreamInfo(await update());
        throw error;
      }
    } catch (error) {
      throw mapError(error, `ensure stream '${wanted.name}'`);
    }
  }

  async streamInfo(name: string): Promise<StreamInfo> {
    this.assertOpen();
    assertName('stream', name);
    const jsm = await this.manager();
    try {
      return toStreamInfo(await jsm.streams.info(name));
    } catch (error) {
      if (apiErrCode(error) === JS_STREAM_NOT_FOUND) throw new DurableStreamNotFoundError(name, { cause: error });
      throw mapError(error, `stream info '${name}'`);
    }
  }

  async deleteStream(name: string): Promise<boolean> {
    this.assertOpen();
    assertName('stream', name);
    const jsm = await this.manager();
    try {
      return await jsm.streams.delete(name);
    } catch (error) {
      if (apiErrCode(error) === JS_STREAM_NOT_FOUND) return false;
      throw mapError(error, `delete stream '${name}'`);
    }
  }

  async publishDurable(subject: string, message: BusMessage, options: DurablePublishOptions = {}): Promise<DurablePublishAck> {
    this.assertCanPublish();
    const encoded = checkedDurablePublish(subject, message, options, this.maxPayload);
    try {
      const ack = await this.js.publish(subject, encoded.payload, {
        headers: toNatsHeaders(encoded.headers, { [DURABLE_MARKER_HEADER]: '1' }),
        ...(options.msgId === undefined ? {} : { msgID: options.msgId }),
      });
      return { stream: ack.stream, seq: ack.seq, duplicate: ack.duplicate };
    } catch (error) {
      const code = natsCode(error);
      if (code === ErrorCode.NoResponders) throw new NoStreamForSubjectError(subject, { cause: error });
      // With a core subscriber on the subject there is interest but no stream to ack: it times out instead.
      if (code === ErrorCode.Timeout && !(await this.streamCaptures(subject))) throw new NoStreamForSubjectError(subject, { cause: error });
      throw mapError(error, `durable publish on '${subject}'`, { size: encoded.size, maxPayload: this.maxPayload });
    }
  }

  /** Whether a stream captures the subject; an unanswered lookup is an outage (thrown), not a "no". */
  private async streamCaptures(subject: string): Promise<boolean> {
    try {
      await (await this.manager()).streams.find(subject);
      return true;
    } catch (error) {
      const outage = mapCommon(error);
      if (outage instanceof BusUnavailableError) throw outage;
      return false;
    }
  }

  get closedForGood(): boolean {
    return this.nc.isClosed();
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      if (this.state === 'open') this.state = 'draining';
      // Handler subscriptions finish what they received while the connection still works (they may publish/reply).
      await drainAll(this.subscriptions);
      if (!this.nc.isClosed()) {
        try {
          await this.nc.drain();
        } catch {
          await this.nc.close().catch(() => undefined);
        }
      }
      this.state = 'closed';
      this.stopStatus();
      await this.statusLoop;
    })();
    return this.closing;
  }
}

function toStreamInfo(info: NatsStreamInfo): StreamInfo {
  const { config, state } = info;
  return {
    name: config.name,
    subjects: [...(config.subjects ?? [])],
    maxAgeMs: config.max_age > 0 ? millis(config.max_age) : undefined,
    duplicateWindowMs: millis(config.duplicate_window),
    storage: config.storage === StorageType.Memory ? 'memory' : 'file',
    messages: state.messages,
    firstSeq: state.messages > 0 ? state.first_seq : 0,
    lastSeq: state.last_seq,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Core subscriptions
// ---------------------------------------------------------------------------------------------------------------

class NatsSubscription implements MessageStream {
  readonly closed: Promise<void>;
  private resolveClosed!: () => void;
  private readonly consumption = new Consumption();
  /** Set by unsubscribe: no message is handed out after it, even one nats.js already buffered. */
  private dropping = false;
  private readonly source: AsyncIterator<Msg>;

  constructor(
    private readonly bus: NatsBus,
    private readonly sub: NatsSub,
    readonly pattern: string,
  ) {
    this.closed = new Promise((resolve) => (this.resolveClosed = resolve));
    this.source = sub[Symbol.asyncIterator]();
  }

  get hasHandler(): boolean {
    return this.consumption.byHandler;
  }

  private async next(): Promise<IteratorResult<IncomingMessage>> {
    for (;;) {
      const next = this.dropping ? undefined : await this.source.next();
      if (!next || next.done || this.dropping) {
        this.ended();
        return { value: undefined, done: true };
      }
      const message = this.bus.toIncoming(next.value);
      if (message) return { value: message, done: false };
    }
  }

  private ended(): void {
    this.bus.forget(this);
    if (!this.consumption.byHandler) this.resolveClosed();
  }

  run(handler: MessageHandler): void {
    void (async () => {
      try {
        await this.consumption.handleEach(
          () => this.next(),
          handler,
          (error, subject) => this.bus.reportError(error, subject),
        );
      } catch (error) {
        this.bus.reportError(error, this.pattern);
      } finally {
        this.bus.forget(this);
        this.resolveClosed();
      }
    })();
  }

  async unsubscribe(): Promise<void> {
    if (this.dropping) return;
    this.dropping = true;
    this.bus.forget(this);
    if (!this.sub.isClosed()) {
      try {
        this.sub.unsubscribe();
      } catch {
        // the connection is gone: so is the subscription
      }
    }
    if (!this.consumption.byHandler) this.resolveClosed();
  }

  async drain(): Promise<void> {
    this.bus.forget(this);
    if (!this.sub.isClosed() && !this.sub.isDraining()) {
      try {
        await this.sub.drain();
      } catch {
        // already closing with the connection
      }
    }
    await this.closed;
  }

  [Symbol.asyncIterator](): AsyncIterator<IncomingMessage> {
    return this.consumption.iterator(
      () => this.next(),
      () => this.unsubscribe(),
    );
  }
}
