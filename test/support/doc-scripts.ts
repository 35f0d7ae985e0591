import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { fencedBlocks, markedRegion } from './markdown.ts';

/** The `sh` blocks between `<!-- name:start -->` and `<!-- name:end -->` of a Markdown file of the repository, joined. */
export function documentedScript(file: string, name: string): string {
  const markdown = readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8');
  const blocks = fencedBlocks(markedRegion(markdown, name), 'sh');
  if (blocks.length === 0) throw new Error(`no sh block between the ${name} markers of ${file}`);
  return blocks.join('\n');
}

export interface ScriptRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `script` with `bash -e` (what a reader pastes, stopping at the first failing command), with `env` over the
 * test's environment. Killed after `timeoutMs`.
 */
export function runBash(script: string, env: Readonly<Record<string, string>>, timeoutMs: number): Promise<ScriptRun> {
  return new Promise((resolve) => {
    const child = spawn('bash', ['-e', '-c', script], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const timer = setTimeout(() => {
      stderr += `\n[killed after ${timeoutMs} ms]`;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

export interface LoggedEvent {
  position: number;
  streamId: string;
  type: string;
  principalKind: string | null;
}

/** Reads the embedded event store in `dataDir` while its server runs (WAL lets a reader in). */
function readStore<T>(dataDir: string, read: (db: Database.Database) => T): T {
  const db = new Database(`${dataDir}/events.db`, { readonly: true, fileMustExist: true });
  try {
    return read(db);
  } finally {
    db.close();
  }
}

/** The events of the embedded event store in `dataDir` after `position`. */
export function eventsAfter(dataDir: string, position: number): LoggedEvent[] {
  return readStore(dataDir, (db) => {
    const rows = db.prepare('SELECT position, stream_id, type, metadata FROM events WHERE position > ? ORDER BY position').all(position) as Array<{
      position: number;
      stream_id: string;
      type: string;
      metadata: string;
    }>;
    return rows.map((row) => {
      const metadata = JSON.parse(row.metadata) as { principal?: { kind?: string } };
      return { position: row.position, streamId: row.stream_id, type: row.type, principalKind: metadata.principal?.kind ?? null };
    });
  });
}

/** The last position of the embedded event store in `dataDir`. */
export function headPosition(dataDir: string): number {
  return readStore(dataDir, (db) => (db.prepare('SELECT MAX(position) AS head FROM events').get() as { head: number | null }).head ?? 0);
}
