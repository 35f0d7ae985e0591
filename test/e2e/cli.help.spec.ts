import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, platformEnv } from '../support/server-process.ts';

/**
 * The real binaries for the cases the in-process tree test (test/unit/cli.command-tree.spec.ts) cannot show: that
 * `serve --help` starts nothing, and what a user sees for a typo and for the bench's help.
 */
const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const sandbox = mkdtempSync(join(tmpdir(), 'ag-cli-help-'));
afterAll(() => rmSync(sandbox, { recursive: true, force: true }));

const run = (script: string, args: string[], settings: Record<string, string> = {}) =>
  spawnSync(process.execPath, ['--import', 'tsx', script, ...args], { cwd: repoRoot, env: platformEnv(settings), encoding: 'utf8', timeout: 30_000 });

/** Whether this process can bind the port now (nothing else holds it). */
function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen({ port, host: '127.0.0.1', exclusive: true }, () => probe.close(() => resolve(true)));
  });
}

// Each case starts node with tsx (a second or two on a busy 2-core machine).
describe('the CLI as a user runs it', { timeout: 60_000 }, () => {
  it('serve --help prints the usage and the environment it reads, exits 0, creates nothing and leaves the port free', async () => {
    const dataDir = join(sandbox, 'data');
    const port = await freePort();
    const result = run('bin/agencygrid.ts', ['serve', '--help'], { DATA_DIR: dataDir, PORT: String(port) });
    expect(result.status, result.stderr).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/^Usage: agencygrid serve /);
    expect(result.stdout).toMatch(/\n {2}PORT +the HTTP port/);
    expect(result.stdout).toContain('RATE_LIMIT_READS');
    expect(result.stdout).not.toContain('bootstrap admin API key (shown once');
    expect(existsSync(dataDir)).toBe(false);
    expect(await canListen(port)).toBe(true);
  });

  it('an unknown flag is exit 2 with one line naming it and where the help is', () => {
    const result = run('bin/agencygrid.ts', ['audit', 'state', 'my-lab', '--positon', '4'], { AGENCYGRID_API_KEY: 'unused' });
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe("agencygrid audit state: unknown option '--positon' (did you mean --position?); see 'agencygrid audit state --help'\n");
  });

  it('npm run bench -- --help lists the groups and exits 0; an unknown bench flag exits 2', () => {
    const help = run('bench/run.ts', ['--help']);
    expect(help.status, help.stderr).toBe(0);
    expect(help.stdout).toMatch(/\ngroups:\n {2}disk +how long/);
    expect(help.stdout).toMatch(/\n {2}work +assignment by criteria/);
    expect(help.stdout).toContain('BENCH_WORK_AGENTS');
    const bad = run('bench/run.ts', ['--fast']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toBe("bench: unknown option '--fast'; see 'npm run bench -- --help'\n");
  });
});
