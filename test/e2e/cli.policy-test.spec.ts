import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { runCli } from '../support/cli-child.ts';

/**
 * `agencygrid policy test` as a user (and CI) runs it: the real binary, offline, on each example's policy and the
 * tests it ships; on a failing case (exit 1, the diff shown) and on an invalid test file (exit 2, naming the case
 * and the field).
 */
const dirForFiles = mkdtempSync(join(tmpdir(), 'agencygrid-cli-policy-test-'));

// Each test starts the CLI as a child process (node + tsx): seconds each on a busy 2-core machine.
describe('agencygrid policy test', { timeout: 60_000 }, () => {
  afterAll(() => rmSync(dirForFiles, { recursive: true, force: true }));

  it.each([
    ['examples/support-desk.yaml', 15],
    ['examples/research-lab.yaml', 13],
    ['examples/demo/demo-lab.policy.yaml', 10],
  ])('%s passes the tests it ships', async (policy, cases) => {
    const { code, stdout, stderr } = await runCli(['policy', 'test', policy]);
    expect(stderr).toBe('');
    expect(code, stdout).toBe(0);
    expect(stdout).not.toContain('FAIL');
    expect(stdout.trimEnd().split('\n').at(-1)).toBe(`ok: ${cases} passed, 0 failed, ${cases} cases in 1 file`);
  });

  describe('a failing case', () => {
    let tests: string;
    beforeAll(() => {
      tests = join(dirForFiles, 'wrong.policy-test.yaml');
      writeFileSync(
        tests,
        stringify({
          cases: [
            { name: 'the auditor reads the roster', request: { principal: { id: 'auditor', roles: ['auditor'] }, action: 'roster.read' }, expect: 'permitted' },
            {
              name: 'the auditor updates the desk',
              request: { principal: { id: 'auditor', roles: ['auditor'] }, action: 'org.update' },
              expect: { outcome: 'permitted', rules: ['lead-shapes-the-desk'] },
            },
          ],
        }),
      );
    });

    it('exits 1 and shows what was expected and what was decided', async () => {
      const { code, stdout } = await runCli(['policy', 'test', 'examples/support-desk.yaml', tests]);
      expect(code, stdout).toBe(1);
      expect(stdout).toContain('  PASS  the auditor reads the roster');
      expect(stdout).toMatch(/ {2}FAIL {2}the auditor updates the desk {2}\(.*wrong\.policy-test\.yaml:\d+\)/);
      expect(stdout).toContain('- outcome: permitted\n          + outcome: forbidden');
      expect(stdout).toContain('- rules: [lead-shapes-the-desk]\n          + rules: [auditor-changes-nothing]');
      expect(stdout).toContain('forbidden by auditor-changes-nothing: an auditor observes and never changes what it audits');
      expect(stdout.trimEnd().split('\n').at(-1)).toBe('FAILED: 1 passed, 1 failed, 2 cases in 1 file');
    });

    it('with --format json, reports it for machines, still exiting 1', async () => {
      const { code, stdout } = await runCli(['policy', 'test', 'examples/support-desk.yaml', tests, '--format', 'json']);
      expect(code).toBe(1);
      const report = JSON.parse(stdout) as { summary: unknown; cases: Array<{ status: string; differences: unknown[] }> };
      expect(report.summary).toEqual({ passed: 1, failed: 1, total: 2 });
      expect(report.cases.map((item) => item.status)).toEqual(['pass', 'fail']);
    });
  });

  it('exits 2 on an invalid test file, naming the file, the case and the field, and runs nothing', async () => {
    const tests = join(dirForFiles, 'invalid.policy-test.yaml');
    writeFileSync(
      tests,
      `cases:
  - name: a lead grants
    request:
      principal: { id: dana, roles: [leed] }
      action: roster.role.grant
    expect: permitted
`,
    );
    const { code, stdout, stderr } = await runCli(['policy', 'test', 'examples/support-desk.yaml', tests]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe(
      `${tests}:4: case "a lead grants": request.principal.roles[0]: unknown role 'leed': the org spec declares auditor, lead, on-call, tier1, tier2\n`,
    );
  });

  it('exits 2 when given no test file and none sits next to the policy', async () => {
    const policy = join(dirForFiles, 'lonely.yaml');
    writeFileSync(policy, stringify([{ id: 'r', effect: 'permit', actions: ['org.read'], reason: 'r' }]));
    const { code, stderr } = await runCli(['policy', 'test', policy]);
    expect(code).toBe(2);
    expect(stderr).toContain('no test files given, and none next to the policy');
  });
});
