import { formatProblems, problemsJson } from './format-test-run.ts';
import type { PolicyCliIo } from './io.ts';
import type { Problem } from './problems.ts';

export type OutputFormat = 'text' | 'json';

/** Reports problems (JSON on stdout for machines, text on stderr for people) and returns the usage status, 2. */
export function refuse(io: PolicyCliIo, problems: readonly Problem[], format: OutputFormat): number {
  if (format === 'json') io.out(problemsJson(problems));
  else io.err(formatProblems(problems));
  return 2;
}
