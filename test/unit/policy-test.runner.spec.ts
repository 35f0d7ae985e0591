import { describe, expect, it } from 'vitest';
import { required } from '../../domain/shared/required.ts';
import { compareDecision, runTests } from '../../bin/policy/run-cases.ts';
import { parsePolicyFile } from '../../bin/policy/policy-file.ts';
import { parseTestFile } from '../../bin/policy/test-file.ts';
import { evaluatePolicy } from '../../domain/policy/evaluate.ts';
import { platformPolicy } from '../../domain/policy/platform-policy.ts';
import type { PolicyDecision } from '../../domain/policy/types.ts';
import { exampleText, policyFrom, rule, testsFrom } from '../support/policy-test-fixtures.ts';

/** `policy test`'s runner, in-process: each case decided as the platform decides, compared with what it expects. */
const rules = [
  rule('editors-edit', 'permit', ['org.update'], { roles: ['editor'] }),
  rule('members-read', 'permit', ['*.read'], { when: 'size(principal.roles) > 0' }),
  rule('no-archiving', 'forbid', ['org.update'], { when: 'has(command.data.description) && command.data.description == "archive"', escalateTo: 'owner' }),
];
const policy = policyFrom(rules);

const editorUpdates = (description: string) => ({ principal: { id: 'eve', roles: ['editor'] }, action: 'org.update', command: { data: { description } } });

describe('policy test runner', () => {
  it('passes a case whose decision is as expected, and fails one whose decision is not, saying what differs', () => {
    const run = runTests(policy, [
      testsFrom(policy, {
        cases: [
          { name: 'editors edit', request: editorUpdates('new'), expect: { outcome: 'permitted', rules: ['editors-edit'] } },
          { name: 'wrongly expected', request: editorUpdates('archive'), expect: { outcome: 'permitted', rules: ['editors-edit'], escalateTo: null } },
        ],
      }),
    ]);
    expect(run.results.map((result) => [result.name, result.passed])).toEqual([
      ['editors edit', true],
      ['wrongly expected', false],
    ]);
    expect(run.results[1]?.differences).toEqual([
      { field: 'outcome', expected: 'permitted', actual: 'forbidden' },
      { field: 'rules', expected: ['editors-edit'], actual: ['no-archiving'] },
      { field: 'escalateTo', expected: null, actual: 'owner' },
    ]);
    expect([run.passed, run.failed]).toEqual([1, 1]);
  });

  it("decides with the platform policy as well as the file's rules, as a published policy is decided", () => {
    const tests = testsFrom(policy, {
      cases: [{ name: 'an admin', request: { principal: { id: 'ops', kind: 'admin' }, action: 'org.archive' }, expect: 'permitted' }],
    });
    const [result] = runTests(policy, [tests]).results;
    expect(result?.decision.determiningRuleIds).toEqual(['platform:admins-administer']);
    expect(result?.decision).toEqual(evaluatePolicy([...platformPolicy, ...policy.rules], required(tests.cases[0], 'the one case of the file').request));
  });

  it('checks only what a case states: the outcome alone, or with the determining rules in any order', () => {
    const both = [rule('a-permit', 'permit', ['org.update'], { roles: ['editor'] }), rule('b-permit', 'permit', ['org.update'], { roles: ['editor'] })];
    const twoPermits = policyFrom(both);
    const run = runTests(twoPermits, [
      testsFrom(twoPermits, {
        cases: [
          { name: 'outcome only', request: editorUpdates('x'), expect: 'permitted' },
          { name: 'rules in another order', request: editorUpdates('x'), expect: { outcome: 'permitted', rules: ['b-permit', 'a-permit'] } },
          { name: 'one rule missing', request: editorUpdates('x'), expect: { outcome: 'permitted', rules: ['a-permit'] } },
        ],
      }),
    ]);
    expect(run.results.map((result) => result.passed)).toEqual([true, true, false]);
  });

  it("matches 'denied' to either refusal, and each refusal only to itself", () => {
    const decision = (outcome: PolicyDecision['outcome']): PolicyDecision => ({
      outcome,
      determiningRuleIds: [],
      reasons: [],
      evaluations: [],
      errors: [],
      escalateTo: null,
    });
    expect(compareDecision({ outcome: 'denied' }, decision('forbidden'))).toEqual([]);
    expect(compareDecision({ outcome: 'denied' }, decision('not-permitted'))).toEqual([]);
    expect(compareDecision({ outcome: 'denied' }, decision('permitted'))).toHaveLength(1);
    expect(compareDecision({ outcome: 'forbidden' }, decision('not-permitted'))).toEqual([
      { field: 'outcome', expected: 'forbidden', actual: 'not-permitted' },
    ]);
    expect(compareDecision({ outcome: 'not-permitted' }, decision('forbidden'))).toHaveLength(1);
  });

  it("decides a case without `now` at the run's clock, and one with `now` at its own instant", () => {
    const timed = policyFrom([rule('before-deadline', 'permit', ['org.update'], { when: 'now < instant(org.metadata.deadline)' })]);
    const clock = new Date();
    const deadline = new Date(clock.getTime() + 60 * 60_000).toISOString();
    const after = new Date(clock.getTime() + 2 * 60 * 60_000).toISOString();
    const request = { principal: { id: 'eve' }, action: 'org.update', org: { metadata: { deadline } } };
    const run = runTests(timed, [
      testsFrom(
        timed,
        {
          cases: [
            { name: 'now', request, expect: 'permitted' },
            { name: 'later', request: { ...request, now: after }, expect: 'not-permitted' },
          ],
        },
        clock,
      ),
    ]);
    expect(run.results.map((result) => [result.request.now, result.passed])).toEqual([
      [clock.toISOString(), true],
      [after, true],
    ]);
  });

  it.each([
    ['examples/support-desk.yaml', 'examples/support-desk.policy-test.yaml'],
    ['examples/research-lab.yaml', 'examples/research-lab.policy-test.yaml'],
    ['examples/demo/demo-lab.policy.yaml', 'examples/demo/demo-lab.policy-test.yaml'],
  ])('%s passes its shipped tests, which cover permits, forbids and not-permitted', (policyPath, testPath) => {
    const loaded = parsePolicyFile(policyPath, exampleText(policyPath));
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
    const tests = parseTestFile(testPath, exampleText(testPath), loaded.policy, new Date().toISOString());
    if (!tests.ok) throw new Error(JSON.stringify(tests.problems));
    const run = runTests(loaded.policy, [tests.tests]);
    expect(run.results.filter((result) => !result.passed).map((result) => result.name)).toEqual([]);
    expect(new Set(run.results.map((result) => result.decision.outcome))).toEqual(new Set(['permitted', 'forbidden', 'not-permitted']));
  });
});
