import { readFileSync } from 'node:fs';
import type Database from 'better-sqlite3';
import { z } from 'zod';

/** The version of this AgencyGrid (package.json), recorded in every backup. */
export function agencygridVersion(): string {
  const text = readFileSync(new URL('../../package.json', import.meta.url), 'utf8');
  return z.object({ version: z.string() }).parse(JSON.parse(text)).version;
}

export function sqliteVersion(db: Database.Database): string {
  return (db.prepare('SELECT sqlite_version() AS version').get() as { version: string }).version;
}
