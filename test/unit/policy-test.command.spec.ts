import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { runPolicyCommand } from '../../bin/policy/command.ts';
import { memoryIo, rule } from '../support/policy-test-fixtures.ts';

/** `agencygrid policy ...` parsed by commander in-process: exit statuses, help, usage errors, stdin. */
describe('agencygrid policy (in-process)', () => {
  let dir: string;
  let policyFile: string;
  const request = { principal: { id: 'eve', roles: ['editor'] }, action: 'org.update' };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'agencygrid-policy-command-'));
    policyFile = join(dir, 'desk.yaml');
    writeFileSync(policyFile, stringify([rule('editors-edit', 'permit', ['org.update'], { roles: ['editor'] })]));
    writeFileSync(join(dir, 'desk.policy-test.yaml'), stringify({ cases: [{ name: 'editors edit', request, expect: 'permitted' }] }));
    writeFileSync(join(dir, 'wrong.policy-test.yaml'), stringify({ cases: [{ name: 'wrong', request, expect: 'forbidden' }] }));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function run(argv: string[], stdin?: string) {
    const io = memoryIo({}, stdin === undefined ? {} : { stdin });
    const status = await runPolicyCommand(argv, io);
    return { status, stdout: io.stdout(), stderr: io.stderr() };
  }

  it('test: 0 when every case passes (the tests next to the policy by default), 1 when one fails', async () => {
    const passed = await run(['test', policyFile]);
    expect(passed.status).toBe(0);
    expect(passed.stdout).toContain('PASS  editors edit');
    const failed = await run(['test', policyFile, join(dir, 'wrong.policy-test.yaml')]);
    expect(failed.status).toBe(1);
    expect(failed.stdout).toContain('FAIL  wrong');
  });

  it('test --format json prints the report as JSON', async () => {
    const { status, stdout } = await run(['test', policyFile, '--format', 'json']);
    expect(status).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ summary: { passed: 1, failed: 0, total: 1 } });
  });

  it('eval: 0 permitted, 1 denied; reads the request from a file or stdin', async () => {
    const requestFile = join(dir, 'request.yaml');
    writeFileSync(requestFile, stringify(request));
    const permitted = await run(['eval', policyFile, '--request', requestFile]);
    expect([permitted.status, permitted.stdout.split('\n')[0]]).toEqual([0, expect.stringMatching(/^permitted: subject eve/)]);
    const denied = await run(['eval', policyFile, '-r', '-', '--format', 'json'], JSON.stringify({ ...request, principal: { id: 'tim' } }));
    expect(denied.status).toBe(1);
    expect(JSON.parse(denied.stdout)).toMatchObject({ decision: { outcome: 'not-permitted' }, request: { principal: { id: 'tim', roles: [] } } });
  });

  it('eval: 2 for a request that is not one, naming the field', async () => {
    const { status, stdout, stderr } = await run(['eval', policyFile, '--request', '-'], 'principal: { id: eve }\naction: org.update\nnow: tomorrow\n');
    expect([status, stdout]).toEqual([2, '']);
    expect(stderr).toBe('(stdin):3: now: expected an ISO-8601 instant with a time zone, e.g. 2026-03-01T09:00:00Z\n');
  });

  it('--help prints usage and exits 0', async () => {
    for (const argv of [['--help'], ['test', '--help'], ['eval', '--help']]) {
      const { status, stdout } = await run(argv);
      expect(status).toBe(0);
      expect(stdout).toMatch(/^Usage: agencygrid policy/);
    }
  });

  it.each([[[]], [['test']], [['eval', 'desk.yaml']], [['test', 'desk.yaml', '--format', 'xml']], [['test', 'desk.yaml', '--verbose']], [['frobnicate']]])(
    'usage error %j: status 2, told on stderr',
    async (argv) => {
      const { status, stdout, stderr } = await run(argv);
      expect([status, stdout]).toEqual([2, '']);
      expect(stderr.length).toBeGreaterThan(0);
    },
  );

  it('2 for a policy file that cannot be read', async () => {
    const { status, stderr } = await run(['test', join(dir, 'missing.yaml')]);
    expect(status).toBe(2);
    expect(stderr).toContain('missing.yaml: cannot read it: no such file');
  });
});
