import type { PolicyRequest } from '../../domain/policy/types.ts';
import type { LoadedPolicy } from './policy-file.ts';
import { zodIssues, type Problem } from './problems.ts';
import { buildRequest } from './request.ts';
import { testCaseSchema, testFileSchema, type Expectation } from './test-file-schema.ts';
import { formatSourcePath, parseSource, type SourceDocument, type SourcePath } from '../yaml-source.ts';

/** A case ready to run: its request as the platform would build it, and what the decision must be. */
export interface PreparedCase {
  name: string;
  line?: number;
  request: PolicyRequest;
  expect: Expectation;
}

export interface TestFile {
  file: string;
  description: string | null;
  cases: PreparedCase[];
}

export type TestFileResult = { ok: true; tests: TestFile } | { ok: false; problems: Problem[] };

/**
 * Reads a test file against the policy it tests. Every problem of every case is reported (each naming the file, the
 * case and the field, with its line), not just the first; a file with any problem runs no case.
 */
export function parseTestFile(file: string, text: string, policy: LoadedPolicy, now: string): TestFileResult {
  const parsed = parseSource(text);
  if (!parsed.ok)
    return {
      ok: false,
      problems: [{ code: 'FILE_SYNTAX', file, path: '', ...(parsed.line === undefined ? {} : { line: parsed.line }), message: parsed.message }],
    };
  const { document } = parsed;
  const frame = testFileSchema.safeParse(document.value);
  if (!frame.success) return { ok: false, problems: zodIssues(frame.error).map((issue) => problemAt(file, document, issue.path, issue.message)) };

  const { defaults } = frame.data;
  const problems: Problem[] = [];
  const cases: PreparedCase[] = [];
  const firstByName = new Map<string, number>();
  frame.data.cases.forEach((raw, index) => {
    const at: SourcePath = ['cases', index];
    const name = nameOf(raw, index);
    const report = (path: SourcePath, message: string) => problems.push(problemAt(file, document, [...at, ...path], message, name, path));
    const item = testCaseSchema.safeParse(raw);
    if (!item.success) {
      for (const issue of zodIssues(item.error)) report(issue.path, issue.message);
      return;
    }
    const first = firstByName.get(item.data.name);
    if (first !== undefined) report(['name'], `another case has this name (cases[${first}]); names identify cases in the output`);
    else firstByName.set(item.data.name, index);

    const built = buildRequest(item.data.request, policy, { now: defaults?.now ?? now, ...(defaults?.org ? { org: defaults.org } : {}) });
    if (!built.ok) {
      for (const issue of built.issues) report(['request', ...issue.path], issue.message);
      return;
    }
    const line = document.lineOf(at);
    cases.push({ name: item.data.name, ...(line === undefined ? {} : { line }), request: built.request, expect: item.data.expect });
  });
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, tests: { file, description: frame.data.description ?? null, cases } };
}

/** The case's name as written, even when the case is otherwise invalid; `#<n>` (1-based) when it has none. */
function nameOf(raw: unknown, index: number): string {
  if (typeof raw === 'object' && raw !== null && 'name' in raw && typeof raw.name === 'string' && raw.name.trim() !== '') return raw.name.trim();
  return `#${index + 1}`;
}

/** A problem located by its full path in the file, and named by its path inside the case when it is in one. */
function problemAt(file: string, document: SourceDocument, path: SourcePath, message: string, caseName?: string, inCase?: SourcePath): Problem {
  const line = document.lineOf(path);
  return {
    code: 'TEST_INVALID',
    file,
    ...(caseName === undefined ? {} : { case: caseName }),
    path: formatSourcePath(inCase ?? path),
    ...(line === undefined ? {} : { line }),
    message,
  };
}
