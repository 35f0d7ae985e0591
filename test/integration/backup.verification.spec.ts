import { randomUUID } from 'node:crypto';
import { closeSync, existsSync, openSync, readFileSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { restoreBackup } from '../../bin/backup/restore-backup.ts';
import { takeBackup, type BackupReport } from '../../bin/backup/take-backup.ts';
import { isAppError, type AppError } from '../../domain/shared/app-error.ts';
import { SqliteEventStore } from '../../infra/eventstore/sqlite.ts';
import { removeTempDirs, seedStore, tempDir } from '../support/backup-fixtures.ts';
import { waitFor } from '../support/async.ts';

afterEach(removeTempDirs);

function ok(result: BackupReport | AppError): BackupReport {
  if (isAppError(result)) throw new Error(`${result.code}: ${result.message} ${JSON.stringify(result.details)}`);
  return result;
}

function code(result: unknown): string | undefined {
  return isAppError(result) ? result.code : undefined;
}

/** Runs SQL on a backup file, as a damaged or tampered copy would hold it. */
function tamper(file: string, sql: string): void {
  const db = new Database(file);
  try {
    db.exec(sql);
  } finally {
    db.close();
  }
}

/**
 * `agencygrid backup` succeeds only with a copy it has checked, and `restore` checks a backup against what the backup
 * says it holds before it touches the data dir.
 */
describe('backup verification', () => {
  it('reports what the copy holds, checked: events, streams, positions, event types, the head when it began', async () => {
    const dataDir = tempDir('backup-source');
    const head = await seedStore(dataDir, { streams: 3, perStream: 4 });
    const file = join(tempDir('backup-target'), 'nested', 'store.backup');
    const report = ok(await takeBackup({ dataDir, file, now: () => new Date(Date.now() - 60_000) }));

    expect(report.file).toBe(file);
    expect(report.manifest).toMatchObject({
      format: 1,
      headAtStart: head.toString(),
      log: { events: 12, streams: 3, firstPosition: '1', lastPosition: head.toString(), eventTypes: { DecisionRecorded: 2, OrgMetadataUpdated: 1 } },
      checkpoints: {},
    });
    expect(Date.parse(report.manifest.createdAt)).toBeLessThan(Date.now() - 30_000);
    // The copy holds the whole log: readable by nobody else, and one file (no write-ahead log beside it).
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(existsSync(`${file}-wal`)).toBe(false);
    expect(report.bytes).toBe(statSync(file).size);
    const copy = new Database(file, { readonly: true });
    try {
      expect(copy.prepare('SELECT count(*) AS n FROM events').get()).toEqual({ n: 12 });
      expect(copy.pragma('journal_mode', { simple: true })).toBe('delete');
    } finally {
      copy.close();
    }
  });

  it('refuses a data dir without a store, and an existing file unless --force (which replaces it)', async () => {
    const empty = tempDir('backup-empty');
    expect(code(await takeBackup({ dataDir: empty, file: join(empty, 'x.backup') }))).toBe('EVENT_STORE_NOT_FOUND');
    expect(existsSync(join(empty, 'x.backup'))).toBe(false);

    const dataDir = tempDir('backup-source');
    await seedStore(dataDir);
    expect(code(await takeBackup({ dataDir, file: join(dataDir, 'events.db') }))).toBe('BACKUP_FILE_IS_THE_STORE');
    const file = join(tempDir('backup-target'), 'store.backup');
    writeFileSync(file, 'keep me');
    expect(code(await takeBackup({ dataDir, file }))).toBe('BACKUP_FILE_EXISTS');
    expect(readFileSync(file, 'utf8')).toBe('keep me');
    expect(ok(await takeBackup({ dataDir, file, force: true })).manifest.log.events).toBe(12);
  });

  it('refuses to restore a backup whose events are not those its manifest counts, or that has a gap in a stream', async () => {
    const dataDir = tempDir('backup-source');
    await seedStore(dataDir, { streams: 2, perStream: 4 });
    const target = tempDir('backup-target');

    const shortened = join(target, 'shortened.backup');
    ok(await takeBackup({ dataDir, file: shortened }));
    // The last event of a stream gone: every stream still complete, but the backup holds one event less than it says.
    tamper(shortened, "DELETE FROM events WHERE position = (SELECT max(position) FROM events WHERE stream_id = 'org-0')");
    const mismatch = await restoreBackup({ file: shortened, dataDir: join(target, 'restored-1') });
    expect(code(mismatch)).toBe('BACKUP_MISMATCH');
    expect(isAppError(mismatch) && mismatch.details.differences).toContainEqual({ field: 'events', expected: 8, actual: 7 });

    const gapped = join(target, 'gapped.backup');
    ok(await takeBackup({ dataDir, file: gapped }));
    tamper(gapped, "DELETE FROM events WHERE stream_id = 'org-1' AND revision = 1");
    const gap = await restoreBackup({ file: gapped, dataDir: join(target, 'restored-2') });
    expect(code(gap)).toBe('LOG_INCONSISTENT');
    expect(isAppError(gap) && gap.details.examples).toEqual([{ streamId: 'org-1', events: 3, low: 0, high: 3 }]);

    // Nothing was created for either.
    expect(existsSync(join(target, 'restored-1'))).toBe(false);
    expect(existsSync(join(target, 'restored-2'))).toBe(false);
  });

  it('refuses a damaged file, a file that is no SQLite database, and a store that is no backup', async () => {
    const dataDir = tempDir('backup-source');
    await seedStore(dataDir, { streams: 40, perStream: 40 });
    const target = tempDir('backup-target');

    const damaged = join(target, 'damaged.backup');
    ok(await takeBackup({ dataDir, file: damaged }));
    // Overwrite whole pages of the b-trees after the schema page: headers and cells, not just free space.
    expect(statSync(damaged).size).toBeGreaterThan(64 * 1024);
    const fd = openSync(damaged, 'r+');
    try {
      writeSync(fd, Buffer.alloc(3 * 4096, 0xff), 0, 3 * 4096, 2 * 4096);
    } finally {
      closeSync(fd);
    }
    expect(code(await restoreBackup({ file: damaged, dataDir: join(target, 'restored-1') }))).toBe('LOG_CORRUPT');

    const text = join(target, 'notes.txt');
    writeFileSync(text, 'not a database, but longer than the hundred bytes of an SQLite header. '.repeat(4));
    expect(code(await restoreBackup({ file: text, dataDir: join(target, 'restored-2') }))).toBe('NOT_A_BACKUP');

    // The live store itself is a valid SQLite file with events, but no manifest: not something backup wrote.
    expect(code(await restoreBackup({ file: join(dataDir, 'events.db'), dataDir: join(target, 'restored-3') }))).toBe('NOT_A_BACKUP');
    expect(code(await restoreBackup({ file: join(target, `${randomUUID()}.backup`), dataDir: join(target, 'restored-4') }))).toBe('BACKUP_NOT_FOUND');
  });

  it('copies a store another connection keeps writing to: the copy is the log as of one commit, at least its head at start', async () => {
    const dataDir = tempDir('backup-source');
    const head = await seedStore(dataDir, { streams: 20, perStream: 50 });
    const writer = new SqliteEventStore({ path: join(dataDir, 'events.db') });
    let stop = false;
    let written = 0;
    const writing = (async () => {
      for (let n = 0; !stop; n += 1) {
        await writer.appendToStream(`live-${n % 7}`, [{ id: randomUUID(), type: 'OrgMetadataUpdated', data: { n }, metadata: { schemaVersion: 1 } }]);
        written += 1;
      }
    })();
    try {
      await waitFor(() => written >= 50, 10_000, '50 writes before the backup');
      const file = join(tempDir('backup-target'), 'live.backup');
      const report = ok(await takeBackup({ dataDir, file }));
      const headAtStart = BigInt(report.manifest.headAtStart);
      expect(headAtStart).toBeGreaterThan(head);
      expect(BigInt(report.manifest.log.lastPosition)).toBeGreaterThanOrEqual(headAtStart);
      // Positions are commit order: a copy as of one commit holds exactly the positions 1..last.
      expect(report.manifest.log.events).toBe(Number(report.manifest.log.lastPosition));
      const writtenAfter = written;
      await waitFor(() => written >= writtenAfter + 10, 10_000, '10 writes after the backup');
      stop = true;
      await writing;
      expect(await writer.headPosition()).toBeGreaterThan(BigInt(report.manifest.log.lastPosition));
    } finally {
      stop = true;
      await writing;
      await writer.close();
    }
  });
});
