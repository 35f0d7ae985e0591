import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { required } from '../../domain/shared/required.ts';
import { waitFor } from '../support/async.ts';
import type { DependencyServer } from '../support/dependency-servers.ts';
import { startNatsUnlessSkipped } from '../support/nats-server.ts';

interface DemoRun {
  child: ChildProcess;
  readonly output: string;
  exited: Promise<number | null>;
}

/** The demo as a child process, its output collected as it comes. */
function runDemo(natsUrl: string, args: string[] = []): DemoRun {
  const child = spawn(process.execPath, ['--import', 'tsx', 'examples/demo/run-demo.ts', ...args], {
    env: { ...process.env, NATS_URL: natsUrl },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return {
    child,
    get output() {
      return output;
    },
    exited: new Promise((resolve) => child.on('exit', resolve)),
  };
}

// A nats-server of its own, and both runs in one file, one after the other: the platform's subjects have one prefix,
// so on a shared server another platform (another test's, or the other run) would answer this demo's agents.
describe('npm run demo', () => {
  let nats: DependencyServer | null;
  beforeAll(async () => {
    nats = await startNatsUnlessSkipped('npm run demo');
  });
  afterAll(async () => {
    await nats?.stop();
  });

  it('runs a job through auction, contract, execution and verification, escalates a missed deadline, and cleans up', async (context) => {
    if (!nats) return context.skip();
    const demo = runDemo(nats.url);
    const code = await demo.exited;
    const { output } = demo;
    expect(code, output).toBe(0);
    for (const line of [
      /call for proposals to .*Basil.*Ada|call for proposals to .*Ada.*Basil/,
      /awarded to Basil: lowest price 8/,
      /contract [0-9a-f]{8} active/,
      /BREACH of contract [0-9a-f]{8}: forbidden_action \(permittedTools\)/,
      /job [0-9a-f]{8} VERIFIED by Vera/,
      /BREACH of contract [0-9a-f]{8}: deadline_missed \(obligations\.delivery\)/,
      /job [0-9a-f]{8} ESCALATED to role "lead"/,
      /escalation resolved: cancel -> cancelled/,
    ]) {
      expect(output).toMatch(line);
    }
    // Its last words send nobody to the platform it stopped or to the data it removed.
    const dataDir = /its data \((\/[^)]+)\) is removed/.exec(output)?.[1];
    expect(dataDir, output).toBeDefined();
    expect(existsSync(required(dataDir, 'the removed data directory'))).toBe(false);
    expect(output).toContain('npm run demo -- --keep');
  }, 90_000);

  it('with --keep, keeps the platform and its data for inspection, says how to read them, and removes both on SIGINT', async (context) => {
    if (!nats) return context.skip();
    const demo = runDemo(nats.url, ['--keep']);
    try {
      await waitFor(() => demo.output.includes('Ctrl-C stops it') || demo.child.exitCode !== null, 80_000, 'the demo to finish and keep the platform');
      const { output } = demo;
      const settings = /export AG=(\S+) AGENCYGRID_URL=\S+ AGENCYGRID_API_KEY=(\S+)/.exec(output);
      const jobPath = /curl -s \$AG(\/orgs\/[0-9a-f-]{36}\/jobs\/[0-9a-f-]{36}) /.exec(output)?.[1];
      const dataDir = /\(data in (\/[^)]+)\)/.exec(output)?.[1];
      expect(settings !== null && jobPath !== undefined && dataDir !== undefined, output).toBe(true);
      const [, baseUrl, adminKey] = required(settings, 'the printed settings');
      const keptDir = required(dataDir, 'the kept data directory');

      // The printed command, with the printed key, reads job 1 from the kept platform.
      const response = await fetch(`${baseUrl}${jobPath}`, { headers: { authorization: `Bearer ${adminKey}` } });
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ status: 'verified' });
      expect(existsSync(keptDir)).toBe(true);

      demo.child.kill('SIGINT');
      expect(await demo.exited, demo.output).toBe(0);
      expect(existsSync(keptDir)).toBe(false);
      await expect(fetch(`${baseUrl}/health`)).rejects.toThrow();
    } finally {
      demo.child.kill('SIGKILL');
    }
  }, 120_000);
});
