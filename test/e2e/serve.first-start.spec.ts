import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { killAllServers, platformEnv, startServer, waitForOutput } from '../support/server-process.ts';

/**
 * A first start that fails must not use up the one-time bootstrap admin key: it is created and printed only once
 * the server listens. The real binary, as a user runs it.
 */
const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const KEY = /(agk_[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)/;
const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'ag-first-start-'));
  dirs.push(dir);
  return dir;
};

function serve(settings: Record<string, string>) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'bin/agencygrid.ts', 'serve'], {
    cwd: repoRoot,
    env: platformEnv({ LOG_LEVEL: 'warn', ...settings }),
    encoding: 'utf8',
    timeout: 30_000,
  });
}

async function holdPort(): Promise<{ port: number; server: Server }> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: 0, host: '127.0.0.1', exclusive: true }, resolve);
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return { port: address.port, server };
}

afterAll(async () => {
  await killAllServers();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

// Each test starts the server as a child process (node + tsx) more than once: seconds each on a busy 2-core machine.
describe('the first start', { timeout: 60_000 }, () => {
  it('on a taken port: one line naming PORT, exit 1, no key; the next start on a free port prints the key', async () => {
    const dataDir = join(tempDir(), 'data');
    const { port, server: holder } = await holdPort();
    let failed: ReturnType<typeof serve>;
    try {
      failed = serve({ PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir });
    } finally {
      holder.close();
    }
    expect(failed.status, failed.stderr).toBe(1);
    expect(failed.stderr).toBe(`agencygrid: port ${port} on 127.0.0.1 is in use; set PORT to a free port\n`);
    expect(failed.stdout).not.toMatch(KEY);
    expect(failed.stdout).not.toContain('bootstrap admin API key');

    const next = await startServer({ dataDir, logLevel: 'warn' });
    const key = (await waitForOutput(next, KEY))[1];
    const read = await fetch(`${next.baseUrl}/orgs/00000000-0000-4000-8000-000000000000`, { headers: { authorization: `Bearer ${key}` } });
    expect(read.status).toBe(404);
    await next.kill('SIGTERM');
  });

  it('with an invalid HOST: a configuration error naming HOST, exit 2, nothing created', () => {
    const dataDir = join(tempDir(), 'data');
    const result = serve({ HOST: '999.1.1.1', DATA_DIR: dataDir });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/^agencygrid: invalid configuration: HOST: '999\.1\.1\.1' is neither an IP address .* nor a host name .*\n$/);
    expect(result.stdout).toBe('');
    expect(existsSync(dataDir)).toBe(false);
  });
});
