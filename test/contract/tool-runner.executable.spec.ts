import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ToolEndpoint, ToolSpec } from '../../domain/tool/spec.ts';
import { createToolRunner } from '../../infra/tool-runners/index.ts';
import { limitsWrapper } from '../../infra/tool-runners/resource-limits.ts';
import { waitFor } from '../support/async.ts';
import { describeToolRunnerContract, failure, registeredTool } from './tool-runner.contract.ts';

// Each tool is a small Node script written by the test; the runner starts `node <script>` as a registered executable.
const SCRIPTS = {
  echo: `let input = ''; process.stdin.on('data', (c) => (input += c)).on('end', () => process.stdout.write(input));`,
  hang: `setInterval(() => {}, 1000);`,
  flood: `const block = 'x'.repeat(65536); const write = () => { while (process.stdout.write(block)); process.stdout.once('drain', write); }; write();`,
  crash: `process.stderr.write('something broke'); process.exit(3);`,
  notJson: `process.stdout.write('hello, not JSON');`,
  env: `process.stdout.write(JSON.stringify(process.env));`,
  cwd: `require('node:fs').writeFileSync('left-behind.txt', 'x'); process.stdout.write(JSON.stringify({ cwd: process.cwd() }));`,
  memory: `const held = []; for (let i = 0; i < 100; i += 1) held.push(Buffer.alloc(4 * 1024 * 1024, 1)); process.stdout.write('{"survived":true}');`,
  // A child of its own that would outlive a kill of the tool process alone; it writes its pid for the test to look at.
  forks: `const c = require('node:child_process').spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' }); require('node:fs').writeFileSync(process.env.PID_FILE, String(c.pid)); setInterval(() => {}, 1000);`,
} as const;
type Script = keyof typeof SCRIPTS;

let directory: string;
const endpoint = (script: Script, extra: { env?: Record<string, string>; memoryMb?: number } = {}): Extract<ToolEndpoint, { kind: 'executable' }> => ({
  kind: 'executable',
  command: process.execPath,
  args: [join(directory, `${script}.cjs`)],
  env: extra.env ?? {},
  memoryMb: extra.memoryMb ?? 256,
  cpuSeconds: 30,
});

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'tool-scripts-'));
  for (const [name, source] of Object.entries(SCRIPTS)) await writeFile(join(directory, `${name}.cjs`), source);
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

describeToolRunnerContract('executable', async () => ({
  runner: createToolRunner({ allowedHosts: () => [], secrets: () => undefined, commandAllowed: () => true }),
  endpoint: (behaviour) => endpoint(behaviour),
  orgId: 'org-1',
  startupMs: 1500,
  close: async () => undefined,
}));

describe('executable tool runner', () => {
  const runner = createToolRunner({ allowedHosts: () => [], secrets: () => undefined, commandAllowed: () => true });
  const run = (spec: ToolSpec) => runner.run({ tool: spec, input: {}, orgId: 'org-1', signal: new AbortController().signal });

  it('fails a tool that exits non-zero with crashed, with the end of its stderr', async () => {
    const result = failure(await run(registeredTool(endpoint('crash'))));
    expect(result.code).toBe('crashed');
    expect(result.message).toContain('exited with code 3');
    expect(result.message).toContain('something broke');
  });

  it('fails a tool whose output is not JSON with bad_output', async () => {
    expect(failure(await run(registeredTool(endpoint('notJson')))).code).toBe('bad_output');
  });

  it("gives the tool only its spec's environment, none of the server's", async () => {
    process.env.AGENCYGRID_TEST_SECRET = 'not-for-tools';
    try {
      const result = await run(registeredTool(endpoint('env', { env: { GREETING: 'hello' } })));
      expect(result).toMatchObject({ ok: true, output: { GREETING: 'hello' } });
      expect(result.ok && Object.keys(result.output as object)).toEqual(['GREETING']);
    } finally {
      delete process.env.AGENCYGRID_TEST_SECRET;
    }
  });

  it('runs the tool in a scratch directory of its own, removed after the call', async () => {
    const first = await run(registeredTool(endpoint('cwd')));
    const second = await run(registeredTool(endpoint('cwd')));
    const cwd = (result: typeof first) => (result.ok ? (result.output as { cwd: string }).cwd : '');
    expect(cwd(first)).not.toBe(cwd(second));
    expect(cwd(first).startsWith(tmpdir())).toBe(true);
    expect(existsSync(cwd(first))).toBe(false);
    expect(existsSync(cwd(second))).toBe(false);
  });

  it(`stops a tool past its memory limit (applied by ${limitsWrapper()}) as crashed`, async () => {
    // 400 MB of buffers under a 64 MB limit; without the limit the same script answers.
    const limited = failure(await run(registeredTool(endpoint('memory', { memoryMb: 64 }), { timeoutMs: 20_000 })));
    expect(limited.code).toBe('crashed');
    expect(limited.message).toContain('64 MB');
    expect(await run(registeredTool(endpoint('memory', { memoryMb: 1024 }), { timeoutMs: 20_000 }))).toMatchObject({ ok: true, output: { survived: true } });
  });

  it('kills what the tool started too, at its timeout', async () => {
    const pidFile = join(directory, 'grandchild.pid');
    const result = await run(registeredTool(endpoint('forks', { env: { PID_FILE: pidFile } }), { timeoutMs: 1500 }));
    expect(failure(result).code).toBe('timeout');
    const grandchild = Number(await readFile(pidFile, 'utf8'));
    expect(grandchild).toBeGreaterThan(0);
    await waitFor(() => !alive(grandchild), 5000, 'the grandchild killed with its group');
  });

  it('runs at most maxProcesses tool processes at once, failing the call beyond as unreachable', async () => {
    const capped = createToolRunner({ allowedHosts: () => [], secrets: () => undefined, commandAllowed: () => true, maxProcesses: 1 });
    const controller = new AbortController();
    const hanging = capped.run({ tool: registeredTool(endpoint('hang'), { timeoutMs: 20_000 }), input: {}, orgId: 'org-1', signal: controller.signal });
    const refused = failure(await capped.run({ tool: registeredTool(endpoint('echo')), input: {}, orgId: 'org-1', signal: new AbortController().signal }));
    expect(refused).toMatchObject({ code: 'unreachable', message: expect.stringContaining('1 tool processes are running') });
    controller.abort();
    expect(failure(await hanging).code).toBe('cancelled');
    // The slot is free again once the call has ended.
    expect(
      await capped.run({ tool: registeredTool(endpoint('echo')), input: { again: true }, orgId: 'org-1', signal: new AbortController().signal }),
    ).toMatchObject({
      ok: true,
      output: { again: true },
    });
  });

  it('starts no program the operator has not listed, at each call, whatever the registration said', async () => {
    const marker = join(directory, 'started-anyway');
    const listed: string[] = [];
    const guarded = createToolRunner({ allowedHosts: () => [], secrets: () => undefined, commandAllowed: (command) => listed.includes(command) });
    const touch = registeredTool({ kind: 'executable', command: '/usr/bin/touch', args: [marker], env: {}, memoryMb: 256, cpuSeconds: 5 });
    const refused = failure(await guarded.run({ tool: touch, input: {}, orgId: 'org-1', signal: new AbortController().signal }));
    expect(refused).toMatchObject({ code: 'command_not_allowed', message: expect.stringContaining('/usr/bin/touch') });
    expect(existsSync(marker)).toBe(false);
    listed.push('/usr/bin/touch');
    // touch prints nothing, which is not JSON: the program did run this time.
    expect(failure(await guarded.run({ tool: touch, input: {}, orgId: 'org-1', signal: new AbortController().signal })).code).toBe('bad_output');
    expect(existsSync(marker)).toBe(true);
  });

  it('fails a command that does not exist with unreachable', async () => {
    const missing = registeredTool({ ...endpoint('echo'), command: join(directory, 'no-such-tool') });
    expect(failure(await run(missing)).code).toBe('unreachable');
  });

  it('refuses to run an executable it may not execute', async () => {
    const file = join(directory, 'not-executable');
    await writeFile(file, '#!/bin/sh\necho {}\n');
    await chmod(file, 0o644);
    expect(failure(await run(registeredTool({ ...endpoint('echo'), command: file, args: [] }))).code).toBe('unreachable');
  });
});

/** Whether a process of that pid exists (signal 0 checks without sending anything). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
