import { existsSync } from 'node:fs';

/*
 * Memory and CPU limits for an executable tool, applied by the process that execs it, so they hold before the tool's
 * first instruction. On Linux with util-linux, `prlimit` sets them; elsewhere a POSIX shell's `ulimit` does. Memory is
 * limited as the data segment (RLIMIT_DATA: heap and private writable mappings, counted since Linux 4.7), not as
 * address space (RLIMIT_AS): runtimes such as Node, the JVM and Go reserve far more address space than they use, and
 * fail to start under an address-space limit of a few hundred MB. CPU is RLIMIT_CPU (SIGXCPU, then SIGKILL) and core
 * dumps are off, so a crash writes nothing into the scratch directory.
 */

const PRLIMIT_PATHS = ['/usr/bin/prlimit', '/bin/prlimit'];
const SHELL = '/bin/sh';

export interface Limits {
  memoryMb: number;
  cpuSeconds: number;
}

export type LimitsWrapper = 'prlimit' | 'ulimit';

let found: string | null | undefined;

/** The prlimit found on this machine, looked for once. */
function prlimitPath(): string | null {
  if (found === undefined) found = PRLIMIT_PATHS.find((path) => existsSync(path)) ?? null;
  return found;
}

/** Which wrapper applies the limits here: `prlimit` when util-linux has it, `ulimit` through /bin/sh otherwise. */
export function limitsWrapper(): LimitsWrapper {
  return prlimitPath() === null ? 'ulimit' : 'prlimit';
}

/** The command line that runs `command args` under `limits`, with this machine's wrapper unless one is named. */
export function limitedCommand(
  command: string,
  args: readonly string[],
  limits: Limits,
  wrapper: LimitsWrapper = limitsWrapper(),
): { command: string; args: string[] } {
  const prlimit = prlimitPath();
  if (wrapper === 'prlimit' && prlimit !== null) {
    const bytes = limits.memoryMb * 1024 * 1024;
    return { command: prlimit, args: [`--data=${bytes}`, `--cpu=${limits.cpuSeconds}`, '--core=0', '--', command, ...args] };
  }
  // `exec "$@"` replaces the shell, so the tool is the process the limits and the kill apply to.
  const script = `ulimit -d ${limits.memoryMb * 1024} && ulimit -t ${limits.cpuSeconds} && ulimit -c 0 && exec "$@"`;
  return { command: SHELL, args: ['-c', script, 'tool', command, ...args] };
}
