import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

/** The repository root, where `bin/agencygrid.ts` lives. */
const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/** Settings the platform reads; stripped from the inherited environment so a developer's shell cannot leak in. */
const platformSettings = [
  'PORT',
  'HOST',
  'DATA_DIR',
  'LOG_LEVEL',
  'AGENCYGRID_ADMIN_KEY',
  'EVENTSTORE_URL',
  'MONGODB_URL',
  'REDIS_URL',
  'CACHE_TIMEOUT_MS',
  'CACHE_RETRY_AFTER_MS',
  'NATS_URL',
  'SQLITE_SYNCHRONOUS',
  'SHUTDOWN_TIMEOUT_MS',
] as const;

export interface ServerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface StartServerOptions {
  dataDir: string;
  adminKey?: string;
  logLevel?: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  host?: string;
  /** Extra environment for the child (e.g. SQLITE_SYNCHRONOUS). */
  env?: Readonly<Record<string, string>>;
  /** How long to wait for GET /health to answer 200. */
  startTimeoutMs?: number;
}

export interface ServerProcess {
  readonly pid: number;
  readonly port: number;
  /** e.g. http://127.0.0.1:43210 */
  readonly baseUrl: string;
  /** Resolves when the process has exited (never rejects). */
  readonly exited: Promise<ServerExit>;
  isRunning(): boolean;
  /** Everything the child wrote to stdout and stderr (the last 256 KiB). */
  output(): string;
  /**
   * Sends `signal` and waits for the process to exit. If it is still running after `timeoutMs`, it is killed with
   * SIGKILL (and the returned exit shows that). Safe to call on a process that already exited.
   */
  kill(signal?: NodeJS.Signals, timeoutMs?: number): Promise<ServerExit>;
}

const live = new Set<ChildProcess>();
const usedPorts = new Set<number>();

// Last resort: a worker that exits without running afterAll must not leave servers behind.
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/** A port that was free a moment ago: bind port 0, read the port the OS chose, close. */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ port: 0, host, exclusive: true }, () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        server.close();
        reject(new Error('could not read the port of a listening socket'));
        return;
      }
      const { port } = address;
      server.close((error) => (error ? reject(error) : resolve(port)));
    });
  });
}

/**
 * Spawns `node --import tsx bin/agencygrid.ts serve` as a child process (the node process is the server itself, so
 * a signal sent to it reaches the server directly) on a free port, and resolves once GET /health answers 200.
 * Retries on another port if the chosen one was taken in the meantime.
 */
export async function startServer(options: StartServerOptions): Promise<ServerProcess> {
  const attempts = 5;
  let lastError: unknown;
  for (let attempt = 1; attempt <= attempts; attempt += 1) {
    let port = await freePort(options.host ?? '127.0.0.1');
    // Never hand out a port an earlier server (maybe killed, with client sockets still pooled) listened on.
    while (usedPorts.has(port)) port = await freePort(options.host ?? '127.0.0.1');
    usedPorts.add(port);
    try {
      return await startOnPort(options, port);
    } catch (error) {
      lastError = error;
      if (!(error instanceof PortTakenError)) throw error;
    }
  }
  throw new Error(`could not start the server after ${attempts} attempts`, { cause: lastError });
}

/** Kills every server this module started that is still running (for afterAll hooks). */
export async function killAllServers(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  await Promise.all(
    [...live].map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) {
            live.delete(child);
            resolve();
            return;
          }
          child.once('exit', () => resolve());
          child.kill(signal);
        }),
    ),
  );
}

class PortTakenError extends Error {
  override readonly name = 'PortTakenError';
}

/** This process's environment without any platform setting, plus `settings`: what a spawned CLI should see. */
export function platformEnv(settings: Readonly<Record<string, string>> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of platformSettings) delete env[name];
  return Object.assign(env, settings);
}

async function startOnPort(options: StartServerOptions, port: number): Promise<ServerProcess> {
  const host = options.host ?? '127.0.0.1';
  const env = platformEnv();
  Object.assign(env, {
    PORT: String(port),
    HOST: host,
    DATA_DIR: options.dataDir,
    LOG_LEVEL: options.logLevel ?? 'warn',
    ...(options.adminKey === undefined ? {} : { AGENCYGRID_ADMIN_KEY: options.adminKey }),
    ...options.env,
  });

  const child = spawn(process.execPath, ['--import', 'tsx', 'bin/agencygrid.ts', 'serve'], {
    cwd: repoRoot,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);

  let output = '';
  const capture = (chunk: Buffer) => {
    output += chunk.toString('utf8');
    if (output.length > 256 * 1024) output = output.slice(-256 * 1024);
  };
  child.stdout?.on('data', capture);
  child.stderr?.on('data', capture);

  const exited = new Promise<ServerExit>((resolve) => {
    child.once('exit', (code, signal) => {
      live.delete(child);
      resolve({ code, signal });
    });
    child.once('error', (error) => {
      // spawn itself failed: no exit event follows.
      live.delete(child);
      output += `\n[spawn error] ${error.message}\n`;
      resolve({ code: null, signal: null });
    });
  });
  let exit: ServerExit | undefined;
  void exited.then((value) => {
    exit = value;
  });

  const baseUrl = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const server: ServerProcess = {
    pid: child.pid ?? -1,
    port,
    baseUrl,
    exited,
    isRunning: () => exit === undefined,
    output: () => output,
    async kill(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 10_000) {
      if (exit !== undefined) return exit;
      child.kill(signal);
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), timeoutMs);
      });
      const first = await Promise.race([exited, timedOut]);
      clearTimeout(timer);
      if (first !== 'timeout') return first;
      child.kill('SIGKILL');
      return exited;
    },
  };

  const deadline = Date.now() + (options.startTimeoutMs ?? 15_000);
  for (;;) {
    if (exit !== undefined) {
      const text = output;
      if (/is in use; set PORT/.test(text)) throw new PortTakenError(`port ${port} was taken`);
      throw new Error(`server exited during start-up (code ${exit.code}, signal ${exit.signal}):\n${text}`);
    }
    if (await healthy(baseUrl)) return server;
    if (Date.now() > deadline) {
      await server.kill('SIGKILL');
      throw new Error(`server did not answer GET /health within ${options.startTimeoutMs ?? 15_000} ms:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function healthy(baseUrl: string): Promise<boolean> {
  try {
    const response = await fetch(`${baseUrl}/health`, { signal: AbortSignal.timeout(1000) });
    await response.arrayBuffer();
    return response.status === 200;
  } catch {
    return false;
  }
}

/** The first match of `pattern` in what the server printed, waiting for it (e.g. the bootstrap key, printed once it listens). */
export async function waitForOutput(server: ServerProcess, pattern: RegExp, timeoutMs = 10_000): Promise<RegExpExecArray> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const match = pattern.exec(server.output());
    if (match) return match;
    if (!server.isRunning() || Date.now() > deadline) throw new Error(`the server did not print ${pattern}:\n${server.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
