import type Database from 'better-sqlite3';
import { z } from 'zod';
import { appError, type AppError } from '../../domain/shared/app-error.ts';
import { logFactsSchema, positionSchema } from './log-facts.ts';

/** The one format `restore` reads; a backup of a later format is refused rather than half understood. */
export const BACKUP_FORMAT = 1;

/**
 * A backup is the event store's own SQLite file with one more table holding this manifest: one file, readable with
 * any SQLite tool, that says what it should contain so a copy can be checked against it.
 */
export const MANIFEST_TABLE = 'agencygrid_backup';

export const backupManifestSchema = z.object({
  format: z.literal(BACKUP_FORMAT),
  createdAt: z.iso.datetime(),
  agencygridVersion: z.string(),
  sqliteVersion: z.string(),
  /** The head of the live log just before the copy began: every event acknowledged before then is in the backup. */
  headAtStart: positionSchema,
  log: logFactsSchema,
  /**
   * The file checkpoints of the data dir (the NATS event fan-out's), read before the copy began, so none is past
   * the copy's last position: restored, the fan-out republishes at most what it published during the backup.
   */
  checkpoints: z.record(z.string().regex(/^[A-Za-z0-9_-]{1,64}$/), positionSchema),
});
export type BackupManifest = z.infer<typeof backupManifestSchema>;

export function writeManifest(db: Database.Database, manifest: BackupManifest): void {
  db.exec(`CREATE TABLE ${MANIFEST_TABLE} (key TEXT PRIMARY KEY, value TEXT NOT NULL)`);
  db.prepare(`INSERT INTO ${MANIFEST_TABLE} (key, value) VALUES ('manifest', ?)`).run(JSON.stringify(manifest));
}

export function dropManifest(db: Database.Database): void {
  db.exec(`DROP TABLE IF EXISTS ${MANIFEST_TABLE}`);
}

/** The manifest of a backup file; NOT_A_BACKUP for any SQLite file `agencygrid backup` did not write. */
export function readManifest(db: Database.Database): BackupManifest | AppError {
  const table = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = ?").get(MANIFEST_TABLE);
  if (table === undefined) {
    return appError('unprocessable', 'NOT_A_BACKUP', `the file has no ${MANIFEST_TABLE} table: it was not written by 'agencygrid backup'`);
  }
  const row = db.prepare(`SELECT value FROM ${MANIFEST_TABLE} WHERE key = 'manifest'`).get() as { value: string } | undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(row?.value ?? '');
  } catch {
    return appError('unprocessable', 'NOT_A_BACKUP', 'the backup manifest is missing or is not JSON');
  }
  const format = z.object({ format: z.int() }).safeParse(parsed);
  if (format.success && format.data.format > BACKUP_FORMAT) {
    return appError(
      'unprocessable',
      'BACKUP_FORMAT_UNSUPPORTED',
      `the backup is of format ${format.data.format}; this version reads format ${BACKUP_FORMAT}: restore it with the version that wrote it`,
      {
        format: format.data.format,
        supported: BACKUP_FORMAT,
      },
    );
  }
  const manifest = backupManifestSchema.safeParse(parsed);
  if (!manifest.success) {
    return appError('unprocessable', 'NOT_A_BACKUP', 'the backup manifest does not have the expected shape', {
      issues: manifest.error.issues.map((issue) => `${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`),
    });
  }
  return manifest.data;
}
