import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { required } from '../../domain/shared/required.ts';
import { startPlatform } from '../../bin/platform/start-platform.ts';
import { loadConfig } from '../../infra/config/env.ts';
import { MemoryBroker, MemoryBus } from '../../infra/bus/memory.ts';
import { openBus } from '../../infra/bus/open.ts';
import type { Bus, IncomingMessage } from '../../infra/bus/port.ts';
import type { EventStore, EventToAppend } from '../../infra/eventstore/port.ts';
import { CheckpointError, FileCheckpointStore, MemoryCheckpointStore } from '../../infra/log-consumer/checkpoint-store.ts';
import { EventFanout, eventSubject, type EventFanoutOptions, type FanoutMessage } from '../../processes/event-fanout.ts';
import { collect, take, waitFor } from '../support/async.ts';
import { memoryDurableConsumers } from '../support/durable-consumer/memory.ts';
import { natsDurableConsumers } from '../support/durable-consumer/nats.ts';
import type { DurableConsumers, DurableMessage } from '../support/durable-consumer/port.ts';
import { tempStore } from '../support/pipeline.ts';
import { serviceUrl } from '../support/services.ts';
import { LogConsumer } from '../../infra/log-consumer/log-consumer.ts';

const silent = pino({ level: 'silent' });
const tempDir = () => mkdtempSync(join(tmpdir(), 'ag-fanout-'));

function event(type: string, orgId: string | null, data: Record<string, unknown> = {}): EventToAppend {
  const id = randomUUID();
  return { id, type, data: { ...data } as EventToAppend['data'], metadata: { eventId: id, orgId, occurredAt: new Date().toISOString(), schemaVersion: 1 } };
}

/** A small log with org, roster, subject, API key (with a key hash) and oddly named events. */
async function appendMixedLog(store: EventStore, orgId: string): Promise<void> {
  await store.appendToStream(`org-${orgId}`, [event('OrgRegistered', orgId, { orgId, name: 'Lab' }), event('OrgMetadataUpdated', orgId, { orgId })]);
  await store.appendToStream(`roster-${orgId}`, [event('RoleDefined', orgId, { orgId, role: { name: 'writer' } })]);
  const subjectId = randomUUID();
  await store.appendToStream(`subject-${subjectId}`, [event('SubjectRegistered', null, { subjectId })]);
  await store.appendToStream('apikey-k1', [
    event('DecisionRecorded', null, { request: { command: { type: 'IssueApiKey', data: { keyId: 'k1', keyHash: 'a'.repeat(64) } } } }),
    event('ApiKeyIssued', null, { keyId: 'k1', keyHash: 'a'.repeat(64), principal: { id: 'admin:k1', kind: 'admin' }, label: 'x' }),
  ]);
  await store.appendToStream(`odd-${orgId}`, [event('Weird.Type*', orgId, {})]);
}

interface Harness {
  /** A new client of the same server (another process); the MemoryBus variant shares one broker. */
  connect(): Promise<Bus>;
  storage: 'file' | 'memory';
}

let consumerCounter = 0;

/** The durable consumers of the streams the bus reaches. */
function durablesOf(bus: Bus): DurableConsumers {
  if (bus instanceof MemoryBus) return memoryDurableConsumers;
  if (natsUrl === undefined) throw new Error('a NATS bus without NATS_URL');
  return natsDurableConsumers(natsUrl);
}

/** Every message stored in the stream, read with a fresh durable consumer, in stream order. */
async function storedMessages(bus: Bus, stream: string): Promise<DurableMessage[]> {
  const info = await bus.streamInfo(stream);
  consumerCounter += 1;
  const consumer = await durablesOf(bus).consume(bus, { stream, durableName: `check_${consumerCounter}` });
  const messages = await take(consumer, info.messages, 10_000);
  for (const message of messages) await message.ack();
  await consumer.stop();
  return messages;
}

function describeFanout(adapter: string, harness: () => Harness): void {
  describe(`event fan-out on the ${adapter} bus`, () => {
    const run = randomUUID().replaceAll('-', '').slice(0, 10);
    let counter = 0;
    const buses: Bus[] = [];
    const streams: string[] = [];
    let h: Harness;
    /** A fresh stream name and subject prefix per test, so parallel runs can share one NATS server. */
    const fresh = (): Required<Pick<EventFanoutOptions, 'streamName' | 'subjectPrefix'>> => {
      counter += 1;
      const names = { streamName: `FANOUT_${run}_${counter}`, subjectPrefix: `fanout${run}x${counter}.events` };
      streams.push(names.streamName);
      return names;
    };
    const connect = async () => {
      const bus = await h.connect();
      buses.push(bus);
      return bus;
    };

    beforeAll(() => {
      h = harness();
    });
    afterAll(async () => {
      const bus = await connect();
      for (const stream of streams) await bus.deleteStream(stream).catch(() => false);
      for (const open of buses) await open.close();
    });

    it('publishes every committed event once, in order, on agencygrid.events.<orgId|platform>.<category>.<EventType>', async () => {
      const store = tempStore();
      const names = fresh();
      const bus = await connect();
      const orgId = randomUUID();
      await appendMixedLog(store, orgId);
      const fanout = new EventFanout(new LogConsumer(store), bus, new MemoryCheckpointStore(), { ...names, storage: h.storage, logger: silent });
      await fanout.start();
      const head = await store.headPosition();
      expect(await fanout.waitFor(head)).toBe(true);

      const log = await collect(store.readAll());
      const stored = await storedMessages(await connect(), names.streamName);
      expect(stored).toHaveLength(log.length);
      const p = names.subjectPrefix;
      expect(stored.map((message) => message.subject)).toEqual([
        `${p}.${orgId}.org.OrgRegistered`,
        `${p}.${orgId}.org.OrgMetadataUpdated`,
        `${p}.${orgId}.roster.RoleDefined`,
        `${p}.platform.subject.SubjectRegistered`,
        `${p}.platform.apikey.DecisionRecorded`,
        `${p}.platform.apikey.ApiKeyIssued`,
        // Never a subject of another shape: offending characters become `_` (the payload keeps the exact type).
        `${p}.${orgId}.odd.Weird_Type_`,
      ]);
      expect(stored.map((message) => message.subject)).toEqual(log.map((recorded) => eventSubject(recorded, p)));
      const payloads = stored.map((message) => message.data as unknown as FanoutMessage);
      expect(payloads.map((payload) => payload.position)).toEqual(log.map((recorded) => recorded.position.toString()));
      const first = required(log[0], 'the first event');
      expect(payloads[0]).toEqual({
        position: first.position.toString(),
        streamId: `org-${orgId}`,
        revision: 0,
        type: 'OrgRegistered',
        data: { orgId, name: 'Lab' },
        metadata: first.metadata,
        orgId,
      });
      expect(payloads[6]).toMatchObject({ type: 'Weird.Type*', orgId });
      expect(required(stored[0], 'the first message').headers).toMatchObject({
        'Event-Id': first.id,
        'Event-Type': 'OrgRegistered',
        'Event-Position': first.position.toString(),
      });
      // Key hashes never leave the platform, nested ones included.
      expect(JSON.stringify(payloads)).not.toContain('keyHash');
      expect(required(payloads[5], 'the sixth payload').data).toEqual({ keyId: 'k1', principal: { id: 'admin:k1', kind: 'admin' }, label: 'x' });

      // Live: what is appended now follows.
      await store.appendToStream(`org-${orgId}`, [event('OrgArchived', orgId, { orgId })]);
      expect(await fanout.waitFor(await store.headPosition())).toBe(true);
      expect(fanout.status()).toMatchObject({ state: 'live', published: log.length + 1, duplicates: 0, failure: null });
      await fanout.stop();
      await store.close();
    });

    it('resumes from its checkpoint after a restart: no gap, and what it publishes again is deduplicated by msgId', async () => {
      const store = tempStore();
      const names = fresh();
      const checkpoints = new FileCheckpointStore(tempDir());
      const orgId = randomUUID();
      for (let n = 0; n < 10; n += 1) await store.appendToStream(`org-${orgId}`, [event('OrgMetadataUpdated', orgId, { n })]);

      const first = new EventFanout(new LogConsumer(store), await connect(), checkpoints, { ...names, storage: h.storage, logger: silent });
      await first.start();
      expect(await first.waitFor(await store.headPosition())).toBe(true);
      await first.stop();
      const saved = await checkpoints.load('event-fanout');
      expect(saved).toBe(await store.headPosition());

      // Down for a while: more events. And a crash just before the last checkpoint save: the checkpoint is behind.
      for (let n = 10; n < 15; n += 1) await store.appendToStream(`org-${orgId}`, [event('OrgMetadataUpdated', orgId, { n })]);
      await checkpoints.save('event-fanout', required(saved, 'the saved checkpoint') - 4n);

      const second = new EventFanout(new LogConsumer(store), await connect(), checkpoints, { ...names, storage: h.storage, logger: silent });
      await second.start();
      expect(await second.waitFor(await store.headPosition())).toBe(true);
      expect(second.status()).toMatchObject({ published: 5, duplicates: 4 });
      await second.stop();
      expect(await checkpoints.load('event-fanout')).toBe(await store.headPosition());

      const stored = await storedMessages(await connect(), names.streamName);
      expect(stored.map((message) => (message.data as { data: { n: number } }).data.n)).toEqual(Array.from({ length: 15 }, (_, n) => n));
      await store.close();
    });

    it('reaches core subscribers too, and starts at the head when asked to (no checkpoint)', async () => {
      const store = tempStore();
      const names = fresh();
      const orgId = randomUUID();
      await store.appendToStream(`org-${orgId}`, [event('OrgRegistered', orgId)]);
      const bus = await connect();
      const received: IncomingMessage[] = [];
      const subscription = await bus.subscribe(`${names.subjectPrefix}.${orgId}.>`, (message) => {
        received.push(message);
      });
      const fanout = new EventFanout(new LogConsumer(store), bus, new MemoryCheckpointStore(), {
        ...names,
        storage: h.storage,
        startFrom: 'head',
        logger: silent,
      });
      await fanout.start();
      await store.appendToStream(`roster-${orgId}`, [event('RoleDefined', orgId)]);
      expect(await fanout.waitFor(await store.headPosition())).toBe(true);
      await waitFor(() => received.length === 1, 5000, 'the live event');
      expect(received[0]).toMatchObject({ subject: `${names.subjectPrefix}.${orgId}.roster.RoleDefined`, isRequest: false });
      expect((await bus.streamInfo(names.streamName)).messages).toBe(1);
      await subscription.unsubscribe();
      await fanout.stop();
      await store.close();
    });

    it('recovers with backoff when its stream is deleted under it, without losing the event that failed', async () => {
      const store = tempStore();
      const names = fresh();
      const bus = await connect();
      const orgId = randomUUID();
      const fanout = new EventFanout(new LogConsumer(store), bus, new MemoryCheckpointStore(), {
        ...names,
        storage: h.storage,
        retryMinMs: 20,
        retryMaxMs: 100,
        logger: silent,
      });
      await fanout.start();
      await store.appendToStream(`org-${orgId}`, [event('OrgRegistered', orgId)]);
      expect(await fanout.waitFor(await store.headPosition())).toBe(true);

      expect(await bus.deleteStream(names.streamName)).toBe(true);
      await store.appendToStream(`org-${orgId}`, [event('OrgArchived', orgId)]);
      expect(await fanout.waitFor(await store.headPosition(), 10_000)).toBe(true);
      const stored = await storedMessages(bus, names.streamName);
      expect(stored.map((message) => (message.data as unknown as FanoutMessage).type)).toEqual(['OrgArchived']);
      expect(fanout.status().failure).toBeNull();
      await fanout.stop();
      await store.close();
    });
  });
}

describeFanout('in-process', () => {
  const broker = new MemoryBroker();
  return { connect: async () => new MemoryBus({ broker }), storage: 'memory' };
});

const natsUrl = serviceUrl('nats', 'NATS_URL');
if (natsUrl) {
  describeFanout('NATS', () => ({
    connect: async () => (await openBus({ NATS_URL: natsUrl }, { name: 'agencygrid-fanout-test' })).bus,
    storage: 'memory',
  }));
  describe('openBus', () => {
    it('opens NATS when NATS_URL is set (durable streams)', async () => {
      const opened = await openBus({ NATS_URL: natsUrl });
      expect(opened).toMatchObject({ durable: true, description: expect.stringMatching(/^NATS /) });
      expect(opened.bus.isConnected()).toBe(true);
      await opened.bus.close();
    });
  });
} else {
  describe.skip('event fan-out on the NATS bus', () => {
    it('needs NATS_URL', () => {});
  });
}

describe('event fan-out edge cases (in-process bus)', () => {
  it('publishes an event too large for the bus without its data, and goes on', async () => {
    const store = tempStore();
    const bus = new MemoryBus({ broker: new MemoryBroker({ maxPayload: 4096 }) });
    const orgId = randomUUID();
    await store.appendToStream(`org-${orgId}`, [event('OrgMetadataUpdated', orgId, { blob: 'x'.repeat(8000) }), event('OrgArchived', orgId)]);
    const fanout = new EventFanout(new LogConsumer(store), bus, new MemoryCheckpointStore(), { logger: silent });
    await fanout.start();
    expect(await fanout.waitFor(await store.headPosition())).toBe(true);
    const stored = (await storedMessages(bus, 'AGENCYGRID_EVENTS')).map((message) => message.data as unknown as FanoutMessage);
    expect(stored).toMatchObject([
      { type: 'OrgMetadataUpdated', data: null, dataOmitted: 'too-large', orgId },
      { type: 'OrgArchived', data: {} },
    ]);
    await fanout.stop();
    await bus.close();
    await store.close();
  });

  it('keeps retrying while the bus is unavailable, reports it, and stops promptly', async () => {
    const store = tempStore();
    const bus = new MemoryBus();
    await bus.close();
    const fanout = new EventFanout(new LogConsumer(store), bus, new MemoryCheckpointStore(), { retryMinMs: 10, retryMaxMs: 50, logger: silent });
    await fanout.start();
    await waitFor(() => fanout.status().state === 'retrying', 2000, 'retrying');
    expect(fanout.status().failure?.message).toMatch(/closed/);
    const started = Date.now();
    await fanout.stop();
    expect(Date.now() - started).toBeLessThan(500);
    expect(fanout.status().state).toBe('stopped');
    await store.close();
  });

  it('refuses to start from a checkpoint it cannot read, rather than republish the whole log', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'event-fanout.checkpoint.json'), '{"position": "12');
    const store = tempStore();
    const fanout = new EventFanout(new LogConsumer(store), new MemoryBus(), new FileCheckpointStore(dir), { logger: silent });
    await expect(fanout.start()).rejects.toBeInstanceOf(CheckpointError);
    await store.close();
  });

  it('runs in the platform on the in-process bus when NATS_URL is not set', async () => {
    const config = loadConfig({ LOG_LEVEL: 'silent', DATA_DIR: tempDir() });
    const store = tempStore();
    const orgId = randomUUID();
    await store.appendToStream(`org-${orgId}`, [event('OrgRegistered', orgId)]);
    const platform = await startPlatform(config, store, silent);
    expect(platform.bus).toBeInstanceOf(MemoryBus);
    const live: IncomingMessage[] = [];
    await platform.bus.subscribe('agencygrid.events.>', (message) => {
      live.push(message);
    });
    await store.appendToStream(`org-${orgId}`, [event('OrgArchived', orgId)]);
    await waitFor(() => live.length === 1, 5000, 'the fanned-out event');
    expect(platform.fanout.status()).toMatchObject({ state: 'live', failure: null });
    // It started at the head: the event from before the start is not in the in-process stream.
    expect(live[0]?.subject).toBe(`agencygrid.events.${orgId}.org.OrgArchived`);
    expect((await platform.bus.streamInfo('AGENCYGRID_EVENTS')).messages).toBe(1);
    await platform.close();
    // No checkpoint under DATA_DIR: the in-process bus keeps it in memory.
    expect(readdirSync(config.dataDir)).not.toContain('checkpoints');
  });
});

describe('FileCheckpointStore', () => {
  it('saves atomically and loads what it saved, per name', async () => {
    const dir = join(tempDir(), 'nested', 'checkpoints');
    const checkpoints = new FileCheckpointStore(dir);
    expect(await checkpoints.load('event-fanout')).toBeUndefined();
    await checkpoints.save('event-fanout', 42n);
    await checkpoints.save('other', 7n);
    await checkpoints.save('event-fanout', 2n ** 63n);
    expect(await checkpoints.load('event-fanout')).toBe(2n ** 63n);
    expect(await new FileCheckpointStore(dir).load('other')).toBe(7n);
    // No temporary file left behind.
    expect(readdirSync(dir).sort()).toEqual(['event-fanout.checkpoint.json', 'other.checkpoint.json']);
  });

  it('refuses names that are not plain tokens (never a path) and negative positions', async () => {
    const checkpoints = new FileCheckpointStore(tempDir());
    await expect(checkpoints.save('../escape', 1n)).rejects.toBeInstanceOf(CheckpointError);
    await expect(checkpoints.load('a/b')).rejects.toBeInstanceOf(CheckpointError);
    await expect(checkpoints.save('fine', -1n)).rejects.toBeInstanceOf(CheckpointError);
  });
});
