import type { z } from 'zod';
import { jsonProblem } from '../shared/bounded-json.ts';
import type { JsonValue } from '../shared/json-value.ts';
import { required } from '../shared/required.ts';
import { compileFlow, type FlowExpression } from './compile-flow.ts';
import { ancestorsOf, topologicalOrder, type DagNode, type WorkflowDag } from './dag.ts';
import type { WorkflowDefinition } from './definition.ts';
import { compileExpression, type ExpressionUse } from './expressions.ts';
import { MAX_DEFINITION_CHARS, MAX_STEPS, stepIdSchema } from './fields.ts';
import type { WorkflowProblem } from './flow.ts';
import { parseFlow } from './flow-json.ts';
import { stepSchema, type WorkflowStep } from './steps.ts';
import { toolInputProblems, type KnownTool } from './tool-inputs.ts';

/** A definition as submitted: its header already checked, its steps and flow not yet. */
export interface SubmittedDefinition extends Omit<WorkflowDefinition, 'steps' | 'flow'> {
  steps: unknown;
  flow?: unknown;
}

export interface ValidationContext {
  /** The org's tools by name; absent, tool names and inputs are not checked (there is nothing to check them against). */
  knownTools?: ReadonlyMap<string, KnownTool>;
}

export type ValidatedWorkflow = { ok: true; definition: WorkflowDefinition; dag: WorkflowDag } | { ok: false; problems: WorkflowProblem[] };

/**
 * Validates and compiles a definition, reporting every problem it can with its path: step shapes, then the graph
 * (unknown references, steps twice or unreachable, compensation steps, cycles), then every expression (CEL that
 * does not compile, outputs read of steps that do not run before), then tools when the org's are known.
 */
export function validateWorkflow(submitted: SubmittedDefinition, context: ValidationContext = {}): ValidatedWorkflow {
  const tooLarge = jsonProblem(submitted, { maxChars: MAX_DEFINITION_CHARS, maxDepth: 64, maxEntries: MAX_STEPS * 5 });
  if (tooLarge !== null) return fail('', `the definition is ${tooLarge}`);
  const parsedSteps = parseSteps(submitted.steps);
  if (!parsedSteps.ok) return parsedSteps;
  const steps = parsedSteps.value;
  const problems: WorkflowProblem[] = [];
  const compensations = compensationSteps(steps, problems);

  const forward =
    submitted.flow === undefined
      ? { nodes: dependencyNodes(steps, compensations, problems), expressions: [] }
      : flowNodes(submitted.flow, steps, compensations, problems);
  if (forward === null || problems.length > 0) return { ok: false, problems };
  const { nodes, expressions: flowExpressions } = forward;

  const order = topologicalOrder(nodes);
  if (!order.ok) {
    const [first = ''] = order.cycle;
    return { ok: false, problems: [{ path: `steps.${first}.dependsOn`, message: `a cycle: ${order.cycle.join(' -> ')}`, cycle: order.cycle }] };
  }
  const byId = new Map(nodes.map((node) => [node.id, node]));
  const dag: WorkflowDag = {
    nodes: order.order.flatMap((id) => byId.get(id) ?? []),
    compensations: [...compensations].map((id) => ({ id, kind: required(steps.get(id), 'a compensation step is one of the steps').kind })),
  };

  problems.push(...expressionProblems(dag, steps, flowExpressions, context));
  for (const [id, step] of steps) {
    if (step.kind === 'workflow' && step.workflow === submitted.name) problems.push({ path: `steps.${id}.workflow`, message: 'a workflow cannot run itself' });
  }
  if (problems.length > 0) return { ok: false, problems };
  const { flow: _flow, steps: _steps, ...header } = submitted;
  const definition: WorkflowDefinition = {
    ...header,
    steps: Object.fromEntries(steps),
    ...(submitted.flow === undefined ? {} : { flow: submitted.flow as WorkflowDefinition['flow'] }),
  };
  return { ok: true, definition, dag };
}

/** The DAG nodes a flow compiles to, with the expressions the flow holds; null when the flow itself does not parse. */
function flowNodes(
  source: unknown,
  steps: ReadonlyMap<string, WorkflowStep>,
  compensations: ReadonlySet<string>,
  problems: WorkflowProblem[],
): { nodes: DagNode[]; expressions: FlowExpression[] } | null {
  const flow = parseFlow(source);
  if (!flow.ok) {
    problems.push(...flow.problems);
    return null;
  }
  for (const [id, step] of steps) {
    if (step.dependsOn !== undefined)
      problems.push({ path: `steps.${id}.dependsOn`, message: 'the flow orders the steps; leave dependsOn out when there is a flow' });
  }
  const compiled = compileFlow(flow.value, steps, compensations);
  problems.push(...compiled.problems);
  const placed = new Set(compiled.nodes.map((node) => node.id));
  for (const id of steps.keys()) {
    if (!placed.has(id) && !compensations.has(id)) problems.push({ path: `steps.${id}`, message: `unreachable: no part of the flow runs step '${id}'` });
  }
  return { nodes: compiled.nodes, expressions: compiled.expressions };
}

type ParsedSteps = { ok: true; value: Map<string, WorkflowStep> } | { ok: false; problems: WorkflowProblem[] };

/** Each step on its own, so one bad step does not hide the problems of the others. */
function parseSteps(submitted: unknown): ParsedSteps {
  if (typeof submitted !== 'object' || submitted === null || Array.isArray(submitted)) return fail('steps', 'an object of steps by id');
  const entries = Object.entries(submitted);
  if (entries.length === 0) return fail('steps', 'a workflow has at least one step');
  if (entries.length > MAX_STEPS) return fail('steps', `${entries.length} steps; at most ${MAX_STEPS} are allowed`);
  const problems: WorkflowProblem[] = [];
  const steps = new Map<string, WorkflowStep>();
  for (const [id, value] of entries) {
    if (!stepIdSchema.safeParse(id).success) {
      problems.push({ path: `steps.${id}`, message: 'a step id: letters, digits and _, starting with a letter (at most 64)' });
      continue;
    }
    const parsed = stepSchema.safeParse(value);
    if (parsed.success) steps.set(id, parsed.data);
    else problems.push(...issues(parsed.error, `steps.${id}`));
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, value: steps };
}

function fail(path: string, message: string): { ok: false; problems: WorkflowProblem[] } {
  return { ok: false, problems: [{ path, message }] };
}

function issues(error: z.ZodError, prefix: string): WorkflowProblem[] {
  return error.issues.map((issue) => ({
    path: [prefix, ...issue.path.map((segment) => (typeof segment === 'number' ? `[${segment}]` : String(segment)))].join('.').replaceAll('.[', '['),
    message: issue.message,
  }));
}

/** The steps named by a `compensate`: they run only to undo, never forward. */
function compensationSteps(steps: ReadonlyMap<string, WorkflowStep>, problems: WorkflowProblem[]): Set<string> {
  const found = new Set<string>();
  for (const [id, step] of steps) {
    if (step.compensate === undefined) continue;
    const path = `steps.${id}.compensate`;
    const target = steps.get(step.compensate);
    if (target === undefined) problems.push({ path, message: `no step '${step.compensate}' in steps` });
    else if (step.compensate === id) problems.push({ path, message: 'a step cannot compensate itself' });
    else if (target.compensate !== undefined)
      problems.push({ path, message: `step '${step.compensate}' compensates with a step of its own; compensations do not chain` });
    else found.add(step.compensate);
  }
  return found;
}

/** The DAG as written with `dependsOn`. */
function dependencyNodes(steps: ReadonlyMap<string, WorkflowStep>, compensations: ReadonlySet<string>, problems: WorkflowProblem[]): DagNode[] {
  const nodes: DagNode[] = [];
  for (const [id, step] of steps) {
    const dependsOn = step.dependsOn ?? [];
    if (compensations.has(id)) {
      if (dependsOn.length > 0)
        problems.push({ path: `steps.${id}.dependsOn`, message: `step '${id}' compensates another step; it runs only to undo it and depends on nothing` });
      continue;
    }
    dependsOn.forEach((dependency, index) => {
      const path = `steps.${id}.dependsOn[${index}]`;
      if (!steps.has(dependency)) problems.push({ path, message: `no step '${dependency}' in steps` });
      else if (compensations.has(dependency)) problems.push({ path, message: `step '${dependency}' compensates another step; nothing waits for it` });
      else if (dependsOn.indexOf(dependency) !== index) problems.push({ path, message: `step '${dependency}' is listed twice` });
    });
    nodes.push({ id, kind: step.kind, dependsOn: [...new Set(dependsOn)], when: step.when ?? null, fanOut: null, compensate: step.compensate ?? null });
  }
  return nodes;
}

interface ExpressionSite {
  path: string;
  column?: number;
  source: string;
  use: ExpressionUse;
  item: boolean;
  /** The steps that have run whenever this expression is evaluated. */
  before: ReadonlySet<string>;
  /** A tool step's input, by name: its literal value is checked against the tool's schema. */
  toolInput?: string;
}

function expressionProblems(
  dag: WorkflowDag,
  steps: ReadonlyMap<string, WorkflowStep>,
  flow: readonly FlowExpression[],
  context: ValidationContext,
): WorkflowProblem[] {
  const sites: ExpressionSite[] = [];
  const before = new Map(dag.nodes.map((node) => [node.id, ancestorsOf(dag, node.id)]));
  for (const expression of flow) {
    const ran = new Set(expression.before.flatMap((id) => [id, ...(before.get(id) ?? [])]));
    sites.push({ ...expression, item: false, before: ran });
  }
  for (const node of dag.nodes) sites.push(...stepSites(node.id, steps.get(node.id), before.get(node.id) ?? new Set(), node.fanOut !== null));
  for (const node of dag.nodes) {
    // A compensation runs after the step it undoes: it may read that step's output and what ran before it.
    if (node.compensate !== null)
      sites.push(...stepSites(node.compensate, steps.get(node.compensate), new Set([node.id, ...(before.get(node.id) ?? [])]), false));
  }

  const problems: WorkflowProblem[] = [];
  const literals = new Map<string, Map<string, JsonValue>>();
  for (const site of sites) {
    const at = { path: site.path, ...(site.column === undefined ? {} : { column: site.column }) };
    const compiled = compileExpression(site.source, site.use, { item: site.item });
    if (!compiled.ok) {
      const column = site.column ?? compiled.problem.column;
      problems.push({ path: site.path, message: compiled.problem.message, ...(column === undefined ? {} : { column }) });
      continue;
    }
    for (const read of compiled.reads) {
      if (!steps.has(read)) problems.push({ ...at, message: `reads steps.${read}.output, but there is no step '${read}'` });
      else if (!site.before.has(read)) problems.push({ ...at, message: `reads steps.${read}.output, but step '${read}' does not run before this` });
    }
    if (site.toolInput !== undefined && compiled.literal !== null) {
      const [stepId = ''] = site.path.split('.').slice(1, 2);
      const own = literals.get(stepId) ?? new Map<string, JsonValue>();
      own.set(site.toolInput, compiled.literal.value);
      literals.set(stepId, own);
    }
  }
  if (context.knownTools !== undefined) problems.push(...toolProblems(steps, context.knownTools, literals));
  return problems;
}

function stepSites(id: string, step: WorkflowStep | undefined, before: ReadonlySet<string>, item: boolean): ExpressionSite[] {
  if (step === undefined) return [];
  const sites: ExpressionSite[] = Object.entries(step.input).map(([name, source]) => ({
    path: `steps.${id}.input.${name}`,
    source,
    use: 'value',
    item,
    before,
    ...(step.kind === 'tool' ? { toolInput: name } : {}),
  }));
  if (step.when !== undefined) sites.push({ path: `steps.${id}.when`, source: step.when, use: 'condition', item, before });
  return sites;
}

function toolProblems(
  steps: ReadonlyMap<string, WorkflowStep>,
  tools: ReadonlyMap<string, KnownTool>,
  literals: ReadonlyMap<string, ReadonlyMap<string, JsonValue>>,
): WorkflowProblem[] {
  const problems: WorkflowProblem[] = [];
  for (const [id, step] of steps) {
    if (step.kind !== 'tool') continue;
    const tool = tools.get(step.tool);
    if (tool === undefined) {
      problems.push({ path: `steps.${id}.tool`, message: `the org has no tool '${step.tool}'` });
      continue;
    }
    problems.push(...toolInputProblems(`steps.${id}.input`, tool, Object.keys(step.input), literals.get(id) ?? new Map()));
  }
  return problems;
}
