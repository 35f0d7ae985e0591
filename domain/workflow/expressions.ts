import { Environment, type ASTNode } from '@marcbachmann/cel-js';
import { CEL_LIMITS, toConditionError } from '../policy/conditions.ts';
import type { JsonValue } from '../shared/json-value.ts';
import { MAX_EXPRESSION_LENGTH } from './fields.ts';

/**
 * CEL in workflow definitions: step inputs, guards, choice conditions, forEach lists. The variables are `input`
 * (the run's input), `steps` (read only as `steps.<id>.output`, so that what a step reads is known when the
 * definition is published) and, in the step a forEach runs, `item` (the element at hand).
 */
export type ExpressionUse = 'value' | 'condition' | 'list';

export interface ExpressionProblem {
  message: string;
  column?: number;
}

export type CompiledExpression = { ok: true; reads: string[]; literal: { value: JsonValue } | null } | { ok: false; problem: ExpressionProblem };

const MAX_COMPREHENSION_NESTING = 1;
const COMPREHENSIONS: ReadonlySet<string> = new Set(['all', 'exists', 'exists_one', 'map', 'filter']);

function environment(withItem: boolean): Environment {
  const base = new Environment({ unlistedVariablesAreDyn: false, homogeneousAggregateLiterals: true, enableOptionalTypes: false, limits: { ...CEL_LIMITS } })
    .registerVariable('input', 'map<string, dyn>', { description: "The run's input" })
    .registerVariable('steps', 'map<string, dyn>', { description: 'Earlier steps, each read as steps.<id>.output' });
  return withItem ? base.registerVariable('item', 'dyn', { description: 'The element of the forEach list at hand' }) : base;
}

const environments = { plain: environment(false), withItem: environment(true) };

const ACCEPTED: Record<ExpressionUse, ReadonlySet<string>> = {
  value: new Set(),
  condition: new Set(['bool', 'dyn']),
  list: new Set(['dyn']),
};

/** Compiles an expression (parse, restrictions, type check) and says which steps' outputs it reads. Never throws. */
export function compileExpression(source: string, use: ExpressionUse, options: { item: boolean }): CompiledExpression {
  if (source.length > MAX_EXPRESSION_LENGTH) return failure(`the expression is ${source.length} characters long; at most ${MAX_EXPRESSION_LENGTH} are allowed`);
  const env = options.item ? environments.withItem : environments.plain;
  let parsed: ReturnType<Environment['parse']>;
  try {
    parsed = env.parse(source);
  } catch (error) {
    return located(error, source);
  }
  const reads: string[] = [];
  const refused = walk(parsed.ast, reads, 0);
  if (refused !== null) return { ok: false, problem: refused };
  let checked: ReturnType<typeof parsed.check>;
  try {
    checked = parsed.check();
  } catch (error) {
    return located(error, source);
  }
  if (!checked.valid) return located(checked.error, source);
  const type = checked.type ?? 'dyn';
  const accepted = ACCEPTED[use];
  if (accepted.size > 0 && !accepted.has(type) && !(use === 'list' && type.startsWith('list'))) {
    return failure(`this expression is of type ${type}; ${use === 'list' ? 'a list' : 'a bool'} is needed here`, 1);
  }
  const literal = literalOf(parsed.ast);
  return { ok: true, reads: [...new Set(reads)], literal: literal === undefined ? null : { value: literal } };
}

function failure(message: string, column?: number): CompiledExpression {
  return { ok: false, problem: column === undefined ? { message } : { message, column } };
}

function located(error: unknown, source: string): CompiledExpression {
  const { message, column } = toConditionError(error, source);
  return failure(message, column);
}

function at(node: ASTNode, message: string): ExpressionProblem {
  return { message, column: node.start + 1 };
}

/** Records `steps.<id>.output` reads; refuses other uses of `steps`, `matches()` and nested comprehensions. */
function walk(node: ASTNode, reads: string[], nesting: number): ExpressionProblem | null {
  if (node.op === '.' && node.args[0].op === '.' && node.args[0].args[0].op === 'id' && node.args[0].args[0].args === 'steps') {
    if (node.args[1] !== 'output') return at(node, `a step is read as steps.${node.args[0].args[1]}.output`);
    reads.push(node.args[0].args[1]);
    return null;
  }
  if (node.op === 'id' && node.args === 'steps') return at(node, 'steps are read one at a time, as steps.<id>.output');
  let inner = nesting;
  if (node.op === 'call' && node.args[0] === 'matches') return at(node, 'matches() is not available: its regular expressions can backtrack exponentially');
  if (node.op === 'rcall') {
    const [name] = node.args;
    if (name === 'matches') return at(node, 'matches() is not available: its regular expressions can backtrack exponentially');
    if (COMPREHENSIONS.has(name)) inner += 1;
    if (inner > MAX_COMPREHENSION_NESTING)
      return at(node, `comprehensions (all, exists, exists_one, map, filter) may nest at most ${MAX_COMPREHENSION_NESTING} deep`);
  }
  for (const child of childrenOf(node)) {
    const found = walk(child, reads, inner);
    if (found !== null) return found;
  }
  return null;
}

function childrenOf(node: ASTNode): readonly ASTNode[] {
  switch (node.op) {
    case 'value':
    case 'id':
      return [];
    case '.':
    case '.?':
      return [node.args[0]];
    case '!_':
    case '-_':
      return [node.args];
    case 'call':
      return node.args[1];
    case 'rcall':
      return [node.args[1], ...node.args[2]];
    case 'list':
      return node.args;
    case 'map':
      return node.args.flat();
    default:
      return node.args;
  }
}

/** The JSON value of an expression made of literals only (`"draft"`, `3`, `[1, 2]`, `{"a": true}`), else undefined. */
function literalOf(node: ASTNode): JsonValue | undefined {
  switch (node.op) {
    case 'value': {
      const value = node.args;
      if (typeof value === 'bigint') return Number(value);
      if (value === null || typeof value === 'string' || typeof value === 'boolean' || typeof value === 'number') return value;
      return undefined;
    }
    case '-_': {
      const operand = literalOf(node.args);
      return typeof operand === 'number' ? -operand : undefined;
    }
    case 'list': {
      const items = node.args.map(literalOf);
      return items.every((item) => item !== undefined) ? (items as JsonValue[]) : undefined;
    }
    case 'map': {
      const entries = node.args.map(([key, value]) => [literalOf(key), literalOf(value)] as const);
      if (!entries.every(([key, value]) => typeof key === 'string' && value !== undefined)) return undefined;
      return Object.fromEntries(entries) as JsonValue;
    }
    default:
      return undefined;
  }
}
