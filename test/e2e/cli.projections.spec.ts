import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killAllServers, startServer, type ServerProcess } from '../support/server-process.ts';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const adminKey = 'projections-cli-admin-key-0123456789abcdef';

// Each test starts the CLI as a child process (node + tsx): seconds each on a busy 2-core machine.
describe('agencygrid projections', { timeout: 60_000 }, () => {
  let server: ServerProcess;
  let dataDir: string;
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'ag-proj-'));
    server = await startServer({ dataDir, adminKey });
    for (let n = 0; n < 30; n += 1) {
      const response = await fetch(`${server.baseUrl}/orgs`, {
        method: 'POST',
        headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: `Org ${n}`, slug: `cli-org-${n}` }),
      });
      expect(response.status).toBe(201);
    }
  });
  afterAll(async () => {
    await killAllServers();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const cli = (...args: string[]) =>
    spawnSync(process.execPath, ['--import', 'tsx', 'bin/agencygrid.ts', 'projections', ...args], {
      cwd: repoRoot,
      env: { ...process.env, AGENCYGRID_URL: server.baseUrl, AGENCYGRID_API_KEY: adminKey },
      encoding: 'utf8',
      timeout: 30_000,
    });

  it('rebuilds a read model from the log with progress, and it is whole afterwards', async () => {
    const rebuilt = cli('rebuild', 'orgs');
    expect(rebuilt.status, rebuilt.stderr).toBe(0);
    expect(rebuilt.stdout).toContain('rebuilt orgs');
    expect(rebuilt.stderr).toMatch(/orgs \[#{30}\] 100%/);
    const ready = (await (await fetch(`${server.baseUrl}/ready`)).json()) as { projections: Array<{ name: string; state: string }> };
    expect(ready.projections.find((projection) => projection.name === 'orgs')?.state).toBe('live');
    const status = cli('status');
    expect(status.status).toBe(0);
    expect(status.stdout).toMatch(/^orgs\s+live/m);
  });

  it('refuses an unknown projection and a missing key', () => {
    const unknown = cli('rebuild', 'nope');
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toContain('PROJECTION_NOT_FOUND');
    const noKey = spawnSync(process.execPath, ['--import', 'tsx', 'bin/agencygrid.ts', 'projections', 'status'], {
      cwd: repoRoot,
      env: { ...process.env, AGENCYGRID_API_KEY: '' },
      encoding: 'utf8',
    });
    expect(noKey.status).toBe(2);
  });

  it('lists parked events, and parks only the event a projection stopped at', () => {
    const listed = cli('parked');
    expect(listed.status, listed.stderr).toBe(0);
    expect(listed.stdout).toContain('no parked events');
    const refused = cli('park', 'orgs', '5', 'nothing', 'is', 'stopped');
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain('PROJECTION_NOT_STOPPED_THERE');
  }, 60_000);
});
