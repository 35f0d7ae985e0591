import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/** Settings a developer's shell may hold that would point the CLI elsewhere than the test means. */
const inheritedSettings = [
  ...['DATA_DIR', 'EVENTSTORE_URL', 'MONGODB_URL', 'REDIS_URL', 'NATS_URL', 'AGENCYGRID_URL', 'AGENCYGRID_API_KEY', 'LOG_LEVEL'],
  ...['PORT', 'HOST', 'AGENCYGRID_ADMIN_KEY', 'CACHE_TIMEOUT_MS', 'CACHE_RETRY_AFTER_MS', 'SQLITE_SYNCHRONOUS', 'SHUTDOWN_TIMEOUT_MS'],
];

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Wall time from spawn to exit. */
  ms: number;
}

/**
 * Runs the real binary, `node --import tsx bin/agencygrid.ts <args>`, from the repository root, with the inherited
 * environment minus the platform's settings, plus `env` (a value of undefined removes a variable).
 */
export function runCli(args: readonly string[], env: Readonly<Record<string, string | undefined>> = {}): Promise<CliRun> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env };
  for (const name of inheritedSettings) delete childEnv[name];
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) delete childEnv[name];
    else childEnv[name] = value;
  }
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'bin/agencygrid.ts', ...args], {
      cwd: repoRoot,
      env: childEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr, ms: Math.round(performance.now() - started) }));
  });
}
