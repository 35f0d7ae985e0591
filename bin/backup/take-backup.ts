import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, open, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { z } from 'zod';
import { appError, isAppError, type AppError } from '../../domain/shared/app-error.ts';
import { EVENT_STORE_FILE } from '../../infra/eventstore/open.ts';
import { CheckpointError, CHECKPOINTS_DIR, checkpointNames, FileCheckpointStore } from '../../infra/log-consumer/checkpoint-store.ts';
import { renameDurably } from './durable-rename.ts';
import { corruption, inspectLog } from './log-facts.ts';
import { BACKUP_FORMAT, backupManifestSchema, writeManifest, type BackupManifest } from './manifest.ts';
import { agencygridVersion, sqliteVersion } from './versions.ts';

/**
 * Pages per step of SQLite's online backup: all of them. One step is one read transaction, so the copy is the log
 * exactly as it was at one commit. Smaller steps let the source change between them, and SQLite restarts a backup
 * whose source another connection wrote to: against a server committing every few milliseconds that restart can
 * repeat for as long as the server is busy. In WAL mode the server keeps writing during the step (the WAL cannot
 * be checkpointed past the copy's snapshot until it ends, so it grows meanwhile).
 */
const ALL_PAGES = 0x7fffffff;

export interface BackupOptions {
  dataDir: string;
  file: string;
  /** Replace `file` when it exists (only once the new backup has been verified). */
  force?: boolean;
  now?: () => Date;
}

export const backupReportSchema = z.object({
  file: z.string(),
  bytes: z.int(),
  durationMs: z.int(),
  manifest: backupManifestSchema,
});
export type BackupReport = z.infer<typeof backupReportSchema>;

/**
 * Copies the embedded event store of `dataDir` into `file` while a server may be writing to it, with SQLite's online
 * backup from this process's own read-only connection, then checks the copy before putting it in place: SQLite's
 * integrity check, every stream complete, every event there was when the copy began. The read models are not
 * copied: they derive from the log, and a server started on the restored data dir rebuilds them.
 */
export async function takeBackup(options: BackupOptions): Promise<BackupReport | AppError> {
  const started = performance.now();
  const now = options.now ?? (() => new Date());
  const dataDir = resolve(options.dataDir);
  const source = join(dataDir, EVENT_STORE_FILE);
  const file = resolve(options.file);

  if (['', '-wal', '-shm', '-journal'].some((suffix) => file === `${source}${suffix}`)) {
    return appError('invalid', 'BACKUP_FILE_IS_THE_STORE', 'the backup file would overwrite the event store itself: name a file outside the data dir', {
      file,
    });
  }
  if (!existsSync(source)) {
    return appError('not_found', 'EVENT_STORE_NOT_FOUND', `no event store at ${source} (is DATA_DIR or --data-dir the server's data dir?)`, { path: source });
  }
  if (existsSync(file) && !options.force) {
    return appError('conflict', 'BACKUP_FILE_EXISTS', `${file} exists: name another file, or add --force to replace it once the new backup is verified`, {
      file,
    });
  }

  // Before the copy: a checkpoint read now is at most the head the copy will hold (see the manifest).
  const checkpoints = await readCheckpoints(join(dataDir, CHECKPOINTS_DIR));
  if (isAppError(checkpoints)) return checkpoints;

  await mkdir(dirname(file), { recursive: true });
  const temporary = join(dirname(file), `.${basename(file)}.${randomUUID()}.partial`);
  let live: Database.Database | undefined;
  let copy: Database.Database | undefined;
  try {
    live = new Database(source, { readonly: true, fileMustExist: true, timeout: 10_000 });
    const hasEvents = live.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'events'").get() !== undefined;
    if (!hasEvents) return appError('unprocessable', 'NOT_AN_EVENT_STORE', `${source} has no events table`, { path: source });
    const eventAt = live.prepare('SELECT event_id FROM events WHERE position = ?').pluck();
    const headAtStart = (live.prepare('SELECT max(position) FROM events').pluck().safeIntegers(true).get() as bigint | null) ?? 0n;
    const createdAt = now().toISOString();

    // Created first so the copy is never readable by others, even while it is being written: it holds the whole log.
    await (await open(temporary, 'wx', 0o600)).close();
    await live.backup(temporary, { progress: () => ALL_PAGES });

    copy = new Database(temporary);
    // One self-contained file: no write-ahead log beside it.
    copy.pragma('journal_mode = DELETE');
    const facts = inspectLog(copy);
    if (isAppError(facts)) return { ...facts, message: `the copy failed verification: ${facts.message}` };
    if (BigInt(facts.lastPosition) < headAtStart) {
      return appError('unprocessable', 'BACKUP_INCOMPLETE', 'the copy ends before the head of the log when the backup began', {
        headAtStart: headAtStart.toString(),
        lastPosition: facts.lastPosition,
      });
    }
    if (headAtStart > 0n && copy.prepare('SELECT event_id FROM events WHERE position = ?').pluck().get(headAtStart) !== eventAt.get(headAtStart)) {
      return appError('unprocessable', 'BACKUP_INCOMPLETE', 'the copy holds another event than the live log at the head when the backup began', {
        position: headAtStart.toString(),
      });
    }

    const manifest: BackupManifest = {
      format: BACKUP_FORMAT,
      createdAt,
      agencygridVersion: agencygridVersion(),
      sqliteVersion: sqliteVersion(copy),
      headAtStart: headAtStart.toString(),
      log: facts,
      checkpoints,
    };
    writeManifest(copy, manifest);
    copy.close();
    live.close();
    await renameDurably(temporary, file);
    return { file, bytes: (await stat(file)).size, durationMs: Math.round(performance.now() - started), manifest };
  } catch (error) {
    const damaged = corruption(error, `the event store ${source}`);
    if (damaged) return damaged;
    throw error;
  } finally {
    if (copy?.open) copy.close();
    if (live?.open) live.close();
    await rm(temporary, { force: true });
    await rm(`${temporary}-journal`, { force: true });
  }
}

/** Every file checkpoint in `dir` by name; an unreadable one fails the backup, as it would fail the server's start. */
async function readCheckpoints(dir: string): Promise<Record<string, string> | AppError> {
  const store = new FileCheckpointStore(dir);
  const positions: Record<string, string> = {};
  for (const name of await checkpointNames(dir)) {
    try {
      const position = await store.load(name);
      if (position !== undefined) positions[name] = position.toString();
    } catch (error) {
      if (!(error instanceof CheckpointError)) throw error;
      return appError('unprocessable', 'CHECKPOINT_UNREADABLE', error.message, { checkpoint: name });
    }
  }
  return positions;
}
