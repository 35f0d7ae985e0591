import { Command, type CommandUnknownOpts } from '@commander-js/extra-typings';
import { EXIT_USAGE, withStatus } from '../cli/exit-status.ts';
import { environmentHelp, exitStatusHelp } from '../cli/help-text.ts';
import { appError, isAppError, type AppError } from '../../domain/shared/app-error.ts';
import { type Config, ConfigError, loadConfig } from '../../infra/config/env.ts';
import { formatBackup, formatFailure, formatRestore } from './format.ts';
import { restoreBackup } from './restore-backup.ts';
import { takeBackup } from './take-backup.ts';

const backupHelp = `
What is copied: the embedded event store (DATA_DIR/events.db), consistently, while a server runs and writes to it;
the file checkpoints (the NATS event fan-out's). Not copied: the read models (read-models.db), which derive from the
log and are rebuilt when a server starts on the restored data dir. The copy is verified (SQLite integrity check,
every stream complete, every event committed before the backup began) before <file> is put in place.

${environmentHelp([
  ['DATA_DIR', 'the data dir when --data-dir is not given (default ./data)'],
  ['EVENTSTORE_URL', "when set, the store is EventStoreDB, which this command does not back up (use EventStoreDB's own backup)"],
])}
${exitStatusHelp('0 written and verified; 1 refused or failed (nothing written at <file>); 2 bad usage')}
`;

const restoreHelp = `
Restores a file written by 'agencygrid backup' as the event store of a new data dir, verified against what the
backup says it holds. Start the server on that dir afterwards: it rebuilds every read model from the log.
The data dir must be absent or empty; with --force, what the restore replaces there (events.db, read-models.db,
checkpoints/) is moved into <dir>/replaced-by-restore-<time>/ and listed; nothing is deleted; other entries stay.
Refused while a process holds the dir's stores open (stop the server first).
${environmentHelp([
  ['EVENTSTORE_URL', 'read only to warn: a server started with it would not use the restored file'],
  ['MONGODB_URL', 'read only to warn: its read models describe the old log and must be dropped before starting'],
])}
${exitStatusHelp('0 restored and verified; 1 refused or failed (the data dir as it was); 2 bad usage')}
`;

function exitCodeOf(error: AppError): 1 | 2 {
  return error.kind === 'invalid' ? 2 : 1;
}

function fail(command: string, error: AppError, json: boolean): number {
  process.stderr.write(formatFailure(command, error));
  if (json) process.stdout.write(`${JSON.stringify({ error: { code: error.code, message: error.message, details: error.details } })}\n`);
  return exitCodeOf(error);
}

/** A failure nobody planned for (an I/O error, a full disk): one line, no stack, exit 1. Invalid settings are the CLI runner's (exit 2). */
function crashed(command: string, error: unknown): number {
  if (error instanceof ConfigError) throw error;
  process.stderr.write(`agencygrid ${command}: ${error instanceof Error ? error.message : String(error)}\n`);
  return 1;
}

/** The data dir as `serve` finds it (DATA_DIR), unless named; the embedded store only. */
function dataDirOf(named: string | undefined): string | AppError {
  if (named !== undefined) return named;
  const config = loadConfig();
  if (config.EVENTSTORE_URL) {
    return appError(
      'invalid',
      'EMBEDDED_STORE_NOT_USED',
      'EVENTSTORE_URL is set: the event store is EventStoreDB, which this command does not back up (use its own backup); name a data dir with --data-dir to back up an embedded store',
    );
  }
  return config.dataDir;
}

/** Where a restored data dir meets other settings of this environment that would not see the restore. */
function restoreWarnings(): string[] {
  let config: Config;
  try {
    config = loadConfig();
  } catch {
    return [];
  }
  const warnings: string[] = [];
  if (config.EVENTSTORE_URL) warnings.push('EVENTSTORE_URL is set here: a server started with it uses EventStoreDB, not the restored file');
  if (config.MONGODB_URL) {
    warnings.push(
      'MONGODB_URL is set here: its read models and saga checkpoints describe the old log; drop that database (or name a new one) before starting, so they are rebuilt from the restored log',
    );
  }
  return warnings;
}

export function backupCommand(): CommandUnknownOpts {
  return new Command('backup')
    .description('copy the embedded event store, while the server runs, into one verified file')
    .argument('<file>', 'the backup file to write (an SQLite database; replaced only with --force)')
    .option('--data-dir <dir>', 'the data dir whose store to copy (default: DATA_DIR, else ./data)')
    .option('--force', 'replace <file> if it exists, once the new backup is verified')
    .option('--json', 'print the report (or the error) as JSON on stdout')
    .addHelpText('after', backupHelp)
    .action(
      withStatus(async (file, options) => {
        const json = options.json === true;
        try {
          const dataDir = dataDirOf(options.dataDir);
          if (isAppError(dataDir)) return fail('backup', dataDir, json);
          const report = await takeBackup({ dataDir, file, force: options.force === true });
          if (isAppError(report)) return fail('backup', report, json);
          process.stdout.write(json ? `${JSON.stringify(report)}\n` : formatBackup(report));
          return 0;
        } catch (error) {
          return crashed('backup', error);
        }
      }),
    );
}

export function restoreCommand(): CommandUnknownOpts {
  return (
    new Command('restore')
      .description('restore a backup as the event store of a new data dir')
      .argument('<file>', "a file written by 'agencygrid backup'")
      // Checked in the action, not by commander, which would report it missing before a mistyped flag the user did type.
      .option('--data-dir <dir>', 'the data dir to restore into (absent or empty, unless --force); required')
      .option('--force', 'restore into a non-empty data dir: move what the restore replaces aside (never deleted)')
      .option('--json', 'print the report (or the error) as JSON on stdout')
      .addHelpText('after', restoreHelp)
      .action(
        withStatus(async (file, options, command) => {
          if (options.dataDir === undefined) return command.error("required option '--data-dir <dir>' not specified", { exitCode: EXIT_USAGE });
          const json = options.json === true;
          try {
            const report = await restoreBackup({ file, dataDir: options.dataDir, force: options.force === true });
            if (isAppError(report)) return fail('restore', report, json);
            process.stdout.write(json ? `${JSON.stringify(report)}\n` : formatRestore(report));
            for (const warning of restoreWarnings()) process.stderr.write(`agencygrid restore: warning: ${warning}\n`);
            return 0;
          } catch (error) {
            return crashed('restore', error);
          }
        }),
      )
  );
}
