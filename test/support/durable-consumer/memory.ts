import { BusUnavailableError, DurableStreamNotFoundError, InvalidBusConfigError } from '../../../infra/bus/errors.ts';
import { type MemoryBroker, MemoryBus } from '../../../infra/bus/memory.ts';
import { assertName, decodeData } from '../../../infra/bus/message.ts';
import type { Bus } from '../../../infra/bus/port.ts';
import { patternIsSubsetOf, subjectMatches } from '../../../infra/bus/subjects.ts';
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
 * Durable consumers of the in-process bus's streams, with JetStream's semantics (ack wait, redelivery, nak with a
 * delay, term, max deliver, filter subject, deliver policy), read from the broker's streams. A durable's position
 * lives beside its stream, per broker, so it is shared by every bus of the broker ("processes") and outlives their
 * consumers, not the stream. Waiting consumers look for new messages every few milliseconds: the broker tells no
 * one when it stores one.
 */

type Stream = ReturnType<MemoryBroker['stream']>;
type StoredMessage = NonNullable<ReturnType<Stream['get']>>;

const POLL_MS = 5;

interface PendingEntry {
  deliveries: number;
  timer: NodeJS.Timeout | undefined;
}

interface DurableWaiter {
  resolve: (result: IteratorResult<DurableMessage>) => void;
  reject: (error: unknown) => void;
}

/** Each stream's durables, by name: gone with the stream. */
const durablesOf = new WeakMap<Stream, Map<string, MemoryDurable>>();

function durables(stream: Stream): Map<string, MemoryDurable> {
  let named = durablesOf.get(stream);
  if (!named) {
    named = new Map();
    durablesOf.set(stream, named);
  }
  return named;
}

class MemoryDurable {
  private nextSeq: number;
  private readonly pending = new Map<number, PendingEntry>();
  /** Sequences due for redelivery, ascending. */
  private ready: number[] = [];
  private readonly waiters: DurableWaiter[] = [];
  private failure: unknown;
  private poll: NodeJS.Timeout | undefined;

  constructor(
    private readonly broker: MemoryBroker,
    private readonly stream: Stream,
    public options: NormalizedConsumerOptions,
  ) {
    this.nextSeq = options.deliverPolicy === 'new' ? stream.last + 1 : 1;
  }

  /** The next message for this durable, or undefined when none is due now. */
  private take(): DurableMessage | undefined {
    this.stream.purgeExpired();
    while (this.ready.length > 0) {
      const seq = this.ready.shift() ?? 0;
      const entry = this.pending.get(seq);
      if (!entry) continue;
      const stored = this.stream.get(seq);
      if (!stored) {
        this.pending.delete(seq);
        continue;
      }
      entry.deliveries += 1;
      return this.delivered(stored, entry);
    }
    this.nextSeq = Math.max(this.nextSeq, this.stream.firstSeq);
    while (this.nextSeq <= this.stream.last) {
      const stored = this.stream.get(this.nextSeq);
      this.nextSeq += 1;
      if (!stored) continue;
      const filter = this.options.filterSubject;
      if (filter !== undefined && !subjectMatches(filter, stored.subject)) continue;
      const entry: PendingEntry = { deliveries: 1, timer: undefined };
      this.pending.set(stored.seq, entry);
      return this.delivered(stored, entry);
    }
    return undefined;
  }

  private delivered(stored: StoredMessage, entry: PendingEntry): DurableMessage {
    const { seq } = stored;
    const delivery = entry.deliveries;
    this.arm(seq, entry, this.options.ackWaitMs, delivery);
    const current = () => {
      const now = this.pending.get(seq);
      return now === entry && now.deliveries === delivery ? now : undefined;
    };
    let settled = false;
    return {
      subject: stored.subject,
      data: decodeData(stored.encoded.payload),
      headers: { ...stored.encoded.headers },
      seq,
      redeliveryCount: delivery - 1,
      // Like nats.js: the first of ack / nak / term settles the delivery; later calls do nothing.
      ack: async () => {
        if (settled) return;
        settled = true;
        this.settle(seq);
      },
      term: () => {
        if (settled) return;
        settled = true;
        this.settle(seq);
      },
      nak: (delayMs?: number) => {
        const delay = assertDelay(delayMs);
        if (settled) return;
        settled = true;
        const entry = current();
        if (!entry) return;
        if (delay === 0) this.requeue(seq, entry);
        else this.arm(seq, entry, delay, delivery);
      },
      inProgress: () => {
        const entry = current();
        if (entry && !settled) this.arm(seq, entry, this.options.ackWaitMs, delivery);
      },
    };
  }

  /** After `ms`, the delivery `delivery` of `seq` (if still outstanding) becomes due again. */
  private arm(seq: number, entry: PendingEntry, ms: number, delivery: number): void {
    clearTimeout(entry.timer);
    entry.timer = setTimeout(() => {
      const now = this.pending.get(seq);
      if (now === entry && now.deliveries === delivery) this.requeue(seq, entry);
    }, ms);
    entry.timer.unref();
  }

  private requeue(seq: number, entry: PendingEntry): void {
    clearTimeout(entry.timer);
    entry.timer = undefined;
    const { maxDeliver } = this.options;
    if (maxDeliver !== undefined && entry.deliveries >= maxDeliver) {
      this.pending.delete(seq);
      return;
    }
    const at = this.ready.findIndex((other) => other > seq);
    if (at === -1) this.ready.push(seq);
    else if (this.ready[at - 1] !== seq) this.ready.splice(at, 0, seq);
    this.wake();
  }

  private settle(seq: number): void {
    const entry = this.pending.get(seq);
    if (!entry) return;
    clearTimeout(entry.timer);
    this.pending.delete(seq);
    this.ready = this.ready.filter((other) => other !== seq);
  }

  /** Hands due messages to waiting consumers; ends them all when the stream was deleted. */
  private wake(): void {
    if (!this.streamExists()) {
      this.destroy(new DurableStreamNotFoundError(this.options.stream));
      return;
    }
    while (this.waiters.length > 0) {
      const message = this.take();
      if (!message) break;
      this.waiters.shift()?.resolve({ value: message, done: false });
    }
    this.watch();
  }

  private streamExists(): boolean {
    try {
      return this.broker.stream(this.options.stream) === this.stream;
    } catch {
      return false;
    }
  }

  /** Looks again every few milliseconds while a consumer waits. */
  private watch(): void {
    if (this.waiters.length === 0) {
      clearInterval(this.poll);
      this.poll = undefined;
    } else if (this.poll === undefined) {
      this.poll = setInterval(() => this.wake(), POLL_MS);
      this.poll.unref();
    }
  }

  /** Hands the next due message to `waiter` now, or queues the waiter until one is due. */
  request(waiter: DurableWaiter): void {
    if (this.failure !== undefined) {
      waiter.reject(this.failure);
      return;
    }
    this.waiters.push(waiter);
    this.wake();
  }

  cancel(waiter: DurableWaiter): void {
    const index = this.waiters.indexOf(waiter);
    if (index !== -1) this.waiters.splice(index, 1);
    this.watch();
  }

  destroy(failure: unknown): void {
    this.failure = failure;
    for (const entry of this.pending.values()) clearTimeout(entry.timer);
    this.pending.clear();
    this.ready = [];
    for (const waiter of this.waiters.splice(0)) waiter.reject(failure);
    this.watch();
  }
}

class MemoryDurableConsumer implements DurableConsumer {
  private stopped = false;
  private waiter: DurableWaiter | undefined;
  private iterated = false;

  constructor(
    private readonly durable: MemoryDurable,
    readonly stream: string,
    readonly durableName: string,
  ) {}

  private next(): Promise<IteratorResult<DurableMessage>> {
    if (this.stopped) return Promise.resolve({ value: undefined, done: true });
    return new Promise<IteratorResult<DurableMessage>>((resolve, reject) => {
      const waiter: DurableWaiter = {
        resolve: (result) => {
          this.waiter = undefined;
          resolve(result);
        },
        reject: (error) => {
          this.waiter = undefined;
          this.stopped = true;
          reject(error);
        },
      };
      this.waiter = waiter;
      this.durable.request(waiter);
    });
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    const waiter = this.waiter;
    if (waiter) {
      this.durable.cancel(waiter);
      waiter.resolve({ value: undefined, done: true });
    }
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

function memoryBus(bus: Bus): MemoryBus {
  if (!(bus instanceof MemoryBus)) throw new TypeError('memory durable consumers read a MemoryBus');
  if (!bus.isConnected()) throw new BusUnavailableError('the bus is closed');
  return bus;
}

export const memoryDurableConsumers: DurableConsumers = {
  async consume(bus: Bus, options: DurableConsumerOptions): Promise<DurableConsumer> {
    const { broker } = memoryBus(bus);
    const normalized = normalizeConsumerOptions(options);
    const stream = broker.stream(normalized.stream);
    const filter = normalized.filterSubject;
    if (filter !== undefined && !stream.config.subjects.some((subject) => patternIsSubsetOf(filter, subject))) {
      throw new InvalidBusConfigError(`filter subject '${filter}' is not within the subjects of stream '${normalized.stream}'`);
    }
    const named = durables(stream);
    let durable = named.get(normalized.durableName);
    if (durable) durable.options = { ...normalized, deliverPolicy: durable.options.deliverPolicy };
    else {
      durable = new MemoryDurable(broker, stream, normalized);
      named.set(normalized.durableName, durable);
    }
    return new MemoryDurableConsumer(durable, normalized.stream, normalized.durableName);
  },

  async delete(bus: Bus, streamName: string, durableName: string): Promise<boolean> {
    const { broker } = memoryBus(bus);
    assertName('stream', streamName);
    assertName('durable', durableName);
    const named = durables(broker.stream(streamName));
    const durable = named.get(durableName);
    if (!durable) return false;
    named.delete(durableName);
    durable.destroy(new DurableConsumerNotFoundError(streamName, durableName));
    return true;
  },
};
