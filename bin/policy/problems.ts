import type { z } from 'zod';

/** Why a file cannot be used: every one is a usage error (exit 2), reported before any case runs. */
export type ProblemCode = 'FILE_UNREADABLE' | 'FILE_SYNTAX' | 'POLICY_INVALID' | 'TEST_INVALID' | 'REQUEST_INVALID' | 'NO_TEST_FILES';

/** One problem in a policy, test or request file: which file, which case, which field, and what is wrong. */
export interface Problem {
  code: ProblemCode;
  file: string;
  /** The case's name (or `#<index>` when it has none). */
  case?: string;
  /** Dotted path of the field, e.g. `request.principal.roles[1]`; empty for the whole file. */
  path: string;
  line?: number;
  message: string;
}

/** `file:line: case "name": field: message`, with the parts that are known. */
export function formatProblem(problem: Problem): string {
  const where = problem.line === undefined ? problem.file : `${problem.file}:${problem.line}`;
  const inCase = problem.case === undefined ? '' : ` case ${JSON.stringify(problem.case)}:`;
  const field = problem.path === '' ? '' : ` ${problem.path}:`;
  return `${where}:${inCase}${field} ${problem.message}`;
}

/** Zod issues as (path, message) pairs; an unknown key is reported at its own path, by name. */
export function zodIssues(error: z.ZodError): Array<{ path: Array<string | number>; message: string }> {
  const found: Array<{ path: Array<string | number>; message: string }> = [];
  for (const issue of error.issues) {
    const path = issue.path.map((segment) => (typeof segment === 'symbol' ? String(segment) : segment));
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) found.push({ path: [...path, key], message: `unknown field '${key}'` });
    } else if (issue.code === 'invalid_type' && issue.message.endsWith('received undefined')) {
      found.push({ path, message: `required (${issue.message.replace(/^Invalid input: /, '').replace(/, received undefined$/, '')})` });
    } else {
      found.push({ path, message: issue.message });
    }
  }
  return found;
}
