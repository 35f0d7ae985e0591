import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { takeBackup } from '../../bin/backup/take-backup.ts';
import { isAppError } from '../../domain/shared/app-error.ts';
import { removeTempDirs, seedStore, tempDir } from '../support/backup-fixtures.ts';
import { runCli } from '../support/cli-process.ts';

afterAll(removeTempDirs);

/**
 * The real binary's answers for help, bad usage and refusals of `backup` and `restore`: exit 0 / 2 / 1, one line
 * naming the problem (and its code), nothing written where it was refused.
 */
describe('agencygrid backup / restore: help, usage and refusals', { timeout: 120_000 }, () => {
  it('answers help with exit 0, usage mistakes with exit 2, refusals with exit 1 and the code', async () => {
    const source = tempDir('cli-backup-source');
    await seedStore(source);
    const file = join(tempDir('cli-backup-files'), 'store.backup');
    expect(isAppError(await takeBackup({ dataDir: source, file }))).toBe(false);
    const empty = tempDir('cli-backup-empty');
    const occupied = tempDir('cli-backup-occupied');
    writeFileSync(join(occupied, 'notes.txt'), 'mine');
    const fresh = join(tempDir('cli-backup-fresh'), 'data');

    // Started together: each is a node + tsx start of a second or more.
    const [backupHelp, restoreHelp, noFile, unknownFlag, noDataDir, esdb, noStore, notEmpty, withMongo] = await Promise.all([
      runCli(['backup', '--help']),
      runCli(['restore', '--help']),
      runCli(['backup']),
      runCli(['backup', join(empty, 'x.backup'), '--bogus']),
      runCli(['restore', file]),
      runCli(['backup', join(empty, 'y.backup')], { EVENTSTORE_URL: 'esdb://127.0.0.1:2113?tls=false' }),
      runCli(['backup', join(empty, 'z.backup')], { DATA_DIR: empty }),
      runCli(['restore', file, '--data-dir', occupied]),
      runCli(['restore', file, '--data-dir', fresh], { MONGODB_URL: 'mongodb://127.0.0.1:27017/agencygrid' }),
    ]);

    for (const help of [backupHelp, restoreHelp]) {
      expect(help.code).toBe(0);
      expect(help.stderr).toBe('');
      expect(help.stdout).toMatch(/^Usage: (agencygrid )?(backup|restore) \[options\] <file>/);
      expect(help.stdout).toContain('exit status: 0');
    }
    expect(backupHelp.stdout).toContain('DATA_DIR');
    expect(restoreHelp.stdout).toContain('--data-dir <dir>');

    for (const [run, message] of [
      [noFile, "agencygrid backup: missing required argument 'file'; see 'agencygrid backup --help'"],
      [unknownFlag, "agencygrid backup: unknown option '--bogus'; see 'agencygrid backup --help'"],
      [noDataDir, "agencygrid restore: required option '--data-dir <dir>' not specified; see 'agencygrid restore --help'"],
    ] as const) {
      expect(run.code, run.stderr).toBe(2);
      expect(run.stdout).toBe('');
      // The problem on the first line, then where to read more.
      expect(run.stderr.trim().split('\n')[0]).toBe(message);
      expect(run.stderr).toMatch(/agencygrid (backup|restore) --help/);
    }

    expect(esdb.code).toBe(2);
    expect(esdb.stderr).toMatch(/^agencygrid backup: EMBEDDED_STORE_NOT_USED: EVENTSTORE_URL is set/);
    expect(noStore.code).toBe(1);
    expect(noStore.stderr).toContain(`agencygrid backup: EVENT_STORE_NOT_FOUND: no event store at ${join(empty, 'events.db')}`);
    expect(readdirSync(empty)).toEqual([]);

    expect(notEmpty.code).toBe(1);
    expect(notEmpty.stderr).toContain(`agencygrid restore: DATA_DIR_NOT_EMPTY: ${occupied} is not empty`);
    expect(notEmpty.stderr).toContain('"entries":["notes.txt"]');
    expect(readdirSync(occupied)).toEqual(['notes.txt']);

    // Restored; the read models of the MongoDB this environment names would still describe the old log: said.
    expect(withMongo.code, withMongo.stderr).toBe(0);
    expect(withMongo.stdout).toContain(`into ${fresh}`);
    expect(withMongo.stderr).toMatch(/^agencygrid restore: warning: MONGODB_URL is set here: .*drop that database/);
    expect(existsSync(join(fresh, 'events.db'))).toBe(true);
  });
});
