import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BusUnavailableError,
  DurableStreamNotFoundError,
  InvalidBusConfigError,
  InvalidMessageError,
  InvalidSubjectError,
  NoResponderError,
  NoStreamForSubjectError,
  PayloadTooLargeError,
  RequestTimeoutError,
} from '../../infra/bus/errors.ts';
import type { Bus, IncomingMessage, StreamConfig } from '../../infra/bus/port.ts';
import { subjectMatches } from '../../infra/bus/subjects.ts';
import { take, waitFor } from '../support/async.ts';
import { DurableConsumerNotFoundError, type DurableConsumer, type DurableConsumers, type DurableMessage } from '../support/durable-consumer/port.ts';
import type { JsonValue } from '../../domain/shared/json-value.ts';
import { required } from '../../domain/shared/required.ts';

// Fixed waits only where time is the behaviour: a slow handler or responder, or a quiet window after the awaited
// deliveries in which nothing more (a duplicate, a message after unsubscribe) may arrive. Conditions use waitFor.
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The next item of a live iterator, or undefined when none comes within `ms`. */
async function nextWithin<T>(iterator: AsyncIterator<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)));
  try {
    const next = await Promise.race([iterator.next(), timeout]);
    return next && !next.done ? next.value : undefined;
  } finally {
    clearTimeout(timer);
  }
}

/** The next item of a live iterator, which must come within `ms`. */
async function nextOf<T>(iterator: AsyncIterator<T>, ms: number): Promise<T> {
  return required(await nextWithin(iterator, ms), `a message within ${ms} ms`);
}

const numberOf = (message: { data: JsonValue }) => (message.data as { n: number }).n;

/**
 * The Bus port's contract. Every adapter runs it. `open` returns a new client of the same server (for the in-memory
 * adapter: a bus on the same broker), so "another process" is another client; `durables` reads the streams back. Subjects and streams are named per run
 * (and streams deleted at the end) so that parallel runs can share one NATS server.
 */
export function describeBusContract(adapterName: string, open: () => Promise<Bus>, durables: DurableConsumers): void {
  describe(`Bus contract: ${adapterName}`, () => {
    let bus: Bus;
    let other: Bus;
    const run = randomUUID().replaceAll('-', '').slice(0, 10);
    const prefix = `ct${run}`;
    let counter = 0;
    const nextCount = () => {
      counter += 1;
      return counter;
    };
    /** A fresh subject namespace for one test: `ct<run>.<n>`. */
    const space = () => `${prefix}.${nextCount()}`;
    const streams: string[] = [];
    const stream = async (bus_: Bus, subjects: string[], extra: Partial<StreamConfig> = {}) => {
      const name = `CT_${run}_${nextCount()}`;
      streams.push(name);
      await bus_.ensureStream({ name, subjects, ...extra });
      return name;
    };

    beforeAll(async () => {
      bus = await open();
      other = await open();
    });
    afterAll(async () => {
      const cleaner = await open();
      await Promise.all(streams.map((name) => cleaner.deleteStream(name)));
      await Promise.all([bus.close(), other.close(), cleaner.close()]);
    });

    describe('subjects', () => {
      it('matches wildcards like NATS: * is one token, > one or more trailing tokens', async () => {
        const base = space();
        const subjects = ['a.b.c', 'a.x.c', 'a.b', 'a.b.c.d', 'a', 'x.b.c', 'a.c'];
        const table: Record<string, string[]> = {
          'a.*.c': ['a.b.c', 'a.x.c'],
          'a.>': ['a.b.c', 'a.x.c', 'a.b', 'a.b.c.d', 'a.c'],
          'a.*': ['a.b', 'a.c'],
          '*.b.c': ['a.b.c', 'x.b.c'],
          '*': ['a'],
          'a.b.c': ['a.b.c'],
          '>': subjects,
          'a.*.>': ['a.b.c', 'a.x.c', 'a.b.c.d'],
        };
        // The shared matcher agrees with the table.
        for (const [pattern, expected] of Object.entries(table)) {
          expect(
            subjects.filter((subject) => subjectMatches(pattern, subject)),
            pattern,
          ).toEqual(expected);
        }
        const received = new Map<string, string[]>();
        await Promise.all(
          Object.keys(table).map((pattern) =>
            bus.subscribe(`${base}.${pattern}`, (message) => {
              received.set(pattern, [...(received.get(pattern) ?? []), message.subject.slice(base.length + 1)]);
            }),
          ),
        );
        // A bare `>` sees everything (other runs' traffic too): keep only ours.
        const everything: string[] = [];
        const all = await bus.subscribe('>', (message) => {
          if (message.subject.startsWith(`${base}.`)) everything.push(message.subject.slice(base.length + 1));
        });
        for (const subject of subjects) await other.publish(`${base}.${subject}`, { data: subject });

        const total = Object.values(table).reduce((sum, expected) => sum + expected.length, 0);
        const count = () => [...received.values()].reduce((sum, list) => sum + list.length, 0);
        await waitFor(() => count() >= total && everything.length >= subjects.length, 3000, 'all matching deliveries');
        await sleep(100); // nothing more arrives
        for (const [pattern, expected] of Object.entries(table)) expect(received.get(pattern) ?? [], pattern).toEqual(expected);
        expect(everything).toEqual(subjects);
        await all.unsubscribe();
      });

      it('refuses invalid subjects and patterns with InvalidSubjectError', async () => {
        const bad = ['', 'a..b', '.a', 'a.', 'a b', 'a\tb', 'a\nb', 'a.*', 'a.>', '*', '>', 'a*', 'a.b>', '$JS.API.INFO', '_INBOX.x'];
        for (const subject of bad) {
          await expect(bus.publish(subject, { data: 1 }), subject).rejects.toBeInstanceOf(InvalidSubjectError);
          await expect(bus.request(subject, { data: 1 }), subject).rejects.toBeInstanceOf(InvalidSubjectError);
          await expect(bus.publishDurable(subject, { data: 1 }), subject).rejects.toBeInstanceOf(InvalidSubjectError);
        }
        for (const pattern of ['', 'a..b', 'a.>.b', '>.a', 'a*', 'a.b*c', 'a b', 'a.']) {
          await expect(
            bus.subscribe(pattern, () => {}),
            pattern,
          ).rejects.toBeInstanceOf(InvalidSubjectError);
        }
        await expect(bus.subscribe('ok.sub', () => {}, { queue: 'bad queue' })).rejects.toBeInstanceOf(InvalidBusConfigError);
      });

      it('refuses messages it cannot carry', async () => {
        const subject = `${space()}.m`;
        await expect(bus.publish(subject, { data: undefined as unknown as JsonValue })).rejects.toBeInstanceOf(InvalidMessageError);
        await expect(bus.publish(subject, { data: { n: 1n } as unknown as JsonValue })).rejects.toBeInstanceOf(InvalidMessageError);
        const badHeaders: Record<string, string>[] = [
          { 'bad name': 'x' },
          { 'a:b': 'x' },
          { ok: 'line\nbreak' },
          { 'Nats-Msg-Id': 'x' },
          { 'bus-durable': '1' },
        ];
        for (const headers of badHeaders) {
          await expect(bus.publish(subject, { data: 1, headers }), JSON.stringify(headers)).rejects.toBeInstanceOf(InvalidMessageError);
        }
        const failure = await bus.publish(subject, { data: 'x'.repeat(1024 * 1024 + 1) }).catch((error: unknown) => error);
        expect(failure).toBeInstanceOf(PayloadTooLargeError);
        expect(failure).toMatchObject({ maxPayload: 1024 * 1024 });
      });
    });

    describe('publish / subscribe', () => {
      it('delivers every message in order to every subscriber, handler or iterator, with headers', async () => {
        const subject = `${space()}.events`;
        const first: IncomingMessage[] = [];
        const second: IncomingMessage[] = [];
        await bus.subscribe(subject, (message) => {
          first.push(message);
        });
        await other.subscribe(subject, async (message) => {
          if (numberOf(message) % 10 === 0) await sleep(5); // a slow handler still sees every message in order
          second.push(message);
        });
        const stream = await other.subscribe(`${subject.split('.')[0]}.*.events`);
        for (let n = 0; n < 50; n += 1) await bus.publish(subject, { data: { n, nested: { list: [n] } }, headers: { 'x-n': ` ${n} ` } });

        const viaIterator = await take(stream, 50, 3000);
        await waitFor(() => first.length === 50 && second.length === 50, 3000, '50 messages at both handlers');
        const expected = Array.from({ length: 50 }, (_, n) => n);
        expect(first.map(numberOf)).toEqual(expected);
        expect(second.map(numberOf)).toEqual(expected);
        expect(viaIterator.map(numberOf)).toEqual(expected);
        expect(first[7]).toMatchObject({ subject, data: { n: 7, nested: { list: [7] } }, headers: { 'x-n': '7' }, isRequest: false });
        expect(required(first[7], 'the 8th message').respond({ data: 'nobody asked' })).toBe(false);
        // Each subscriber gets its own copy.
        (required(first[3], 'the 4th message').data as { n: number }).n = 99;
        expect(numberOf(required(second[3], 'the 4th message'))).toBe(3);
        await stream.unsubscribe();
      });

      it('stops delivering after unsubscribe, and leaving a for-await loop unsubscribes', async () => {
        const subject = `${space()}.x`;
        const got: number[] = [];
        const subscription = await bus.subscribe(subject, (message) => {
          got.push(numberOf(message));
        });
        const stream = await bus.subscribe(subject);
        await other.publish(subject, { data: { n: 1 } });
        await waitFor(() => got.length === 1, 3000, 'the first message');
        for await (const message of stream) {
          expect(numberOf(message)).toBe(1);
          break;
        }
        await subscription.unsubscribe();
        await subscription.closed;
        await other.publish(subject, { data: { n: 2 } });
        await sleep(100); // nothing arrives after unsubscribe
        expect(got).toEqual([1]);
      });

      it('splits a queue group: each message goes to exactly one member, across clients; plain subscribers get all', async () => {
        const subject = `${space()}.work`;
        const one: number[] = [];
        const two: number[] = [];
        const three: number[] = [];
        const members = [one, two, three];
        const plain: number[] = [];
        await bus.subscribe(subject, (message) => void one.push(numberOf(message)), { queue: 'workers' });
        await bus.subscribe(subject, (message) => void two.push(numberOf(message)), { queue: 'workers' });
        await other.subscribe(subject, (message) => void three.push(numberOf(message)), { queue: 'workers' });
        await other.subscribe(subject, (message) => void plain.push(numberOf(message)));
        for (let n = 0; n < 60; n += 1) await bus.publish(subject, { data: { n } });

        const delivered = () => members.flat().length;
        await waitFor(() => delivered() >= 60 && plain.length === 60, 3000, '60 messages to the group and the plain subscriber');
        await sleep(100); // no member gets a message twice
        expect(members.flat().sort((a, b) => a - b)).toEqual(Array.from({ length: 60 }, (_, n) => n));
        for (const member of members) expect(member.length).toBeGreaterThan(0);
        expect(plain).toHaveLength(60);
      });
    });

    describe('request / reply', () => {
      it('gets the reply of a responder, with headers; queue responders answer each request once', async () => {
        const subject = `${space()}.echo`;
        const answered: string[] = [];
        for (const [client, name] of [
          [bus, 'one'],
          [other, 'two'],
        ] as const) {
          await client.subscribe(
            subject,
            (message) => {
              expect(message.isRequest).toBe(true);
              answered.push(name);
              message.respond({ data: { echo: message.data, by: name }, headers: { 'x-trace': message.headers['x-trace'] ?? '' } });
            },
            { queue: 'echo' },
          );
        }
        for (let n = 0; n < 10; n += 1) {
          const reply = await bus.request(subject, { data: { n }, headers: { 'x-trace': `t${n}` } }, { timeoutMs: 2000 });
          expect(reply.data).toMatchObject({ echo: { n } });
          expect(reply.headers).toEqual({ 'x-trace': `t${n}` });
        }
        expect(answered).toHaveLength(10);
      });

      it('fails at once with NoResponderError when nobody listens', async () => {
        const started = Date.now();
        const failure = await bus.request(`${space()}.nobody`, { data: 1 }, { timeoutMs: 5000 }).catch((error: unknown) => error);
        expect(failure).toBeInstanceOf(NoResponderError);
        expect(Date.now() - started).toBeLessThan(1000);
      });

      it('fails with RequestTimeoutError when the responder is too slow', async () => {
        const subject = `${space()}.slow`;
        await other.subscribe(subject, async (message) => {
          await sleep(600);
          message.respond({ data: 'late' });
        });
        const started = Date.now();
        const failure = await bus.request(subject, { data: 1 }, { timeoutMs: 200 }).catch((error: unknown) => error);
        expect(failure).toBeInstanceOf(RequestTimeoutError);
        expect(failure).toMatchObject({ subject, timeoutMs: 200 });
        expect(Date.now() - started).toBeGreaterThanOrEqual(180);
        expect(Date.now() - started).toBeLessThan(1000);
      });
    });

    describe('durable streams', () => {
      const collect = async (consumer: DurableConsumer, count: number, ack = true): Promise<DurableMessage[]> => {
        const got: DurableMessage[] = [];
        if (count === 0) return got;
        for await (const message of consumer) {
          if (ack) await message.ack();
          got.push(message);
          if (got.length === count) break;
        }
        return got;
      };

      it('resumes a durable consumer where it stopped: no loss, no redelivery of acked messages', async () => {
        const base = space();
        const name = await stream(bus, [`${base}.>`]);
        for (let n = 1; n <= 100; n += 1) await bus.publishDurable(`${base}.job`, { data: { n } }, { msgId: `job-${n}` });

        const first = await durables.consume(bus, { stream: name, durableName: 'worker', ackWaitMs: 2000 });
        const firstHalf = await collect(first, 50); // leaving the loop stops the consumer
        expect(firstHalf.map(numberOf)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
        expect(firstHalf.map((m) => m.seq)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));

        // "Another process" picks the durable up.
        const second = await durables.consume(other, { stream: name, durableName: 'worker', ackWaitMs: 2000 });
        const iterator = second[Symbol.asyncIterator]();
        const secondHalf: DurableMessage[] = [];
        while (secondHalf.length < 50) {
          const message = await nextWithin(iterator, 3000);
          if (!message) break;
          await message.ack();
          secondHalf.push(message);
        }
        expect(secondHalf.map(numberOf)).toEqual(Array.from({ length: 50 }, (_, i) => i + 51));
        expect(await nextWithin(iterator, 200)).toBeUndefined();
        await second.stop();
        expect((await other.streamInfo(name)).messages).toBe(100);
      });

      it('redelivers a message not acked within ackWait, counting redeliveries; nak and term', async () => {
        const base = space();
        const name = await stream(bus, [`${base}.>`]);
        await bus.publishDurable(`${base}.a`, { data: { n: 1 } });
        const consumer = await durables.consume(bus, { stream: name, durableName: 'slow', ackWaitMs: 300 });
        const iterator = consumer[Symbol.asyncIterator]();

        const delivered = await nextOf(iterator, 2000);
        expect(delivered).toMatchObject({ seq: 1, redeliveryCount: 0, data: { n: 1 }, subject: `${base}.a` });
        const at = Date.now();
        const again = await nextOf(iterator, 2000); // not acked: back after the ack wait
        expect(Date.now() - at).toBeGreaterThanOrEqual(250);
        expect(again).toMatchObject({ seq: 1, redeliveryCount: 1 });
        again.nak(); // at once
        const third = await nextOf(iterator, 1000);
        expect(third).toMatchObject({ seq: 1, redeliveryCount: 2 });
        await third.ack();
        await third.ack(); // idempotent

        await bus.publishDurable(`${base}.b`, { data: { n: 2 } });
        const poison = await nextOf(iterator, 2000);
        expect(poison).toMatchObject({ seq: 2, redeliveryCount: 0 });
        poison.term();
        expect(await nextWithin(iterator, 500)).toBeUndefined(); // neither seq 1 (acked) nor seq 2 (term'ed)
        await consumer.stop();
      });

      it('nak with a delay, and gives up after maxDeliver deliveries', async () => {
        const base = space();
        const name = await stream(bus, [`${base}.>`]);
        await bus.publishDurable(`${base}.a`, { data: { n: 1 } });
        const consumer = await durables.consume(bus, { stream: name, durableName: 'limited', ackWaitMs: 200, maxDeliver: 2 });
        const iterator = consumer[Symbol.asyncIterator]();
        const first = await nextOf(iterator, 2000);
        first.nak(100);
        const at = Date.now();
        const second = await nextOf(iterator, 2000);
        expect(Date.now() - at).toBeGreaterThanOrEqual(80);
        expect(second).toMatchObject({ seq: 1, redeliveryCount: 1 });
        // Neither nak'ed nor acked: the ack wait passes, but that was the last allowed delivery.
        expect(await nextWithin(iterator, 600)).toBeUndefined();
        await consumer.stop();
      });

      it('stores a msgId once within the duplicate window', async () => {
        const base = space();
        const name = await stream(bus, [`${base}.>`]);
        const one = await bus.publishDurable(`${base}.x`, { data: 1 }, { msgId: 'cmd-1' });
        const again = await other.publishDurable(`${base}.x`, { data: 1 }, { msgId: 'cmd-1' });
        const two = await bus.publishDurable(`${base}.x`, { data: 2 }, { msgId: 'cmd-2' });
        expect(one).toEqual({ stream: name, seq: 1, duplicate: false });
        expect(again).toEqual({ stream: name, seq: 1, duplicate: true });
        expect(two).toEqual({ stream: name, seq: 2, duplicate: false });
        expect(await bus.streamInfo(name)).toMatchObject({ name, messages: 2, firstSeq: 1, lastSeq: 2, subjects: [`${base}.>`] });
      });

      it('filters by subject, starts new durables at the end on request, and shares a durable between consumers', async () => {
        const base = space();
        const name = await stream(bus, [`${base}.>`]);
        for (const kind of ['a', 'b', 'a', 'b']) await bus.publishDurable(`${base}.${kind}`, { data: kind });
        const onlyB = await durables.consume(bus, { stream: name, durableName: 'only-b', filterSubject: `${base}.b` });
        expect((await collect(onlyB, 2)).map((m) => m.seq)).toEqual([2, 4]);

        const fresh = await durables.consume(bus, { stream: name, durableName: 'fresh', deliverPolicy: 'new' });
        const freshIterator = fresh[Symbol.asyncIterator]();
        await bus.publishDurable(`${base}.a`, { data: 'later' });
        expect((await nextWithin(freshIterator, 2000))?.seq).toBe(5);
        await fresh.stop();

        const left = await durables.consume(bus, { stream: name, durableName: 'shared', prefetch: 1 });
        const right = await durables.consume(other, { stream: name, durableName: 'shared', prefetch: 1 });
        const seen: number[] = [];
        const drain = async (consumer: DurableConsumer) => {
          const iterator = consumer[Symbol.asyncIterator]();
          for (;;) {
            const message = await nextWithin(iterator, 600);
            if (!message) return;
            seen.push(message.seq);
            await message.ack();
          }
        };
        await Promise.all([drain(left), drain(right)]);
        expect(seen.sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5]);
        await Promise.all([left.stop(), right.stop()]);
      });

      it('stores plain publishes on captured subjects, and durable publishes reach plain subscribers', async () => {
        const base = space();
        const name = await stream(bus, [`${base}.s.*`]);
        const plain: IncomingMessage[] = [];
        await other.subscribe(`${base}.s.*`, (message) => void plain.push(message));
        await bus.publish(`${base}.s.core`, { data: 'core', headers: { 'x-k': 'v' } });
        await bus.publishDurable(`${base}.s.durable`, { data: 'durable' });
        await waitFor(() => plain.length === 2, 3000, 'both at the plain subscriber');
        expect(plain.map((m) => [m.data, m.isRequest])).toEqual([
          ['core', false],
          ['durable', false],
        ]);
        const consumer = await durables.consume(bus, { stream: name, durableName: 'all' });
        const stored = await collect(consumer, 2);
        expect(stored.map((m) => [m.seq, m.data, m.headers])).toEqual([
          [1, 'core', { 'x-k': 'v' }],
          [2, 'durable', {}],
        ]);
      });

      it('reports missing streams, uncaptured subjects and conflicting settings with typed errors', async () => {
        const base = space();
        await expect(bus.publishDurable(`${base}.nowhere`, { data: 1 })).rejects.toBeInstanceOf(NoStreamForSubjectError);
        await expect(durables.consume(bus, { stream: `CT_${run}_missing`, durableName: 'd' })).rejects.toBeInstanceOf(DurableStreamNotFoundError);
        await expect(bus.streamInfo(`CT_${run}_missing`)).rejects.toBeInstanceOf(DurableStreamNotFoundError);
        expect(await bus.deleteStream(`CT_${run}_missing`)).toBe(false);

        const name = await stream(bus, [`${base}.orders.>`]);
        // Overlapping subjects belong to one stream only.
        const overlapping = `CT_${run}_overlap`;
        streams.push(overlapping);
        await expect(bus.ensureStream({ name: overlapping, subjects: [`${base}.*.eu`] })).rejects.toBeInstanceOf(InvalidBusConfigError);
        // Updating the same stream is fine and changes its subjects.
        expect((await bus.ensureStream({ name, subjects: [`${base}.orders.>`, `${base}.refunds.>`] })).subjects).toEqual([
          `${base}.orders.>`,
          `${base}.refunds.>`,
        ]);
        await expect(durables.consume(bus, { stream: name, durableName: 'f', filterSubject: `${base}.other.>` })).rejects.toBeInstanceOf(InvalidBusConfigError);
        for (const bad of ['has.dot', 'has space', '', 'x'.repeat(65)]) {
          await expect(bus.ensureStream({ name: bad, subjects: [`${base}.bad`] }), bad).rejects.toBeInstanceOf(InvalidBusConfigError);
          await expect(durables.consume(bus, { stream: name, durableName: bad }), bad).rejects.toBeInstanceOf(InvalidBusConfigError);
        }
        await expect(bus.ensureStream({ name: `CT_${run}_x`, subjects: ['a..b'] })).rejects.toBeInstanceOf(InvalidSubjectError);
      });

      it('ends a consumer with DurableStreamNotFoundError when its stream is deleted', async () => {
        const base = space();
        const name = await stream(bus, [`${base}.>`]);
        const consumer = await durables.consume(bus, { stream: name, durableName: 'orphan' });
        const outcome = consumer[Symbol.asyncIterator]()
          .next()
          .then(
            () => 'delivered',
            (error: unknown) => error,
          );
        // The port cannot show that the consumer is parked on its next message; give it a moment to be.
        await sleep(50);
        expect(await other.deleteStream(name)).toBe(true);
        expect(await outcome).toBeInstanceOf(DurableStreamNotFoundError);
      });

      it('ends a consumer with DurableConsumerNotFoundError when its durable is deleted, which forgets its position', async () => {
        const base = space();
        const name = await stream(bus, [`${base}.>`]);
        await bus.publishDurable(`${base}.a`, { data: 1 });
        const consumer = await durables.consume(bus, { stream: name, durableName: 'gone' });
        const iterator = consumer[Symbol.asyncIterator]();
        await (await nextOf(iterator, 2000)).ack();
        const outcome = iterator.next().then(
          () => 'delivered',
          (error: unknown) => error,
        );
        // The port cannot show that the consumer is parked on its next message; give it a moment to be.
        await sleep(50);
        expect(await durables.delete(other, name, 'gone')).toBe(true);
        expect(await durables.delete(other, name, 'gone')).toBe(false);
        expect(await outcome).toBeInstanceOf(DurableConsumerNotFoundError);
        // A new durable of the same name starts over.
        const again = await durables.consume(bus, { stream: name, durableName: 'gone' });
        expect((await collect(again, 1)).map((m) => m.seq)).toEqual([1]);
      });
    });

    describe('close', () => {
      it('lets handlers finish what they received, then refuses further use', async () => {
        const closing = await open();
        const subject = `${space()}.drain`;
        const handled: number[] = [];
        await closing.subscribe(subject, async (message) => {
          await sleep(10); // a handler still busy when close() starts
          handled.push(numberOf(message));
        });
        for (let n = 0; n < 5; n += 1) await closing.publish(subject, { data: { n } });
        await closing.close();
        expect(handled).toEqual([0, 1, 2, 3, 4]);
        expect(closing.isConnected()).toBe(false);
        await expect(closing.publish(subject, { data: 1 })).rejects.toBeInstanceOf(BusUnavailableError);
        await expect(closing.subscribe(subject, () => {})).rejects.toBeInstanceOf(BusUnavailableError);
        await expect(closing.request(subject, { data: 1 })).rejects.toBeInstanceOf(BusUnavailableError);
        await closing.close(); // idempotent
      });
    });
  });
}
