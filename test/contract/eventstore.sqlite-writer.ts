/**
 * A second process for eventstore.sqlite-multiprocess.spec.ts: opens the SQLite event store at argv[2], appends a
 * `WriterReady` event, waits until the log holds `argv[5]` events (every participant's `WriterReady`, so all start
 * together), then appends argv[3] events from argv[4] concurrent writers (one stream each, exact expected revisions,
 * pausing a millisecond between appends so the processes' commits interleave). Prints one JSON line with every
 * append's outcome (a WriterReport).
 *
 *   node --import tsx test/contract/eventstore.sqlite-writer.ts <file> <events> <writers> <participants> <stream prefix>
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { SqliteEventStore } from '../../infra/eventstore/sqlite.ts';
import { appendConcurrently } from '../support/concurrent-appends.ts';

export interface WriterReport {
  appended: Array<{ streamId: string; revision: string; position: string }>;
  errors: string[];
}

const [path, eventsArg = '100', writersArg = '4', participantsArg = '1', prefix = `child${process.pid}`] = process.argv.slice(2);
if (!path) throw new Error('usage: eventstore.sqlite-writer.ts <file> <events> <writers> <participants> <stream prefix>');
const total = Number(eventsArg);
const writers = Number(writersArg);
const participants = BigInt(participantsArg);

const store = new SqliteEventStore({ path });
await store.appendToStream(`${prefix}-ready`, [{ id: randomUUID(), type: 'WriterReady', data: {}, metadata: {} }]);
const deadline = Date.now() + 15_000;
while ((await store.headPosition()) < participants) {
  if (Date.now() > deadline) throw new Error('the other writers did not start');
  await sleep(1);
}

const { appended, errors } = await appendConcurrently(store, {
  prefix,
  total,
  writers,
  // A pause between appends, so the processes' writes interleave (the contention is the test).
  pauseMs: 1,
  event: (n) => ({ id: randomUUID(), type: 'ChildWrote', data: { n, pid: process.pid }, metadata: {} }),
});
const report: WriterReport = {
  appended: appended.map((entry) => ({ streamId: entry.streamId, revision: String(entry.revision), position: String(entry.position) })),
  errors: errors.map((error) => {
    const code = error instanceof Error && 'code' in error ? String(error.code) : '';
    const cause = error instanceof Error && error.cause instanceof Error ? ` (cause: ${error.cause.message})` : '';
    return `${error instanceof Error ? `${error.name}:${code} ${error.message}` : String(error)}${cause}`;
  }),
};
await store.close();
process.stdout.write(`${JSON.stringify(report)}\n`);
