import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { restoreBackup, type RestoreReport } from '../../bin/backup/restore-backup.ts';
import { takeBackup } from '../../bin/backup/take-backup.ts';
import { isAppError, type AppError } from '../../domain/shared/app-error.ts';
import { SqliteDocumentStore } from '../../infra/documents/sqlite.ts';
import { SqliteEventStore } from '../../infra/eventstore/sqlite.ts';
import { FileCheckpointStore } from '../../infra/log-consumer/checkpoint-store.ts';
import { removeTempDirs, seedStore, tempDir } from '../support/backup-fixtures.ts';

afterEach(removeTempDirs);

function ok<T>(result: T | AppError): T {
  if (isAppError(result)) throw new Error(`${result.code}: ${result.message} ${JSON.stringify(result.details)}`);
  return result;
}

/** A backup of a data dir whose fan-out checkpoint is at `checkpoint`. */
async function backupOf(checkpoint?: bigint): Promise<{ file: string; head: bigint }> {
  const dataDir = tempDir('restore-source');
  const head = await seedStore(dataDir);
  if (checkpoint !== undefined) await new FileCheckpointStore(join(dataDir, 'checkpoints')).save('event-fanout', checkpoint);
  const file = join(tempDir('restore-backups'), 'store.backup');
  ok(await takeBackup({ dataDir, file }));
  return { file, head };
}

/**
 * `agencygrid restore` writes the event store (and the fan-out's checkpoints) of a new data dir, refuses a dir that
 * holds anything unless told --force, and then moves aside, never deletes, what it replaces.
 */
describe('restore into a data dir', () => {
  it('creates an absent data dir holding the log, which a store opens and appends to after the last position', async () => {
    const { file, head } = await backupOf(3n);
    const dataDir = join(tempDir('restore-target'), 'new', 'data');
    const report = ok(await restoreBackup({ file, dataDir }));

    expect(report).toMatchObject({ dataDir, movedAside: [], leftInPlace: [], checkpointsRestored: { 'event-fanout': '3' } });
    expect(readdirSync(dataDir).sort()).toEqual(['checkpoints', 'events.db']);
    expect(await new FileCheckpointStore(join(dataDir, 'checkpoints')).load('event-fanout')).toBe(3n);
    const store = new SqliteEventStore({ path: join(dataDir, 'events.db') });
    try {
      expect(await store.headPosition()).toBe(head);
      const appended = await store.appendToStream('after-restore', [{ id: randomUUID(), type: 'OrgSuspended', data: {}, metadata: {} }]);
      expect(appended.position).toBe(head + 1n);
    } finally {
      await store.close();
    }
  });

  it('refuses a data dir that is not empty, and changes nothing in it', async () => {
    const { file } = await backupOf();
    const dataDir = tempDir('restore-target');
    writeFileSync(join(dataDir, 'notes.txt'), 'mine');
    const refused = await restoreBackup({ file, dataDir });
    expect(isAppError(refused) && { code: refused.code, details: refused.details }).toEqual({
      code: 'DATA_DIR_NOT_EMPTY',
      details: { dataDir, entries: ['notes.txt'] },
    });
    expect(readdirSync(dataDir)).toEqual(['notes.txt']);
  });

  it('with --force, moves the old store, read models and checkpoints aside, says so, and leaves the rest', async () => {
    const { file, head } = await backupOf(5n);
    const dataDir = tempDir('restore-target');
    await seedStore(dataDir, { streams: 9, perStream: 2 });
    const docs = new SqliteDocumentStore({ path: join(dataDir, 'read-models.db') });
    await docs.upsert('_projections', { _id: 'orgs', position: '18', version: 2 });
    await docs.close();
    await new FileCheckpointStore(join(dataDir, 'checkpoints')).save('event-fanout', 18n);
    writeFileSync(join(dataDir, 'notes.txt'), 'mine');
    mkdirSync(join(dataDir, 'exports'));
    const before = readdirSync(dataDir).sort();

    const now = new Date(Date.now() - 5_000);
    const report: RestoreReport = ok(await restoreBackup({ file, dataDir, force: true, now: () => now }));
    const aside = join(dataDir, `replaced-by-restore-${now.toISOString().replace(/[:.]/g, '-')}`);
    const replaced = before.filter(
      (entry) => ['events.db', 'read-models.db', 'checkpoints'].includes(entry) || entry.startsWith('events.db-') || entry.startsWith('read-models.db-'),
    );
    expect(replaced).toEqual(expect.arrayContaining(['checkpoints', 'events.db', 'read-models.db']));
    expect(report.movedAside).toEqual(replaced.map((entry) => ({ from: join(dataDir, entry), to: join(aside, entry) })));
    expect(report.leftInPlace).toEqual(['exports', 'notes.txt']);
    expect(readdirSync(aside).sort()).toEqual(replaced);
    expect(readFileSync(join(dataDir, 'notes.txt'), 'utf8')).toBe('mine');

    // The restored log and checkpoint are the backup's; the old ones are where the report says.
    expect(await new FileCheckpointStore(join(dataDir, 'checkpoints')).load('event-fanout')).toBe(5n);
    expect(await new FileCheckpointStore(join(aside, 'checkpoints')).load('event-fanout')).toBe(18n);
    expect(existsSync(join(dataDir, 'read-models.db'))).toBe(false);
    const restored = new SqliteEventStore({ path: join(dataDir, 'events.db') });
    const old = new SqliteEventStore({ path: join(aside, 'events.db') });
    try {
      expect(await restored.headPosition()).toBe(head);
      expect(await old.headPosition()).toBe(18n);
    } finally {
      await restored.close();
      await old.close();
    }
  });

  it("with --force, refuses while a process holds the data dir's store open, and moves nothing", async () => {
    const { file } = await backupOf();
    const dataDir = tempDir('restore-target');
    await seedStore(dataDir);
    const running = new SqliteEventStore({ path: join(dataDir, 'events.db') });
    try {
      await running.headPosition();
      const before = readdirSync(dataDir).sort();
      const refused = await restoreBackup({ file, dataDir, force: true });
      expect(isAppError(refused) && { code: refused.code, details: refused.details }).toEqual({
        code: 'DATA_DIR_IN_USE',
        details: { dataDir, files: ['events.db'] },
      });
      expect(readdirSync(dataDir).sort()).toEqual(before);
    } finally {
      await running.close();
    }
  });
});
