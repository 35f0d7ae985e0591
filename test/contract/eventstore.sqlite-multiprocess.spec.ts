import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { WrongExpectedVersionError } from '../../infra/eventstore/errors.ts';
import type { RecordedEvent } from '../../infra/eventstore/port.ts';
import { SqliteEventStore } from '../../infra/eventstore/sqlite.ts';
import { collect, waitFor } from '../support/async.ts';
import type { WriterReport } from './eventstore.sqlite-writer.ts';
import { expectStrictlyIncreasing } from '../support/ordering.ts';
import { appendConcurrently, type Appended } from '../support/concurrent-appends.ts';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const writerScript = fileURLToPath(new URL('./eventstore.sqlite-writer.ts', import.meta.url));

const opened: SqliteEventStore[] = [];
function open(path: string, pollIntervalMs = 20): SqliteEventStore {
  const store = new SqliteEventStore({ path, pollIntervalMs });
  opened.push(store);
  return store;
}
afterEach(async () => {
  await Promise.all(opened.splice(0).map((store) => store.close()));
});

const dbFile = () => join(mkdtempSync(join(tmpdir(), 'ag-es-mp-')), 'events.db');
const newEvent = (type: string, n: number) => ({ id: randomUUID(), type, data: { n }, metadata: {} });

/** Writers in this process, pausing `pauseMs` (if given) after each append. */
const appendFrom = (store: SqliteEventStore, prefix: string, total: number, writers: number, pauseMs?: number) =>
  appendConcurrently(store, { prefix, total, writers, pauseMs, event: (n) => newEvent('ParentWrote', n) });

/** Subscribes from the start and collects until `count` events arrived (or the subscription fails). */
function collectLive(store: SqliteEventStore, count: number) {
  const subscription = store.subscribeToAll();
  const live = { subscription, received: [] as RecordedEvent[], failure: undefined as unknown, ended: false };
  void (async () => {
    try {
      for await (const event of subscription) {
        live.received.push(event);
        if (live.received.length === count) break;
      }
    } catch (error) {
      live.failure = error;
    } finally {
      live.ended = true;
    }
  })();
  return live;
}

async function expectToReceive(live: ReturnType<typeof collectLive>, count: number) {
  await waitFor(() => live.ended || live.received.length === count, 5000, `the subscription to receive ${count} events`);
  expect(live.failure).toBeUndefined();
  expect(live.received).toHaveLength(count);
}

/** Every writer's appends are at consecutive revisions and at increasing positions, in the order they were answered. */
function expectCommitOrderPerStream(appended: readonly Appended[]) {
  const byStream = new Map<string, Appended[]>();
  for (const entry of appended) byStream.set(entry.streamId, [...(byStream.get(entry.streamId) ?? []), entry]);
  for (const entries of byStream.values()) {
    expect(entries.map((entry) => entry.revision)).toEqual(entries.map((_, index) => BigInt(index)));
    expectStrictlyIncreasing(entries.map((entry) => entry.position));
  }
}

describe('embedded SQLite event store shared by several connections', () => {
  it('two store instances on one file: concurrent appends all succeed, in one $all order both see', async () => {
    const path = dbFile();
    const one = open(path);
    const two = open(path);
    const live = collectLive(one, 400);

    const [fromOne, fromTwo] = await Promise.all([appendFrom(one, 'one', 200, 8), appendFrom(two, 'two', 200, 8)]);
    expect(fromOne.errors).toEqual([]);
    expect(fromTwo.errors).toEqual([]);
    const appended = [...fromOne.appended, ...fromTwo.appended];
    expect(new Set(appended.map((entry) => entry.position)).size).toBe(400);
    expectCommitOrderPerStream(fromOne.appended);
    expectCommitOrderPerStream(fromTwo.appended);

    const readByOne = await collect(one.readAll());
    const readByTwo = await collect(two.readAll());
    expect(readByOne.map((e) => e.position)).toEqual(readByTwo.map((e) => e.position));
    expect(new Set(readByOne.map((e) => e.position))).toEqual(new Set(appended.map((entry) => entry.position)));
    expectStrictlyIncreasing(readByOne.map((e) => e.position));

    // The subscription on `one` saw `two`'s events too (by polling), exactly once and in $all order.
    await expectToReceive(live, 400);
    expect(live.received.map((e) => e.position)).toEqual(readByOne.map((e) => e.position));
  });

  it('two store instances on one file: exactly one wins the same expected revision', async () => {
    const path = dbFile();
    const one = open(path);
    const two = open(path);
    await one.appendToStream('shared-1', [newEvent('Created', 0)], { expectedRevision: 'no_stream' });
    const outcomes = await Promise.allSettled([
      one.appendToStream('shared-1', [newEvent('Raced', 1)], { expectedRevision: 0n }),
      two.appendToStream('shared-1', [newEvent('Raced', 2)], { expectedRevision: 0n }),
    ]);
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    const lost = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
    expect(lost?.reason).toBeInstanceOf(WrongExpectedVersionError);
    expect(await collect(two.readStream('shared-1'))).toHaveLength(2);
  });

  it('another process appending concurrently: every append from both succeeds, $all order is commit order', async () => {
    const path = dbFile();
    const store = open(path);
    const perProcess = 300;
    // Both processes write a WriterReady event first and start once the log holds both (2 events).
    const expectedTotal = 2 * perProcess + 2;
    const live = collectLive(store, expectedTotal);

    const child = spawn(process.execPath, ['--import', 'tsx', writerScript, path, String(perProcess), '8', '2', 'child'], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      await store.appendToStream('parent-ready', [newEvent('WriterReady', 0)]);
      await waitFor(async () => (await store.headPosition()) >= 2n || child.exitCode !== null, 15_000, 'the writer process to start');
      expect(child.exitCode, stderr).toBeNull();

      const ours = await appendFrom(store, 'parent', perProcess, 8, 1);
      expect(await exited, stderr).toBe(0);

      const reportLine = stdout.split('\n').find((line) => line.startsWith('{'));
      expect(reportLine, stdout + stderr).toBeDefined();
      const report = JSON.parse(reportLine ?? '{}') as WriterReport;
      expect(report.errors).toEqual([]);
      expect(ours.errors).toEqual([]);
      expect(report.appended).toHaveLength(perProcess);
      expect(ours.appended).toHaveLength(perProcess);

      const theirs: Appended[] = report.appended.map((entry) => ({
        streamId: entry.streamId,
        revision: BigInt(entry.revision),
        position: BigInt(entry.position),
      }));
      expectCommitOrderPerStream(ours.appended);
      expectCommitOrderPerStream(theirs);
      const positions = [...ours.appended, ...theirs].map((entry) => entry.position);
      expect(new Set(positions).size).toBe(2 * perProcess);

      const all = await collect(store.readAll());
      expect(all).toHaveLength(expectedTotal);
      const written = all.filter((e) => e.type !== 'WriterReady');
      expect(new Set(written.map((e) => e.position))).toEqual(new Set(positions));
      expectStrictlyIncreasing(all.map((e) => e.position));
      expect(written.filter((e) => e.type === 'ChildWrote')).toHaveLength(perProcess);
      // The two processes' commits did interleave (the test exercised contention, not two runs one after the other).
      // How often depends on the scheduler: on a loaded 2-core machine (the whole suite running) it can be a handful.
      const switches = written.filter((e, index) => index > 0 && e.type !== written[index - 1]?.type).length;
      expect(switches).toBeGreaterThan(1);

      // The subscription saw the other process's events (by polling), each once, in $all order: no event ever became
      // visible at a position below one already delivered.
      await expectToReceive(live, expectedTotal);
      expect(live.received.map((e) => e.position)).toEqual(all.map((e) => e.position));
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await live.subscription.unsubscribe();
    }
  });
});
