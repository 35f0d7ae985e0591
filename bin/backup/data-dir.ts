import { mkdir, readdir, rename, stat } from 'node:fs/promises';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { READ_MODELS_FILE } from '../../infra/documents/open.ts';
import { EVENT_STORE_FILE } from '../../infra/eventstore/open.ts';
import { CHECKPOINTS_DIR } from '../../infra/log-consumer/checkpoint-store.ts';

/** SQLite keeps a database's uncommitted and shared state beside it under these suffixes. */
const SQLITE_COMPANIONS = ['', '-wal', '-shm', '-journal'];

/**
 * What a restore replaces in a data dir: the event store, and everything derived from the log it held (the read
 * models, with the projections' and sagas' checkpoints, and the fan-out's checkpoints), which would otherwise
 * describe a log that is no longer there.
 */
export const REPLACED_BY_RESTORE: readonly string[] = [
  ...SQLITE_COMPANIONS.map((suffix) => `${EVENT_STORE_FILE}${suffix}`),
  ...SQLITE_COMPANIONS.map((suffix) => `${READ_MODELS_FILE}${suffix}`),
  CHECKPOINTS_DIR,
];

/** The directory's entries; null when it does not exist. Throws when the path is not a directory. */
export async function entriesOf(dir: string): Promise<string[] | null> {
  try {
    if (!(await stat(dir)).isDirectory()) throw new Error(`${dir} is not a directory`);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  return (await readdir(dir)).sort();
}

/**
 * Whether another connection has the SQLite file open (a server running on the data dir): only a connection alone
 * with the file gets an exclusive lock. The probe may fold a leftover write-ahead log into the file, as any opening
 * of the store after a crash does; it never changes what the file holds.
 */
export function sqliteFileInUse(path: string): boolean {
  let db: Database.Database | undefined;
  try {
    db = new Database(path, { fileMustExist: true, timeout: 250 });
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('BEGIN EXCLUSIVE');
    db.exec('COMMIT');
    return false;
  } catch (error) {
    if (error instanceof Database.SqliteError && (error.code === 'SQLITE_BUSY' || error.code === 'SQLITE_LOCKED')) return true;
    // Not a database at all: no server could be running on it.
    if (error instanceof Database.SqliteError && error.code === 'SQLITE_NOTADB') return false;
    throw error;
  } finally {
    db?.close();
  }
}

/** The stores in `dir` that a running process holds open. */
export function storesInUse(dir: string, entries: readonly string[]): string[] {
  return [EVENT_STORE_FILE, READ_MODELS_FILE].filter((file) => entries.includes(file) && sqliteFileInUse(join(dir, file)));
}

export interface MovedEntry {
  from: string;
  to: string;
}

/**
 * Moves `names` (entries of `dir`) into a new directory `dir/<aside>`, never deleting anything: the operator decides
 * what to do with what the restore replaced. Renames within one directory tree: no copy, nothing half moved.
 */
export async function moveAside(dir: string, names: readonly string[], aside: string): Promise<MovedEntry[]> {
  if (names.length === 0) return [];
  const target = join(dir, aside);
  await mkdir(target);
  const moved: MovedEntry[] = [];
  for (const name of names) {
    try {
      await rename(join(dir, name), join(target, name));
    } catch (error) {
      // Told, not undone: the operator sees exactly where everything is.
      const reason = error instanceof Error ? error.message : String(error);
      throw new Error(`could not move ${join(dir, name)} aside (${reason}); moved before it: ${moved.map((entry) => entry.to).join(', ') || 'nothing'}`, {
        cause: error,
      });
    }
    moved.push({ from: join(dir, name), to: join(target, name) });
  }
  return moved;
}
