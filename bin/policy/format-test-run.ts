import { explainDecision, outcomeText, policyText, principalText } from './explain.ts';
import type { LoadedPolicy } from './policy-file.ts';
import type { Problem } from './problems.ts';
import { formatProblem } from './problems.ts';
import type { CaseResult, Difference, TestRun } from './run-cases.ts';

/**
 * `policy test` output for people: the policy, then one line per case under its file (PASS or FAIL; a failure is
 * followed by the expected and actual values, `-` and `+`, and why the decision came out as it did), then a summary.
 * A passing case whose decision skipped a forbid because the forbid's condition failed to evaluate gets a note:
 * such a case passes for the wrong reason the day the condition is fixed.
 */
export function formatTestRun(run: TestRun): string {
  const lines = [policyText(run.policy), ''];
  let file: string | null = null;
  for (const result of run.results) {
    if (result.file !== file) {
      file = result.file;
      lines.push(file);
    }
    lines.push(...caseLines(run.policy, result));
  }
  lines.push('', summaryLine(run));
  return `${lines.join('\n')}\n`;
}

function caseLines(policy: LoadedPolicy, result: CaseResult): string[] {
  if (result.passed) {
    const skippedForbids = result.decision.errors.filter((error) =>
      result.decision.evaluations.some((evaluation) => evaluation.ruleId === error.ruleId && evaluation.effect === 'forbid'),
    );
    return [
      `  PASS  ${result.name}`,
      ...skippedForbids.map(
        (error) => `          note: forbid ${error.ruleId} did not apply because its ${error.condition} failed to evaluate: ${error.message}`,
      ),
    ];
  }
  const where = result.line === undefined ? result.file : `${result.file}:${result.line}`;
  return [
    `  FAIL  ${result.name}  (${where})`,
    ...result.differences.flatMap((difference) => [
      `          - ${differenceText(difference, 'expected')}`,
      `          + ${differenceText(difference, 'actual')}`,
    ]),
    `          request: ${principalText(result.request.principal)} asks ${result.request.action}`,
    ...explainDecision(policy, result.decision, result.request.action).map((line) => `          ${line}`),
  ];
}

function differenceText(difference: Difference, side: 'expected' | 'actual'): string {
  switch (difference.field) {
    case 'outcome':
      return `outcome: ${outcomeText(difference[side])}`;
    case 'rules':
      return `rules: [${difference[side].join(', ')}]`;
    case 'escalateTo':
      return `escalateTo: ${difference[side] ?? 'null'}`;
  }
}

function summaryLine(run: TestRun): string {
  const total = run.results.length;
  const files = run.files.length;
  return `${run.failed === 0 ? 'ok' : 'FAILED'}: ${run.passed} passed, ${run.failed} failed, ${total} case${total === 1 ? '' : 's'} in ${files} file${files === 1 ? '' : 's'}`;
}

/** `policy test --format json`: everything the text says, and each decision in full. */
export function testRunJson(run: TestRun): string {
  const report = {
    policy: policySummary(run.policy),
    files: run.files,
    cases: run.results.map((result) => ({
      file: result.file,
      name: result.name,
      line: result.line ?? null,
      status: result.passed ? 'pass' : 'fail',
      expected: result.expect,
      differences: result.differences,
      request: result.request,
      decision: result.decision,
    })),
    summary: { passed: run.passed, failed: run.failed, total: run.results.length },
  };
  return `${JSON.stringify(report, null, 2)}\n`;
}

export function policySummary(policy: LoadedPolicy) {
  return { file: policy.file, source: policy.source, description: policy.description, rules: policy.rules.length, hash: policy.hash };
}

/** Problems that stop a run (exit 2): one line each for people, or `{problems: [...]}` for machines. */
export function formatProblems(problems: readonly Problem[]): string {
  return `${problems.map(formatProblem).join('\n')}\n`;
}

export function problemsJson(problems: readonly Problem[]): string {
  return `${JSON.stringify({ problems }, null, 2)}\n`;
}
