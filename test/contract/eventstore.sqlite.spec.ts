import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { EventStoreUnavailableError, WrongExpectedVersionError } from '../../infra/eventstore/errors.ts';
import type { RecordedEvent } from '../../infra/eventstore/port.ts';
import { SqliteEventStore, type SqliteEventStoreOptions } from '../../infra/eventstore/sqlite.ts';
import { collect, take, waitFor } from '../support/async.ts';
import { describeEventStoreContract } from './eventstore.contract.ts';
import { required } from '../../domain/shared/required.ts';

const dbFile = () => join(mkdtempSync(join(tmpdir(), 'ag-es-')), 'events.db');

describeEventStoreContract('embedded SQLite (file, WAL)', async () => new SqliteEventStore({ path: dbFile() }));

describe('embedded SQLite event store', () => {
  const opened: SqliteEventStore[] = [];
  const open = (options: Partial<SqliteEventStoreOptions> = {}) => {
    const store = new SqliteEventStore({ path: dbFile(), ...options });
    opened.push(store);
    return store;
  };
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((store) => store.close()));
  });
  const event = (type = 'T', data: Record<string, string | number> = {}) => ({ id: randomUUID(), type, data, metadata: {} });
  /** The store's connection, for pragmas a test needs (the adapter keeps it private). */
  const connectionOf = (store: SqliteEventStore) => (store as unknown as { db: Database.Database }).db;

  describe('system events in $all', () => {
    it('skips $-typed events without ending a read or a catch-up early, whatever the page size', async () => {
      const store = open({ pageSize: 2, pollIntervalMs: 5000 });
      const types = ['A', '$metadata', '$x', 'B', '$y', 'C', 'D', '$z', '$w', 'E'];
      await store.appendToStream(
        'x-1',
        types.map((type) => event(type)),
      );
      await store.appendToStream('y-1', [event('$settings'), event('F')]);

      const wanted = ['A', 'B', 'C', 'D', 'E', 'F'];
      expect((await collect(store.readAll())).map((e) => e.type)).toEqual(wanted);
      expect((await collect(store.readAll({ maxCount: 4 }))).map((e) => e.type)).toEqual(['A', 'B', 'C', 'D']);
      expect((await collect(store.readAll({ direction: 'backwards' }))).map((e) => e.type)).toEqual([...wanted].reverse());
      expect((await collect(store.readAll({ filter: { streamPrefixes: ['x-'] } }))).map((e) => e.type)).toEqual(wanted.slice(0, 5));
      expect((await collect(store.readAll({ filter: { eventTypes: ['$x', 'E', 'F'] } }))).map((e) => e.type)).toEqual(['E', 'F']);
      // The stream itself still holds them.
      expect(await collect(store.readStream('x-1'))).toHaveLength(types.length);

      // Catch-up delivers everything at once (not after a 5 s poll).
      const subscription = store.subscribeToAll();
      const started = Date.now();
      expect((await take(subscription, 6, 1000)).map((e) => e.type)).toEqual(wanted);
      expect(Date.now() - started).toBeLessThan(1000);
      await subscription.unsubscribe();
    });

    it('treats LIKE wildcards in types literally: only a leading $ marks a system event', async () => {
      const store = open({ pageSize: 2 });
      await store.appendToStream('x-1', [event('_x'), event('%y'), event('a$'), event('$sys')]);
      expect((await collect(store.readAll())).map((e) => e.type)).toEqual(['_x', '%y', 'a$']);
    });

    it('matches stream prefixes with characters outside the BMP', async () => {
      const store = open();
      await store.appendToStream('🚀ship-1', [event('Launched')]);
      await store.appendToStream('🚀shop-1', [event('Opened')]);
      expect((await collect(store.readAll({ filter: { streamPrefixes: ['🚀ship'] } }))).map((e) => e.type)).toEqual(['Launched']);
    });
  });

  describe('subscriptions', () => {
    it('delivers an event appended while the consumer is busy without waiting for the poll', async () => {
      const store = open({ pollIntervalMs: 5000 });
      const subscription = store.subscribeToAll();
      const deliveredAt = new Map<number, number>();
      const consuming = (async () => {
        for await (const e of subscription) {
          deliveredAt.set(Number(e.data.n), Date.now());
          if (deliveredAt.size === 2) break;
          // Slow processing of the first event: the append below happens now, not while the subscription sleeps.
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      })();
      await store.appendToStream('s-1', [event('T', { n: 1 })]);
      await waitFor(() => deliveredAt.has(1), 1000, 'the first event');
      await new Promise((resolve) => setTimeout(resolve, 10)); // a fixed wait: into the first event's 100 ms of processing
      const appendedAt = Date.now();
      await store.appendToStream('s-1', [event('T', { n: 2 })]);
      await waitFor(() => deliveredAt.has(2), 2000, 'the event appended while the consumer was busy');
      // 100 ms of processing left, then it must come at once.
      expect(required(deliveredAt.get(2), 'waited for above') - appendedAt).toBeLessThan(500);
      await consuming;
      await subscription.unsubscribe();
    });

    it('leaves no listener behind: unsubscribed before iterating, after iterating, or left with break', async () => {
      const store = open();
      for (let n = 0; n < 1000; n += 1) await store.subscribeToAll().unsubscribe();
      expect(store.listenerCount).toBe(0);

      await store.appendToStream('s-1', [event(), event()]);
      const iterated = store.subscribeToAll();
      expect(await take(iterated, 1)).toHaveLength(1);
      expect(store.listenerCount).toBeGreaterThan(0);
      await iterated.unsubscribe();
      expect(store.listenerCount).toBe(0);

      const left = store.subscribeToAll();
      for await (const e of left) if (e.revision === 1n) break;
      expect(store.listenerCount).toBe(0);

      const waiting = store.subscribeToAll({ afterPosition: await store.headPosition() });
      const next = waiting[Symbol.asyncIterator]().next();
      await waitFor(() => store.listenerCount > 0, 1000, 'the subscription to wait for appends');
      await waiting.unsubscribe();
      expect(await next).toMatchObject({ done: true });
      expect(store.listenerCount).toBe(0);
    });

    it('ends live subscriptions when the store closes', async () => {
      const store = new SqliteEventStore({ path: dbFile(), pollIntervalMs: 5000 });
      const subscription = store.subscribeToAll();
      const next = subscription[Symbol.asyncIterator]().next();
      await waitFor(() => store.listenerCount > 0, 1000, 'the subscription to wait for appends');
      await store.close();
      expect(await next).toMatchObject({ done: true });
      expect(store.listenerCount).toBe(0);
    });
  });

  describe('scan windows: a filter that matches rarely', () => {
    it('reads forwards and backwards across windows in which nothing matched, honouring maxCount', async () => {
      const store = open({ pageSize: 2, scanWindow: 3 });
      for (let n = 0; n < 30; n += 1) await store.appendToStream(n % 7 === 0 ? 'rare-1' : 'noise-1', [event('T', { n })]);
      const rare = [0, 7, 14, 21, 28];
      const read = async (options: Parameters<SqliteEventStore['readAll']>[0]) => (await collect(store.readAll(options))).map((e) => e.data.n);
      expect(await read({ filter: { streamPrefixes: ['rare-'] } })).toEqual(rare);
      expect(await read({ filter: { streamPrefixes: ['rare-'] }, maxCount: 3 })).toEqual([0, 7, 14]);
      expect(await read({ filter: { streamPrefixes: ['rare-'] }, direction: 'backwards' })).toEqual([...rare].reverse());
      expect(await read({ filter: { streamPrefixes: ['rare-'] }, direction: 'backwards', fromPosition: 20n, maxCount: 2 })).toEqual([14, 7]);
      expect(await read({ filter: { streamPrefixes: ['none-'] } })).toEqual([]);
      expect(await read({ fromPosition: 27n })).toEqual([26, 27, 28, 29]);

      const subscription = store.subscribeToAll({ filter: { streamPrefixes: ['rare-'] } });
      expect((await take(subscription, 5)).map((e) => e.data.n)).toEqual(rare);
      await subscription.unsubscribe();
    });

    it('a subscription reads each appended position about once, however far back its last match lies', async () => {
      const store = open({ pageSize: 16, pollIntervalMs: 5000 });
      await store.appendToStream('wanted-1', [event('Wanted')]);
      const checkpoints: bigint[] = [];
      const subscription = store.subscribeToAll({ filter: { eventTypes: ['Wanted'] }, checkpointReached: (position) => void checkpoints.push(position) });
      const received: RecordedEvent[] = [];
      const consuming = (async () => {
        for await (const e of subscription) received.push(e);
      })();
      await waitFor(() => received.length === 1, 2000, 'the first event');
      const before = store.readCosts();
      const appends = 100;
      for (let n = 0; n < appends; n += 1) {
        await store.appendToStream('noise-1', [event('Noise', { n })]);
        // Each append is read while the subscription is live (not all at once at the end).
        await waitFor(() => checkpoints.at(-1) === BigInt(n + 2), 2000, `the checkpoint after append ${n}`);
      }
      const scanned = store.readCosts().positionsScanned - before.positionsScanned;
      // Reading from the last match on every append would cover 1 + 2 + ... + 100 = 5,050 positions.
      expect(scanned).toBeLessThanOrEqual(appends * 2);
      expect(checkpoints.at(-1)).toBe(await store.headPosition());
      await subscription.unsubscribe();
      await consuming;
    });
  });

  describe('group commit', () => {
    it('answers each append of a batch on its own: one refused append does not fail its neighbours', async () => {
      const store = open();
      await store.appendToStream('s-1', [event()], { expectedRevision: 'no_stream' });
      const outcomes = await Promise.allSettled([
        store.appendToStream('s-2', [event()]),
        store.appendToStream('s-1', [event()], { expectedRevision: 5n }),
        store.appendToStream('s-3', [event()]),
      ]);
      expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      expect((outcomes[1] as PromiseRejectedResult).reason).toBeInstanceOf(WrongExpectedVersionError);
      expect(await collect(store.readAll())).toHaveLength(3);
    });

    it('reports a write lock held elsewhere past the busy timeout as unavailable, and writes once it is free', async () => {
      const path = dbFile();
      const store = new SqliteEventStore({ path, busyTimeoutMs: 100 });
      opened.push(store);
      await store.appendToStream('s-1', [event()], { expectedRevision: 'no_stream' });
      const other = new Database(path);
      try {
        other.exec('BEGIN IMMEDIATE');
        const outcomes = await Promise.allSettled([store.appendToStream('s-1', [event()], { expectedRevision: 0n }), store.appendToStream('s-2', [event()])]);
        for (const outcome of outcomes) {
          expect(outcome.status).toBe('rejected');
          const reason = (outcome as PromiseRejectedResult).reason as unknown;
          expect(reason).toBeInstanceOf(EventStoreUnavailableError);
          expect((reason as Error).cause).toMatchObject({ code: 'SQLITE_BUSY' });
        }
        other.exec('ROLLBACK');
      } finally {
        other.close();
      }
      expect((await store.appendToStream('s-1', [event()], { expectedRevision: 0n })).nextExpectedRevision).toBe(1n);
      expect(await collect(store.readAll())).toHaveLength(2);
    });

    it('when the disk fills up mid-batch, rejects the whole batch as unavailable and writes none of it', async () => {
      const store = open();
      const db = connectionOf(store);
      await store.appendToStream('warm-1', [event()]);
      const pages = Number(db.pragma('page_count', { simple: true }));
      db.pragma(`max_page_count = ${pages + 3}`);

      const outcomes = await Promise.allSettled([
        store.appendToStream('small-1', [event()]),
        store.appendToStream('huge-1', [event('T', { big: 'x'.repeat(20_000) })]),
        store.appendToStream('small-2', [event()]),
      ]);
      for (const outcome of outcomes) {
        expect(outcome.status).toBe('rejected');
        const reason = (outcome as PromiseRejectedResult).reason as unknown;
        expect(reason).toBeInstanceOf(EventStoreUnavailableError);
        expect((reason as Error).cause).toMatchObject({ code: 'SQLITE_FULL' });
      }
      // Nothing of the batch was written, in particular not the append after the failed one (as an autocommit).
      expect((await collect(store.readAll())).map((e) => e.streamId)).toEqual(['warm-1']);

      // The store keeps working once there is room again.
      db.pragma('max_page_count = 1073741823');
      const result = await store.appendToStream('small-2', [event()], { expectedRevision: 'no_stream' });
      expect(result.nextExpectedRevision).toBe(0n);
      expect((await collect(store.readAll())).map((e) => e.streamId)).toEqual(['warm-1', 'small-2']);
    });
  });

  it('reports events another connection appended, in $all and to subscriptions', async () => {
    const path = dbFile();
    const writer = new SqliteEventStore({ path });
    const reader = new SqliteEventStore({ path, pollIntervalMs: 20 });
    opened.push(writer, reader);
    const subscription = reader.subscribeToAll();
    const received: RecordedEvent[] = [];
    const consuming = (async () => {
      for await (const e of subscription) {
        received.push(e);
        if (received.length === 3) break;
      }
    })();
    await writer.appendToStream('w-1', [event('T', { n: 1 }), event('T', { n: 2 })]);
    await writer.appendToStream('w-2', [event('T', { n: 3 })]);
    await waitFor(() => received.length === 3, 2000, 'the other connection’s events');
    await consuming;
    expect(received.map((e) => e.data.n)).toEqual([1, 2, 3]);
    expect(await reader.headPosition()).toBe(received[2]?.position);
  });
});
