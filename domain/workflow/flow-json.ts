import { MAX_FLOW_DEPTH, stepIdSchema } from './fields.ts';
import { FORMS, fanOutLimit, type FlowNode, type Parsed, type WorkflowProblem } from './flow.ts';
import { parseFlowText } from './flow-text.ts';

/**
 * A flow in its JSON form: a string is a text form (a step id is the simplest), an array is a sequence, and an
 * object is one form: `{"sequence": [...]}`, `{"parallel": [...]}`, `{"choice": {"if": cel, "do": flow, "else":
 * flow}}`, `{"forEach": {"items": cel, "maxItems": n, "do": stepId}}`. Every problem is reported, with its path.
 */
export function parseFlow(source: unknown, path = 'flow', depth = 0): Parsed<FlowNode> {
  if (typeof source === 'string') {
    const parsed = parseFlowText(source, path, depth);
    // A lone step id is where the path says; a column would only point at its first letter.
    return parsed.ok && parsed.value.kind === 'step' ? { ok: true, value: { kind: 'step', id: parsed.value.id, at: path } } : parsed;
  }
  if (depth >= MAX_FLOW_DEPTH) return problem(path, `the flow nests deeper than ${MAX_FLOW_DEPTH} levels`);
  if (Array.isArray(source)) return list('sequence', source, path, path, depth);
  if (typeof source !== 'object' || source === null) return problem(path, 'a flow is a step id, a text form, an array or one of the forms');
  const keys = Object.keys(source);
  const [form] = keys;
  if (keys.length !== 1 || !FORMS.some((known) => known === form)) {
    return problem(path, `a form is an object with one key of ${FORMS.join(', ')}; found ${keys.length === 0 ? 'none' : keys.join(', ')}`);
  }
  const body: unknown = (source as Record<string, unknown>)[form ?? ''];
  const at = `${path}.${form}`;
  switch (form) {
    case 'sequence':
    case 'parallel':
      return Array.isArray(body) ? list(form, body, at, path, depth) : problem(at, `${form} is an array of flows`);
    case 'choice':
      return choice(body, at, path, depth);
    default:
      return forEach(body, at, path);
  }
}

function problem(path: string, message: string): Parsed<never> {
  return { ok: false, problems: [{ path, message }] };
}

function list(kind: 'sequence' | 'parallel', items: readonly unknown[], at: string, path: string, depth: number): Parsed<FlowNode> {
  if (items.length === 0) return problem(at, `${kind} needs at least one flow`);
  const parsed = items.map((item, index) => parseFlow(item, `${at}[${index}]`, depth + 1));
  const problems = parsed.flatMap((result) => (result.ok ? [] : result.problems));
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, value: { kind, items: parsed.flatMap((result) => (result.ok ? [result.value] : [])), at: path } };
}

function fieldsOf(body: unknown, at: string, allowed: readonly string[]): Record<string, unknown> | WorkflowProblem[] {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return [{ path: at, message: `an object with ${allowed.join(', ')}` }];
  const unknown = Object.keys(body).filter((key) => !allowed.includes(key));
  return unknown.length > 0 ? unknown.map((key) => ({ path: `${at}.${key}`, message: `unknown field; expected ${allowed.join(', ')}` })) : { ...body };
}

function choice(body: unknown, at: string, path: string, depth: number): Parsed<FlowNode> {
  const fields = fieldsOf(body, at, ['if', 'do', 'else']);
  if (Array.isArray(fields)) return { ok: false, problems: fields };
  const problems: WorkflowProblem[] = [];
  if (typeof fields.if !== 'string') problems.push({ path: `${at}.if`, message: 'a condition: a CEL expression' });
  const branch = parseFlow(fields.do, `${at}.do`, depth + 1);
  const otherwise = fields.else === undefined ? null : parseFlow(fields.else, `${at}.else`, depth + 1);
  if (!branch.ok) problems.push(...branch.problems);
  if (otherwise !== null && !otherwise.ok) problems.push(...otherwise.problems);
  if (problems.length > 0 || !branch.ok || (otherwise !== null && !otherwise.ok)) return { ok: false, problems };
  return { ok: true, value: { kind: 'choice', condition: String(fields.if), branch: branch.value, otherwise: otherwise?.value ?? null, at: path } };
}

function forEach(body: unknown, at: string, path: string): Parsed<FlowNode> {
  const fields = fieldsOf(body, at, ['items', 'maxItems', 'do']);
  if (Array.isArray(fields)) return { ok: false, problems: fields };
  const problems: WorkflowProblem[] = [];
  if (typeof fields.items !== 'string') problems.push({ path: `${at}.items`, message: 'a list expression (CEL)' });
  const limit = typeof fields.maxItems === 'number' ? fanOutLimit(fields.maxItems) : 'maxItems is required';
  if (limit !== null) problems.push({ path: `${at}.maxItems`, message: limit });
  const step = stepIdSchema.safeParse(fields.do);
  if (!step.success) problems.push({ path: `${at}.do`, message: 'the id of the step run for each item' });
  if (problems.length > 0 || !step.success) return { ok: false, problems };
  return { ok: true, value: { kind: 'forEach', items: String(fields.items), maxItems: Number(fields.maxItems), step: step.data, at: path } };
}
