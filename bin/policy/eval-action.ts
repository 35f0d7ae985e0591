import { decideInOrg } from '../../domain/policy/org-decision.ts';
import { evaluationJson, formatEvaluation } from './format-eval.ts';
import type { PolicyCliIo } from './io.ts';
import { zodIssues, type Problem } from './problems.ts';
import { readPolicyFile, readText } from './read-files.ts';
import { buildRequest } from './request.ts';
import { requestInputSchema } from './request-schema.ts';
import { refuse, type OutputFormat } from './refuse.ts';
import { formatSourcePath, parseSource } from '../yaml-source.ts';

/**
 * `agencygrid policy eval <policy> --request <file|->`: one request decided as the platform would, explained.
 * 0 permitted, 1 denied (forbidden or not permitted), 2 a file is missing or invalid.
 */
export async function policyEval(io: PolicyCliIo, policyFile: string, requestFile: string, format: OutputFormat): Promise<number> {
  const loaded = await readPolicyFile(io, policyFile);
  if (!loaded.ok) return refuse(io, loaded.problems, format);
  const read = await readText(io, requestFile);
  if (!read.ok) return refuse(io, [read.problem], format);

  const file = requestFile === '-' ? '(stdin)' : requestFile;
  const parsed = parseSource(read.text);
  if (!parsed.ok)
    return refuse(io, [{ code: 'FILE_SYNTAX', file, path: '', ...(parsed.line === undefined ? {} : { line: parsed.line }), message: parsed.message }], format);
  const { document } = parsed;
  const problem = (path: Array<string | number>, message: string): Problem => {
    const line = document.lineOf(path);
    return { code: 'REQUEST_INVALID', file, path: formatSourcePath(path), ...(line === undefined ? {} : { line }), message };
  };
  const input = requestInputSchema.safeParse(document.value);
  if (!input.success)
    return refuse(
      io,
      zodIssues(input.error).map((issue) => problem(issue.path, issue.message)),
      format,
    );
  const built = buildRequest(input.data, loaded.policy, { now: io.now().toISOString() });
  if (!built.ok)
    return refuse(
      io,
      built.issues.map((issue) => problem(issue.path, issue.message)),
      format,
    );

  const decision = decideInOrg(loaded.policy.rules, built.request);
  io.out(format === 'json' ? evaluationJson(loaded.policy, built.request, decision) : formatEvaluation(loaded.policy, built.request, decision));
  return decision.outcome === 'permitted' ? 0 : 1;
}
