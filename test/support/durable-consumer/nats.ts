import {
  AckPolicy,
  DeliverPolicy,
  ErrorCode,
  NatsError,
  connect,
  nanos,
  type Consumer,
  type ConsumerConfig,
  type ConsumerMessages,
  type ConsumerUpdateConfig,
  type JetStreamManager,
  type JsMsg,
  type MsgHdrs,
  type NatsConnection,
} from 'nats';
import { BusError, BusUnavailableError, DurableStreamNotFoundError, InvalidBusConfigError } from '../../../infra/bus/errors.ts';
import { assertName, decodeData, publicHeaders } from '../../../infra/bus/message.ts';
import type { Bus } from '../../../infra/bus/port.ts';
import { backoffDelay, type BackoffPolicy } from '../../../infra/retry/backoff.ts';
import {
  DurableConsumerNotFoundError,
  assertDelay,
  normalizeConsumerOptions,
  type DurableConsumer,
  type DurableConsumerOptions,
  type DurableConsumers,
  type DurableMessage,
  type NormalizedConsumerOptions,
} from './port.ts';

/**
 * Durable consumers of JetStream streams: durable pull consumers with explicit acks, read with `fetch` batches of
 * `prefetch` messages (long-polling a few seconds when idle), each on a NATS connection of its own (closed when it
 * stops), so two consumers are two processes. Messages fetched but not yet handed out when the consumer stops are
 * nak'ed so that the next consumer gets them at once; one still in flight at that instant comes back after the ack
 * wait.
 */

const JS_STREAM_NOT_FOUND = 10059;
const JS_CONSUMER_NOT_FOUND = 10014;
const JS_CONSUMER_EXISTS = [10013, 10105, 10148];
const FETCH_EXPIRES_MS = 5000;
/** A failed pull (the server away, the consumer recreated) is tried again on capped doubling. */
const refetch: BackoffPolicy = { firstMs: 100, maxMs: 2_000, jitter: 'none' };

const apiErrCode = (error: unknown): number | undefined => (error instanceof NatsError ? error.api_error?.err_code : undefined);

function described(error: unknown): string {
  if (error instanceof NatsError && error.api_error) return error.api_error.description;
  return error instanceof Error ? error.message : String(error);
}

/** The bus's typed errors for what JetStream answered. */
function mapped(error: unknown, what: string): BusError {
  if (error instanceof BusError) return error;
  if (error instanceof NatsError && error.api_error?.code === 400) return new InvalidBusConfigError(described(error), { cause: error });
  if (error instanceof NatsError && (error.code === ErrorCode.ConnectionClosed || error.code === ErrorCode.Disconnect)) {
    return new BusUnavailableError(`NATS connection unavailable (${error.code})`, { cause: error });
  }
  return new BusError(`${what} failed: ${described(error)}`, { cause: error });
}

function fromNatsHeaders(headers: MsgHdrs | undefined): Record<string, string> {
  if (!headers) return {};
  return publicHeaders(headers.keys().map((name) => [name, headers.get(name)] as const));
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

class NatsDurableConsumer implements DurableConsumer {
  readonly stream: string;
  readonly durableName: string;
  private stopped = false;
  private iterated = false;
  private batch: ConsumerMessages | undefined;
  private batchIterator: AsyncIterator<JsMsg> | undefined;
  /** True while a pull waits on the server (nothing buffered that we could hand back). */
  private waiting = false;
  private released: Promise<void> | undefined;

  constructor(
    private readonly nc: NatsConnection,
    private readonly jsm: JetStreamManager,
    private readonly consumer: Consumer,
    private readonly options: NormalizedConsumerOptions,
  ) {
    this.stream = options.stream;
    this.durableName = options.durableName;
  }

  /** Why a pull failed: a missing stream or consumer is final, anything else is retried. */
  private async diagnose(error: unknown): Promise<BusError | undefined> {
    if (this.nc.isClosed()) return new BusUnavailableError('the NATS connection is closed', { cause: error });
    try {
      await this.jsm.consumers.info(this.stream, this.durableName);
      return undefined;
    } catch (infoError) {
      const code = apiErrCode(infoError);
      if (code === JS_STREAM_NOT_FOUND) return new DurableStreamNotFoundError(this.stream, { cause: error });
      if (code === JS_CONSUMER_NOT_FOUND) return new DurableConsumerNotFoundError(this.stream, this.durableName, { cause: error });
      return undefined;
    }
  }

  private async next(): Promise<IteratorResult<DurableMessage>> {
    let failures = 0;
    for (;;) {
      if (this.stopped) {
        await this.release();
        return { value: undefined, done: true };
      }
      let result: IteratorResult<JsMsg>;
      try {
        if (!this.batchIterator) {
          this.batch = await this.consumer.fetch({ max_messages: this.options.prefetch, expires: FETCH_EXPIRES_MS });
          this.batchIterator = this.batch[Symbol.asyncIterator]();
        }
        this.waiting = true;
        try {
          result = await this.batchIterator.next();
        } finally {
          this.waiting = false;
        }
        if (result.done) {
          // A batch ends when full or when its pull expired; it ends with an error when the consumer is gone.
          const failure = await this.batch?.closed();
          this.batchIterator = undefined;
          if (failure instanceof Error) throw failure;
          continue;
        }
      } catch (error) {
        this.batchIterator = undefined;
        if (this.stopped) continue;
        const fatal = await this.diagnose(error);
        if (fatal) {
          this.stopped = true;
          await this.nc.close().catch(() => undefined);
          throw fatal;
        }
        failures += 1;
        await delay(backoffDelay(refetch, failures));
        continue;
      }
      if (this.stopped) {
        result.value.nak();
        continue;
      }
      const message = this.toDurable(result.value);
      if (message) return { value: message, done: false };
    }
  }

  private toDurable(msg: JsMsg): DurableMessage | undefined {
    let data: DurableMessage['data'];
    try {
      data = decodeData(msg.data);
    } catch {
      msg.term();
      return undefined;
    }
    const settle = (what: string, fn: () => void) => {
      try {
        fn();
      } catch (error) {
        throw mapped(error, `${what} of message ${msg.seq} on '${msg.subject}'`);
      }
    };
    return {
      subject: msg.subject,
      data,
      headers: fromNatsHeaders(msg.headers),
      seq: msg.seq,
      // nats.js calls the delivery count (1 on the first delivery) `redeliveryCount`.
      redeliveryCount: msg.info.redeliveryCount - 1,
      ack: async () => {
        try {
          // false: this message was already acked/nak'ed/term'ed through this object (nothing is sent again).
          await msg.ackAck();
        } catch (error) {
          throw mapped(error, `ack of message ${msg.seq} on '${msg.subject}'`);
        }
      },
      nak: (delayMs?: number) => {
        const ms = assertDelay(delayMs);
        settle('nak', () => msg.nak(ms > 0 ? ms : undefined));
      },
      term: () => settle('term', () => msg.term()),
      inProgress: () => settle('in progress', () => msg.working()),
    };
  }

  /** Hands back (nak) what was fetched but not handed out, ends the current pull, and closes the connection. */
  private release(): Promise<void> {
    this.released ??= (async () => {
      const batch = this.batch;
      const iterator = this.batchIterator;
      this.batch = undefined;
      this.batchIterator = undefined;
      if (batch && iterator && !this.waiting) {
        // getPending() may count the message the caller holds and the batch's end marker; a short bound covers that.
        while (batch.getPending() > 0) {
          const next = await Promise.race([iterator.next(), delay(50).then(() => undefined)]).catch(() => undefined);
          if (!next || next.done) break;
          try {
            next.value.nak();
          } catch {
            break;
          }
        }
      }
      await batch?.close().catch(() => undefined);
      // Drained, so the naks and any ack sent before stop reach the server.
      await this.nc.drain().catch(() => this.nc.close().catch(() => undefined));
    })();
    return this.released;
  }

  async stop(): Promise<void> {
    if (this.stopped && this.released) return this.released;
    this.stopped = true;
    if (this.waiting) {
      // An idle pull: end it so that the pending next() returns; next() then releases.
      await this.batch?.close().catch(() => undefined);
    }
    await this.release();
  }

  [Symbol.asyncIterator](): AsyncIterator<DurableMessage> {
    if (this.iterated) throw new InvalidBusConfigError('a durable consumer can be iterated once');
    this.iterated = true;
    return {
      next: () => this.next(),
      return: async () => {
        await this.stop();
        return { value: undefined, done: true };
      },
    };
  }
}

async function connection(url: string): Promise<{ nc: NatsConnection; jsm: JetStreamManager }> {
  const nc = await connect({ servers: url, name: 'agencygrid-test-durable-consumer', timeout: 2000 });
  return { nc, jsm: await nc.jetstreamManager() };
}

/** Creates the durable, or updates what may change of it, as the options say. */
async function ensureDurable(jsm: JetStreamManager, wanted: NormalizedConsumerOptions): Promise<void> {
  const { stream, durableName } = wanted;
  const changeable: Partial<ConsumerUpdateConfig> = {
    ack_wait: nanos(wanted.ackWaitMs),
    max_deliver: wanted.maxDeliver ?? -1,
    filter_subject: wanted.filterSubject ?? '',
  };
  const config: Partial<ConsumerConfig> = {
    durable_name: durableName,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: wanted.deliverPolicy === 'new' ? DeliverPolicy.New : DeliverPolicy.All,
    ack_wait: changeable.ack_wait,
    max_deliver: changeable.max_deliver,
    ...(wanted.filterSubject === undefined ? {} : { filter_subject: wanted.filterSubject }),
  };
  const updateIfChanged = async () => {
    const current = (await jsm.consumers.info(stream, durableName)).config;
    const differs =
      current.ack_wait !== changeable.ack_wait ||
      (current.max_deliver ?? -1) !== changeable.max_deliver ||
      (current.filter_subject ?? '') !== changeable.filter_subject;
    if (differs) await jsm.consumers.update(stream, durableName, changeable);
  };
  try {
    await updateIfChanged();
  } catch (error) {
    if (apiErrCode(error) !== JS_CONSUMER_NOT_FOUND) throw error;
    try {
      await jsm.consumers.add(stream, config);
    } catch (addError) {
      if (!JS_CONSUMER_EXISTS.includes(apiErrCode(addError) ?? 0)) throw addError;
      await updateIfChanged();
    }
  }
}

/** Durable consumers of the JetStream streams on the NATS server at `url` (the bus given only has to be open). */
export function natsDurableConsumers(url: string): DurableConsumers {
  return {
    async consume(bus: Bus, options: DurableConsumerOptions): Promise<DurableConsumer> {
      if (!bus.isConnected()) throw new BusUnavailableError('the bus is closed');
      const wanted = normalizeConsumerOptions(options);
      const { nc, jsm } = await connection(url);
      try {
        await ensureDurable(jsm, wanted);
        const consumer = await nc.jetstream().consumers.get(wanted.stream, wanted.durableName);
        return new NatsDurableConsumer(nc, jsm, consumer, wanted);
      } catch (error) {
        await nc.close().catch(() => undefined);
        if (apiErrCode(error) === JS_STREAM_NOT_FOUND) throw new DurableStreamNotFoundError(wanted.stream, { cause: error });
        throw mapped(error, `consume '${wanted.durableName}' of stream '${wanted.stream}'`);
      }
    },

    async delete(bus: Bus, stream: string, durableName: string): Promise<boolean> {
      if (!bus.isConnected()) throw new BusUnavailableError('the bus is closed');
      assertName('stream', stream);
      assertName('durable', durableName);
      const { nc, jsm } = await connection(url);
      try {
        return await jsm.consumers.delete(stream, durableName);
      } catch (error) {
        if (apiErrCode(error) === JS_STREAM_NOT_FOUND) throw new DurableStreamNotFoundError(stream, { cause: error });
        if (apiErrCode(error) === JS_CONSUMER_NOT_FOUND) return false;
        throw mapped(error, `delete consumer '${durableName}'`);
      } finally {
        await nc.close().catch(() => undefined);
      }
    },
  };
}
