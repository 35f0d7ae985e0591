import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, type CliRun } from '../support/cli-process.ts';
import { killAllServers, startServer, waitForOutput } from '../support/server-process.ts';

/** `agencygrid admin-key`: the way back in when the bootstrap key is lost, run against the server's data directory. */
const KEY = /(agk_[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)/;
const sandbox = mkdtempSync(join(tmpdir(), 'ag-admin-key-'));
afterAll(async () => {
  await killAllServers();
  rmSync(sandbox, { recursive: true, force: true });
});

function adminKey(settings: Record<string, string>, args: string[] = []): Promise<CliRun> {
  return runCli(['admin-key', ...args], settings);
}

// Starts the server and the CLI as child processes (node + tsx): seconds each on a busy 2-core machine.
describe('agencygrid admin-key', { timeout: 60_000 }, () => {
  it('refuses a data directory without a store, in one line, and creates nothing', async () => {
    const dataDir = join(sandbox, 'typo');
    const result = await adminKey({ DATA_DIR: dataDir });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      `agencygrid: no event store at ${join(dataDir, 'events.db')}; set DATA_DIR to the server's data directory (or EVENTSTORE_URL to its EventStoreDB)\n`,
    );
    expect(existsSync(dataDir)).toBe(false);
  });

  it('issues a new admin key into the store of a running server, which accepts it; the lost one keeps working', async () => {
    const dataDir = join(sandbox, 'data');
    const server = await startServer({ dataDir, logLevel: 'warn' });
    const bootstrapKey = (await waitForOutput(server, KEY))[1];
    const read = (key: string | undefined) =>
      fetch(`${server.baseUrl}/orgs/00000000-0000-4000-8000-000000000000`, { headers: { authorization: `Bearer ${key}` } });

    const issued = await adminKey({ DATA_DIR: dataDir, LOG_LEVEL: 'warn' }, ['--label', 'recovery after a lost key']);
    expect(issued.stderr).toBe('');
    expect(issued.code).toBe(0);
    const key = KEY.exec(issued.stdout)?.[1];
    expect(key).toBeDefined();
    expect(key).not.toBe(bootstrapKey);
    expect(issued.stdout).toContain(`export AGENCYGRID_API_KEY='${key}'`);

    // The server follows the embedded log by polling it (about a second).
    await expect.poll(async () => (await read(key)).status, { timeout: 10_000, interval: 200 }).toBe(404);
    expect((await read(bootstrapKey)).status).toBe(404);
    expect((await read('agk_nope.nope')).status).toBe(401);
    await server.kill('SIGTERM');
  });
});
