import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { startPlatform } from '../../bin/platform/start-platform.ts';
import { loadConfig } from '../../infra/config/env.ts';
import { LogConsumer } from '../../infra/log-consumer/log-consumer.ts';
import { appendEvents, countingStore, recordingProcessor } from '../support/log-consumer-fixtures.ts';
import { tempStore } from '../support/pipeline.ts';

const silent = pino({ level: 'silent' });

describe('one LogConsumer per process', () => {
  it('feeds every processor from one $all subscription, each with the events it wants, in order', async () => {
    const { store, counts } = countingStore(tempStore());
    const consumer = new LogConsumer(store);
    const all = recordingProcessor('all');
    const onlyA = recordingProcessor('a', { wants: { streamPrefixes: ['a-'] } });
    const onlyFlagged = recordingProcessor('flagged', { wants: { eventTypes: ['Flagged'] } });
    const cursors = [all, onlyA, onlyFlagged].map(({ processor }) => consumer.attach(processor, 0n));

    await appendEvents(store, 'a-1', 5);
    await appendEvents(store, 'b-1', 5, 'Flagged');
    const head = await appendEvents(store, 'a-2', 5, 'Flagged');
    for (const cursor of cursors) expect(await cursor.waitFor(head)).toBe(true);

    expect(all.seen.map((event) => event.streamId)).toEqual([...Array(5).fill('a-1'), ...Array(5).fill('b-1'), ...Array(5).fill('a-2')]);
    expect(onlyA.seen.map((event) => event.streamId)).toEqual([...Array(5).fill('a-1'), ...Array(5).fill('a-2')]);
    expect(onlyFlagged.seen.map((event) => event.streamId)).toEqual([...Array(5).fill('b-1'), ...Array(5).fill('a-2')]);
    expect(counts).toMatchObject({ opened: 1, open: 1 });
    await consumer.stop();
    expect(counts.open).toBe(0);
    await store.close();
  });

  it('is the only long-lived $all subscription of a started platform (there were 22, one per follower)', async () => {
    const { store, counts } = countingStore(tempStore());
    const config = loadConfig({ LOG_LEVEL: 'silent', DATA_DIR: mkdtempSync(join(tmpdir(), 'ag-consumer-')) });
    const platform = await startPlatform(config, store, silent);
    const head = await appendEvents(store, 'note-1', 3);
    expect(await platform.projections.waitFor(head)).toBe(true);
    expect(await platform.fanout.waitFor(head)).toBe(true);
    expect(await platform.work.settled(head)).toBe(true);
    expect(await platform.apiKeys.waitFor(head)).toBe(true);
    expect(counts).toMatchObject({ opened: 1, open: 1 });
    await platform.close();
    expect(counts.open).toBe(0);
  });
});
