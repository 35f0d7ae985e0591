import { findTestFiles } from './discover.ts';
import { formatTestRun, testRunJson } from './format-test-run.ts';
import type { PolicyCliIo } from './io.ts';
import type { Problem } from './problems.ts';
import { readPolicyFile, readText } from './read-files.ts';
import { refuse, type OutputFormat } from './refuse.ts';
import { runTests } from './run-cases.ts';
import { parseTestFile, type TestFile } from './test-file.ts';

/**
 * `agencygrid policy test <policy> [<tests>...]`: 0 every case passed, 1 a case failed, 2 a file is missing or
 * invalid (every problem of every file is reported, and no case runs).
 */
export async function policyTest(io: PolicyCliIo, policyFile: string, testArgs: readonly string[], format: OutputFormat): Promise<number> {
  const loaded = await readPolicyFile(io, policyFile);
  if (!loaded.ok) return refuse(io, loaded.problems, format);
  const found = await findTestFiles(policyFile, testArgs);
  if (!found.ok) return refuse(io, found.problems, format);

  const now = io.now().toISOString();
  const problems: Problem[] = [];
  const files: TestFile[] = [];
  for (const file of found.files) {
    const read = await readText(io, file);
    if (!read.ok) {
      problems.push(read.problem);
      continue;
    }
    const parsed = parseTestFile(file, read.text, loaded.policy, now);
    if (parsed.ok) files.push(parsed.tests);
    else problems.push(...parsed.problems);
  }
  if (problems.length > 0) return refuse(io, problems, format);

  const run = runTests(loaded.policy, files);
  io.out(format === 'json' ? testRunJson(run) : formatTestRun(run));
  return run.failed > 0 ? 1 : 0;
}
