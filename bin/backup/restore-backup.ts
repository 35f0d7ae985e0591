import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { z } from 'zod';
import { createEventRegistry } from '../../domain/events/catalog.ts';
import { appError, isAppError, type AppError } from '../../domain/shared/app-error.ts';
import { EVENT_STORE_FILE } from '../../infra/eventstore/open.ts';
import { CHECKPOINTS_DIR, FileCheckpointStore } from '../../infra/log-consumer/checkpoint-store.ts';
import { entriesOf, moveAside, REPLACED_BY_RESTORE, storesInUse } from './data-dir.ts';
import { renameDurably } from './durable-rename.ts';
import { corruption, factDifferences, inspectLog } from './log-facts.ts';
import { backupManifestSchema, dropManifest, readManifest, type BackupManifest } from './manifest.ts';
import { unreadableEventTypes } from './readable-events.ts';

export interface RestoreOptions {
  file: string;
  dataDir: string;
  /** Restore into a data dir that is not empty: what the restore replaces is moved aside, never deleted. */
  force?: boolean;
  now?: () => Date;
}

export const restoreReportSchema = z.object({
  file: z.string(),
  dataDir: z.string(),
  manifest: backupManifestSchema,
  /** Entries of a non-empty data dir (with --force) the restore replaced, and where they are now. */
  movedAside: z.array(z.object({ from: z.string(), to: z.string() })),
  /** Entries of the data dir the restore has nothing to do with, as they were. */
  leftInPlace: z.array(z.string()),
  checkpointsRestored: z.record(z.string(), z.string()),
});
export type RestoreReport = z.infer<typeof restoreReportSchema>;

/**
 * Restores a backup written by `takeBackup` as the event store of `dataDir`, checked twice: the backup against its
 * manifest before anything in the data dir is touched, the restored file again before it takes its place. The read
 * models are not restored: the server rebuilds them from the log at its next start.
 */
export async function restoreBackup(options: RestoreOptions): Promise<RestoreReport | AppError> {
  const file = resolve(options.file);
  const dataDir = resolve(options.dataDir);
  if (!existsSync(file)) return appError('not_found', 'BACKUP_NOT_FOUND', `no backup at ${file}`, { file });

  const opened = openBackup(file);
  if (isAppError(opened)) return opened;
  const backup = opened;
  let restored: Database.Database | undefined;
  let temporary: string | undefined;
  try {
    const manifest = readManifest(backup);
    if (isAppError(manifest)) return manifest;
    const checked = checkAgainstManifest(backup, manifest, 'the backup');
    if (isAppError(checked)) return checked;
    const unreadable = unreadableEventTypes(manifest.log.eventTypes, createEventRegistry());
    if (unreadable.length > 0) {
      return appError(
        'unprocessable',
        'EVENTS_UNREADABLE',
        `this version of AgencyGrid cannot read ${unreadable.length} event type(s) of the backup (written by ${manifest.agencygridVersion}): restore it with that version or a later one`,
        {
          types: unreadable,
        },
      );
    }

    const entries = await entriesOf(dataDir);
    const present = entries ?? [];
    if (present.length > 0 && !options.force) {
      return appError(
        'conflict',
        'DATA_DIR_NOT_EMPTY',
        `${dataDir} is not empty: restore into an empty or new directory, or add --force to move what the restore replaces aside`,
        {
          dataDir,
          entries: present.slice(0, 20),
        },
      );
    }
    const inUse = storesInUse(dataDir, present);
    if (inUse.length > 0) {
      return appError('conflict', 'DATA_DIR_IN_USE', `a process holds ${inUse.join(' and ')} in ${dataDir} open: stop the server first`, {
        dataDir,
        files: inUse,
      });
    }

    // Copied and checked beside its place first: until it is verified, nothing the data dir held is moved.
    await mkdir(dataDir, { recursive: true });
    temporary = join(dataDir, `.${EVENT_STORE_FILE}.${randomUUID()}.restoring`);
    await backup.backup(temporary);
    backup.close();
    restored = new Database(temporary);
    dropManifest(restored);
    // The store's own mode (infra/eventstore/sqlite.ts sets it too): the file is ready as the server will open it.
    restored.pragma('journal_mode = WAL');
    const again = checkAgainstManifest(restored, manifest, 'the restored store');
    if (isAppError(again)) return again;
    restored.close();

    const stamp = (options.now ?? (() => new Date()))().toISOString().replace(/[:.]/g, '-');
    const movedAside = await moveAside(
      dataDir,
      present.filter((entry) => REPLACED_BY_RESTORE.includes(entry)),
      `replaced-by-restore-${stamp}`,
    );
    const leftInPlace = present.filter((entry) => !REPLACED_BY_RESTORE.includes(entry));
    await renameDurably(temporary, join(dataDir, EVENT_STORE_FILE));
    temporary = undefined;

    // Checkpoints are at most the backup's last position (read before the copy): the fan-out goes on from there.
    const checkpoints = new FileCheckpointStore(join(dataDir, CHECKPOINTS_DIR));
    for (const [name, position] of Object.entries(manifest.checkpoints)) await checkpoints.save(name, BigInt(position));

    return { file, dataDir, manifest, movedAside, leftInPlace, checkpointsRestored: manifest.checkpoints };
  } catch (error) {
    const damaged = corruption(error, temporary === undefined ? 'the backup' : 'the backup or its copy');
    if (damaged) return damaged;
    throw error;
  } finally {
    if (restored?.open) restored.close();
    if (backup.open) backup.close();
    if (temporary !== undefined) {
      for (const suffix of ['', '-wal', '-shm', '-journal']) await rm(`${temporary}${suffix}`, { force: true });
    }
  }
}

function openBackup(file: string): Database.Database | AppError {
  try {
    const db = new Database(file, { readonly: true, fileMustExist: true });
    // Reading the schema is the first access of the file: a file that is no SQLite database fails here.
    db.prepare('SELECT count(*) FROM sqlite_master').get();
    return db;
  } catch (error) {
    if (error instanceof Database.SqliteError && error.code === 'SQLITE_NOTADB') {
      return appError('unprocessable', 'NOT_A_BACKUP', `${file} is not an SQLite database: not a backup of 'agencygrid backup'`, { file });
    }
    throw error;
  }
}

/** The copy holds what the manifest says, and passes every check of `inspectLog`. */
function checkAgainstManifest(db: Database.Database, manifest: BackupManifest, what: string): true | AppError {
  const facts = inspectLog(db);
  if (isAppError(facts)) return { ...facts, message: `${what} failed verification: ${facts.message}` };
  const differences = factDifferences(manifest.log, facts);
  if (differences.length > 0) {
    return appError('unprocessable', 'BACKUP_MISMATCH', `${what} does not hold what its manifest says`, { differences });
  }
  return true;
}
