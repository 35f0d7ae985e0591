import type { AppError } from '../../domain/shared/app-error.ts';
import type { LogFacts } from './log-facts.ts';
import type { RestoreReport } from './restore-backup.ts';
import type { BackupReport } from './take-backup.ts';

const count = (value: number) => value.toLocaleString('en-US');

function size(bytes: number): string {
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

function verified(log: LogFacts): string {
  const positions = log.firstPosition === null ? 'empty log' : `positions ${log.firstPosition}..${log.lastPosition}`;
  return `  verified: SQLite integrity ok; ${count(log.events)} events in ${count(log.streams)} streams, every stream complete; ${positions}\n`;
}

function checkpoints(positions: Readonly<Record<string, string>>, label: string): string {
  const entries = Object.entries(positions);
  return entries.length === 0 ? '' : `  ${label}: ${entries.map(([name, position]) => `${name} at ${position}`).join(', ')}\n`;
}

export function formatBackup(report: BackupReport): string {
  const { manifest } = report;
  return (
    `backup written: ${report.file} (${size(report.bytes)}, ${(report.durationMs / 1000).toFixed(1)} s)\n` +
    verified(manifest.log) +
    `  last position ${manifest.log.lastPosition} (head of the live log when the backup began: ${manifest.headAtStart})\n` +
    checkpoints(manifest.checkpoints, 'checkpoints') +
    '  read models: not copied (derived from the log: a server started on the restored data dir rebuilds them)\n'
  );
}

export function formatRestore(report: RestoreReport): string {
  const { manifest } = report;
  const lines = [
    `restored ${report.file} (taken ${manifest.createdAt} by AgencyGrid ${manifest.agencygridVersion}) into ${report.dataDir}\n`,
    verified(manifest.log),
    ...report.movedAside.map((entry) => `  moved aside (replaced by the restore): ${entry.from} -> ${entry.to}\n`),
    report.leftInPlace.length === 0 ? '' : `  left in place: ${report.leftInPlace.join(', ')}\n`,
    checkpoints(report.checkpointsRestored, 'checkpoints restored'),
    `next: start the server on it (DATA_DIR=${report.dataDir}): it rebuilds every read model from the log; GET /ready shows each projection's lag until it reaches the head\n`,
  ];
  return lines.join('');
}

/** One line naming the code, and the details when there are any (what a script or an operator acts on). */
export function formatFailure(command: string, error: AppError): string {
  const details = Object.keys(error.details).length === 0 ? '' : `  details: ${JSON.stringify(error.details)}\n`;
  return `agencygrid ${command}: ${error.code}: ${error.message}\n${details}`;
}
