import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { type LimitsWrapper, limitedCommand, limitsWrapper } from '../../infra/tool-runners/resource-limits.ts';

// Both wrappers, whichever this machine would pick: a machine without util-linux gets the ulimit one.
const ALLOCATES_400_MB = 'const held = []; for (let i = 0; i < 100; i += 1) held.push(Buffer.alloc(4 * 1024 * 1024, 1)); console.log("survived")';
const SPINS = 'for (;;);';

function runLimited(wrapper: LimitsWrapper, script: string, limits: { memoryMb: number; cpuSeconds: number }) {
  const limited = limitedCommand(process.execPath, ['-e', script], limits, wrapper);
  return spawnSync(limited.command, limited.args, { env: {}, encoding: 'utf8', timeout: 20_000 });
}

const wrappers: LimitsWrapper[] = limitsWrapper() === 'prlimit' ? ['prlimit', 'ulimit'] : ['ulimit'];

describe.each(wrappers)('resource limits through %s', (wrapper) => {
  it('stops a tool past its memory limit, and lets it run under a larger one', () => {
    const limited = runLimited(wrapper, ALLOCATES_400_MB, { memoryMb: 64, cpuSeconds: 30 });
    expect(limited.status === 0 && limited.signal === null).toBe(false);
    expect(limited.stdout).not.toContain('survived');
    expect(runLimited(wrapper, ALLOCATES_400_MB, { memoryMb: 1024, cpuSeconds: 30 })).toMatchObject({ status: 0, stdout: 'survived\n' });
  });

  it('stops a tool past its CPU limit with a signal', () => {
    const spun = runLimited(wrapper, SPINS, { memoryMb: 256, cpuSeconds: 1 });
    // SIGXCPU at the soft limit (SIGKILL at the hard one); spawnSync's own timeout would be SIGTERM.
    expect(['SIGXCPU', 'SIGKILL']).toContain(spun.signal);
  });
});
