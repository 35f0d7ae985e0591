import { decideInOrg } from '../../domain/policy/org-decision.ts';
import type { PolicyDecision, PolicyRequest } from '../../domain/policy/types.ts';
import type { LoadedPolicy } from './policy-file.ts';
import type { Expectation } from './test-file-schema.ts';
import type { PreparedCase, TestFile } from './test-file.ts';

/** A checked part of the decision that came out otherwise than expected. */
export type Difference =
  | { field: 'outcome'; expected: Expectation['outcome']; actual: PolicyDecision['outcome'] }
  | { field: 'rules'; expected: string[]; actual: string[] }
  | { field: 'escalateTo'; expected: string | null; actual: string | null };

export interface CaseResult {
  file: string;
  name: string;
  line?: number;
  passed: boolean;
  expect: Expectation;
  request: PolicyRequest;
  decision: PolicyDecision;
  /** Empty when the case passed. */
  differences: Difference[];
}

export interface TestRun {
  policy: LoadedPolicy;
  files: string[];
  results: CaseResult[];
  passed: number;
  failed: number;
}

/** Runs every case of every file, in file order; each is decided exactly as the platform decides (decideInOrg). */
export function runTests(policy: LoadedPolicy, files: readonly TestFile[]): TestRun {
  const results = files.flatMap((tests) => tests.cases.map((testCase) => runCase(policy, tests.file, testCase)));
  const passed = results.filter((result) => result.passed).length;
  return { policy, files: files.map((tests) => tests.file), results, passed, failed: results.length - passed };
}

export function runCase(policy: LoadedPolicy, file: string, testCase: PreparedCase): CaseResult {
  const decision = decideInOrg(policy.rules, testCase.request);
  const differences = compareDecision(testCase.expect, decision);
  return {
    file,
    name: testCase.name,
    ...(testCase.line === undefined ? {} : { line: testCase.line }),
    passed: differences.length === 0,
    expect: testCase.expect,
    request: testCase.request,
    decision,
    differences,
  };
}

/** What an expectation states, compared; what it leaves out is not checked. Rule ids compare as sets. */
export function compareDecision(expect: Expectation, decision: PolicyDecision): Difference[] {
  const differences: Difference[] = [];
  if (!outcomeMatches(expect.outcome, decision.outcome)) differences.push({ field: 'outcome', expected: expect.outcome, actual: decision.outcome });
  if (expect.rules !== undefined) {
    const expected = [...new Set(expect.rules)].sort();
    const actual = [...decision.determiningRuleIds].sort();
    if (expected.join('\u0000') !== actual.join('\u0000')) differences.push({ field: 'rules', expected, actual });
  }
  if (expect.escalateTo !== undefined && expect.escalateTo !== decision.escalateTo) {
    differences.push({ field: 'escalateTo', expected: expect.escalateTo, actual: decision.escalateTo });
  }
  return differences;
}

function outcomeMatches(expected: Expectation['outcome'], actual: PolicyDecision['outcome']): boolean {
  return expected === 'denied' ? actual !== 'permitted' : expected === actual;
}
