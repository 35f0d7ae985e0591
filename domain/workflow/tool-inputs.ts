import { Validator } from '@cfworker/json-schema';
import type { JsonObject, JsonValue } from '../shared/json-value.ts';
import type { WorkflowProblem } from './flow.ts';

/** What validation knows of one of the org's tools. */
export interface KnownTool {
  inputSchema: JsonObject;
}

/**
 * The problems of a tool step's input against the tool's input schema, as far as publishing can tell: a required
 * input the step does not give, and each literal input (`"draft"`, `3`, `[1, 2]`) the schema refuses. Inputs computed
 * from the run are checked when the step runs.
 */
export function toolInputProblems(path: string, tool: KnownTool, inputNames: readonly string[], literals: ReadonlyMap<string, JsonValue>): WorkflowProblem[] {
  const problems: WorkflowProblem[] = [];
  const required = Array.isArray(tool.inputSchema.required) ? tool.inputSchema.required.filter((name) => typeof name === 'string') : [];
  for (const name of required) {
    if (!inputNames.includes(name)) problems.push({ path, message: `the tool requires the input '${name}'` });
  }
  if (literals.size === 0) return problems;
  const instance = Object.fromEntries(literals);
  const { errors } = new Validator(tool.inputSchema, '2020-12', false).validate(instance);
  const reported = new Set<string>();
  for (const error of errors) {
    // Errors at the root summarize those of a property (or are `required`, checked above against every input).
    const name = /^#\/([^/]*)/.exec(error.instanceLocation)?.[1];
    if (name === undefined || reported.has(name)) continue;
    reported.add(name);
    const message = error.keyword === 'false' ? `the tool takes no input '${name}'` : `the tool's input schema refuses it: ${error.error}`;
    problems.push({ path: `${path}.${name}`, message });
  }
  return problems;
}
