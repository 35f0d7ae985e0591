import { describe, expect, it } from 'vitest';
import { required } from '../../domain/shared/required.ts';
import { formatTestRun, testRunJson } from '../../bin/policy/format-test-run.ts';
import { formatEvaluation } from '../../bin/policy/format-eval.ts';
import { runTests } from '../../bin/policy/run-cases.ts';
import { decideInOrg } from '../../domain/policy/org-decision.ts';
import { policyFrom, rule, testsFrom } from '../support/policy-test-fixtures.ts';

/** What `policy test` and `policy eval` print. */
const policy = policyFrom(
  [
    rule('editors-edit', 'permit', ['org.update'], { roles: ['editor'] }),
    rule('no-archive-word', 'forbid', ['org.update'], { when: 'command.data.description == "archive"', escalateTo: 'owner' }),
  ],
  'desk.yaml',
);
const update = (roles: string[], description?: string) => ({
  principal: { id: 'eve', roles },
  action: 'org.update',
  ...(description === undefined ? {} : { command: { data: { description } } }),
});

function run() {
  return runTests(policy, [
    testsFrom(
      policy,
      {
        cases: [
          { name: 'editors edit', request: update(['editor'], 'x'), expect: 'permitted' },
          { name: 'writers edit too', request: update(['writer'], 'x'), expect: { outcome: 'permitted', rules: ['editors-edit'] } },
        ],
      },
      new Date(),
      'desk.policy-test.yaml',
    ),
  ]);
}

describe('policy test output', () => {
  it('prints one line per case, a diff and an explanation under a failure, and a summary', () => {
    const lines = formatTestRun(run()).split('\n');
    expect(lines[0]).toMatch(/^policy desk\.yaml: 2 rules \(hash [0-9a-f]{12}\), decided with the platform policy's \d+$/);
    expect(lines).toContain('desk.policy-test.yaml');
    expect(lines).toContain('  PASS  editors edit');
    const fail = lines.findIndex((line) => line.startsWith('  FAIL  writers edit too'));
    expect(lines[fail]).toMatch(/\(desk\.policy-test\.yaml:\d+\)$/);
    expect(lines.slice(fail + 1, fail + 5)).toEqual([
      '          - outcome: permitted',
      '          + outcome: not permitted',
      '          - rules: [editors-edit]',
      '          + rules: []',
    ]);
    expect(lines.slice(fail + 5).join('\n')).toContain('no rule permits org.update (deny by default)');
    expect(lines.slice(fail + 5).join('\n')).toContain('does not apply: the principal holds none of its roles (editor)');
    expect(lines.at(-2)).toBe('FAILED: 1 passed, 1 failed, 2 cases in 1 file');
  });

  it('notes a passing case whose decision skipped a forbid because its condition failed to evaluate', () => {
    // No description in the payload: the forbid's condition reads a key that is not there.
    const result = runTests(policy, [testsFrom(policy, { cases: [{ name: 'no description', request: update(['editor']), expect: 'permitted' }] })]);
    expect(formatTestRun(result)).toMatch(/ {10}note: forbid no-archive-word did not apply because its when failed to evaluate: .+/);
  });

  it('gives machines every case with its status, differences, request and decision', () => {
    const report = JSON.parse(testRunJson(run())) as Record<string, unknown>;
    expect(report.summary).toEqual({ passed: 1, failed: 1, total: 2 });
    expect(report.policy).toMatchObject({ file: 'desk.yaml', source: 'rules', rules: 2, hash: policy.hash });
    expect(report.cases).toEqual([
      expect.objectContaining({ name: 'editors edit', status: 'pass', differences: [] }),
      expect.objectContaining({
        name: 'writers edit too',
        status: 'fail',
        file: 'desk.policy-test.yaml',
        line: expect.any(Number),
        expected: { outcome: 'permitted', rules: ['editors-edit'] },
        differences: [
          { field: 'outcome', expected: 'permitted', actual: 'not-permitted' },
          { field: 'rules', expected: ['editors-edit'], actual: [] },
        ],
        request: expect.objectContaining({ action: 'org.update' }),
        decision: expect.objectContaining({ outcome: 'not-permitted' }),
      }),
    ]);
  });
});

describe('policy eval output', () => {
  it('states the outcome, who asked what, what determined it and what became of each rule for the action', () => {
    const [testCase] = testsFrom(policy, { cases: [{ name: 'x', request: update(['editor'], 'archive'), expect: 'forbidden' }] }).cases;
    const { request } = required(testCase, 'the one case given');
    const text = formatEvaluation(policy, request, decideInOrg(policy.rules, request));
    expect(text.split('\n').slice(0, 3)).toEqual([
      `forbidden: subject eve (roles editor) asks org.update at ${request.now}`,
      '  forbidden by no-archive-word: no-archive-word reason',
      '  escalate to owner',
    ]);
    expect(text).toMatch(/permit editors-edit +applies/);
    expect(text).toMatch(/forbid no-archive-word +applies/);
  });
});
