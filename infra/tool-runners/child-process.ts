import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Runs `work` in a fresh, empty directory that is removed afterwards whatever happens: a tool's files never outlive
 * its call, and no two calls share one.
 */
export async function inScratchDirectory<T>(work: (directory: string) => Promise<T>): Promise<T> {
  const directory = await mkdtemp(join(tmpdir(), 'agencygrid-tool-'));
  try {
    return await work(directory);
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}

/**
 * Starts a tool's process as the leader of a process group of its own, with exactly `env` as its environment (the
 * server's, with its keys and settings, is never passed on). The group lets `killGroup` stop what the tool started
 * too, not only the process itself.
 */
export function spawnInGroup(command: string, args: readonly string[], options: { cwd: string; env: Record<string, string> }): ChildProcessWithoutNullStreams {
  const child = spawn(command, args, { cwd: options.cwd, env: options.env, detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
  // A tool that exits without reading its input would make the write fail with EPIPE: its exit status tells the story.
  child.stdin.on('error', () => undefined);
  return child;
}

/** Kills the tool's whole process group at once (SIGKILL: a tool past its limits gets no say). */
export function killGroup(child: ChildProcessWithoutNullStreams): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // ESRCH: the group has already gone.
  }
}
