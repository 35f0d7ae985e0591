import type { z } from 'zod';

/** One problem with one field of a request, by the path of the field in the caller's own terms. */
export interface FieldIssue {
  path: string[];
  message: string;
}

/**
 * A schema's finding in words a caller acts on: a field that is not there is "required" (zod says "expected string,
 * received undefined", which reads as if something had been sent).
 */
export function fieldIssue(issue: z.core.$ZodIssue, path: readonly PropertyKey[] = issue.path): FieldIssue {
  const missing = issue.code === 'invalid_type' && /received undefined$/.test(issue.message);
  return { path: path.map(String), message: missing ? `required (${issue.expected})` : issue.message };
}

/**
 * `what`, then the first problems by field (`name: required (string); slug: required (string)`), so the message alone
 * says what to fix; `details.issues` has them all.
 */
export function issuesSummary(what: string, issues: readonly FieldIssue[], shown = 3): string {
  if (issues.length === 0) return what;
  const listed = issues.slice(0, shown).map((issue) => `${issue.path.length === 0 ? '(body)' : issue.path.join('.')}: ${issue.message}`);
  const more = issues.length > shown ? `; and ${issues.length - shown} more in details.issues` : '';
  return `${what}: ${listed.join('; ')}${more}`;
}
