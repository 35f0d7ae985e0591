import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { readFileSync } from 'node:fs';
import { waitFor } from './async.ts';
import { freePort } from './server-process.ts';

/**
 * A redis-server or nats-server (nats-server.ts `startNats`) the test starts itself on a free port, so it can kill,
 * restart, freeze (SIGSTOP) and thaw (SIGCONT) it without touching the shared servers.
 */
export interface DependencyServer {
  readonly port: number;
  readonly url: string;
  /** SIGKILL, and wait until the process is gone. */
  kill(): Promise<void>;
  /** Starts it again on the same port (and, for NATS, the same JetStream store). */
  restart(): Promise<void>;
  /** SIGSTOP, and wait until the process is stopped: it holds its connections open and answers nothing. */
  freeze(): Promise<void>;
  /** SIGCONT. */
  thaw(): void;
  stop(): Promise<void>;
}

const started = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of started) child.kill('SIGKILL');
});

async function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * Spawns `command` (which must listen on `port` on 127.0.0.1) and resolves once it accepts TCP connections; rejects
 * with its stderr if it exits, cannot be spawned, or does not listen within `timeoutMs`. Killed when the worker exits.
 */
export async function launch(command: string, args: string[], port: number, timeoutMs = 10_000): Promise<ChildProcess> {
  const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  started.add(child);
  let stderr = '';
  let spawnError: Error | undefined;
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-4096);
  });
  child.once('error', (error) => {
    spawnError = error;
    started.delete(child);
  });
  child.once('exit', () => started.delete(child));
  const deadline = Date.now() + timeoutMs;
  while (!(await accepts(port))) {
    if (spawnError) throw new Error(`${command} could not be started: ${spawnError.message}`);
    if (child.exitCode !== null) throw new Error(`${command} exited at start: ${stderr}`);
    if (Date.now() > deadline) {
      await killed(child);
      throw new Error(`${command} did not listen on ${port} within ${timeoutMs / 1000} s: ${stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return child;
}

/** SIGKILL (after SIGCONT, in case it is frozen), and wait until the process is gone. */
export async function killed(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGCONT');
  child.kill('SIGKILL');
  await exited;
}

/** The handle of a server `start` launches (again, on `restart`) on `port`. */
export function dependencyServer(port: number, url: string, start: () => Promise<ChildProcess>, first: ChildProcess): DependencyServer {
  let child = first;
  return {
    port,
    url,
    kill: () => killed(child),
    async restart() {
      await killed(child);
      child = await start();
    },
    freeze: () => stopped(child),
    thaw: () => void child.kill('SIGCONT'),
    stop: () => killed(child),
  };
}

/** redis-server without persistence: a killed Redis comes back empty, as a cache may. */
export async function startRedis(): Promise<DependencyServer> {
  const port = await freePort();
  const start = () => launch('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], port);
  return dependencyServer(port, `redis://127.0.0.1:${port}`, start, await start());
}

/**
 * SIGSTOP is delivered asynchronously: a multithreaded server (nats-server is Go) can still answer a request or two
 * until every thread has stopped. Frozen means the kernel reports the process stopped (`T` in /proc/<pid>/stat).
 */
async function stopped(child: ChildProcess): Promise<void> {
  child.kill('SIGSTOP');
  const pid = child.pid;
  if (pid === undefined) throw new Error('cannot freeze a process that has no pid');
  await waitFor(() => /^\d+ \(.*\) T /.test(readFileSync(`/proc/${pid}/stat`, 'utf8')), 5_000, `process ${pid} to stop`);
}
