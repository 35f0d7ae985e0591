import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { required } from '../../domain/shared/required.ts';
import { killAllServers, startServer, waitForOutput } from '../support/server-process.ts';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'ag-life-'));
  dirs.push(dir);
  return dir;
};

afterAll(async () => {
  await killAllServers();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('the server process', () => {
  it('prints a bootstrap admin key once, on the first start of an empty store, and keeps it working', async () => {
    const dataDir = tempDir();
    const first = await startServer({ dataDir, logLevel: 'info' });
    // Printed once the server listens, so it may come just after /health first answers.
    const key = (await waitForOutput(first, /(agk_[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)/))[1];
    expect(key).toBeDefined();
    // Printed on stdout for the operator, never in a log line.
    const logLines = first
      .output()
      .split('\n')
      .filter((line) => line.startsWith('{'));
    expect(logLines.some((line) => line.includes(required(key, 'the printed key')))).toBe(false);
    const probe = (baseUrl: string) => fetch(`${baseUrl}/orgs/00000000-0000-4000-8000-000000000000`, { headers: { authorization: `Bearer ${key}` } });
    expect((await probe(first.baseUrl)).status).toBe(404);
    expect(await first.kill('SIGTERM')).toEqual({ code: 0, signal: null });

    const second = await startServer({ dataDir, logLevel: 'info' });
    expect(second.output()).not.toContain('bootstrap admin API key');
    expect((await probe(second.baseUrl)).status).toBe(404);
    await second.kill('SIGTERM');
  });

  it('drains in-flight commands on SIGTERM: every acknowledged command is in the log, none fails with a 5xx other than 503', async () => {
    const dataDir = tempDir();
    const adminKey = 'lifecycle-admin-key-0123456789abcdefghij';
    const server = await startServer({ dataDir, adminKey });
    const headers = { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' };
    const requests = Array.from({ length: 60 }, (_, n) =>
      fetch(`${server.baseUrl}/orgs`, { method: 'POST', headers, body: JSON.stringify({ name: `Org ${n}`, slug: `drain-${n}` }) }).then(
        async (response) => ({ status: response.status, body: (await response.json()) as { orgId?: string; error?: string } }),
        (error: Error) => ({ status: 0, body: { orgId: undefined, error: error.message } }),
      ),
    );
    // SIGTERM once the server has answered one of them (a condition, not a guess at how fast it is): the others are
    // in flight, queued or not yet sent.
    await Promise.race(requests);
    const exit = await server.kill('SIGTERM', 15_000);
    const answers = await Promise.all(requests);
    expect(exit, server.output()).toEqual({ code: 0, signal: null });
    for (const answer of answers) expect([0, 201, 503]).toContain(answer.status);
    const acknowledged = answers.filter((answer) => answer.status === 201);
    const counts: Record<number, number> = {};
    for (const answer of answers) counts[answer.status] = (counts[answer.status] ?? 0) + 1;
    console.log(`drain: ${JSON.stringify(counts)}`);
    expect(acknowledged.length).toBeGreaterThan(0);

    const restarted = await startServer({ dataDir, adminKey });
    for (const { body } of acknowledged) {
      const read = await fetch(`${restarted.baseUrl}/orgs/${body.orgId}`, { headers });
      expect(read.status).toBe(200);
    }
    await restarted.kill('SIGTERM');
  }, 60_000);

  it('refuses to start on invalid configuration, with one clear line', () => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'bin/agencygrid.ts', 'serve'], {
      cwd: repoRoot,
      env: { ...process.env, PORT: 'eighty', EVENTSTORE_URL: 'http://nope', DATA_DIR: tempDir() },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(result.status).toBe(2);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^agencygrid: invalid configuration: .*PORT.*EVENTSTORE_URL/);
  });
});
