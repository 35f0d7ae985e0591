import { z } from 'zod';
import { boundedJsonSchema } from '../shared/bounded-json.ts';
import { MAX_FAN_OUT, MAX_FLOW_DEPTH, MAX_FLOW_TEXT, MAX_STEPS } from './fields.ts';

/**
 * The structured forms a definition's `flow` orders its steps with, as a tree. `at` is where a node was written
 * (`flow[1].parallel[0]`, or a column of a text form) so that a problem found later names it.
 */
export type FlowNode = Where &
  (
    | { kind: 'step'; id: string }
    | { kind: 'sequence' | 'parallel'; items: FlowNode[] }
    /** `branch` runs when `condition` (CEL, bool) holds, `otherwise` (if any) when it does not. */
    | { kind: 'choice'; condition: string; branch: FlowNode; otherwise: FlowNode | null }
    /** One step run once per element of the list `items` evaluates to; more than `maxItems` elements fail the step. */
    | { kind: 'forEach'; items: string; maxItems: number; step: string }
  );

/** Where a node was written: a JSON path, and in a text form the 1-based column. */
export interface Where {
  at: string;
  column?: number;
}

/** A place inside a node (`.if` of a JSON choice); in a text form, the node's column stands for it. */
export function within(node: Where, field: string): { path: string; column?: number } {
  return node.column === undefined ? { path: `${node.at}${field}` } : { path: node.at, column: node.column };
}

/** A problem with what was submitted: where (`steps.b.input.x`, `flow[1].parallel[0]`), what, and the column in a text. */
export interface WorkflowProblem {
  path: string;
  message: string;
  column?: number;
  /** For a cycle: its steps, from the first back to it. */
  cycle?: string[];
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; problems: WorkflowProblem[] };

/** A flow as authored: the one-line text form, or the JSON form (an array is a sequence); strings inside it are text forms. */
export const flowSourceSchema = z.union([
  z.string().max(MAX_FLOW_TEXT),
  boundedJsonSchema({ maxChars: 64 * 1024, maxDepth: 2 * MAX_FLOW_DEPTH + 2, maxEntries: MAX_STEPS }).refine(
    (value) => typeof value === 'object' && value !== null,
    'a flow is a text form or a JSON array or object',
  ),
]);

export const FORMS = ['sequence', 'parallel', 'choice', 'forEach'] as const;

export const fanOutLimit = (maxItems: number): string | null =>
  Number.isInteger(maxItems) && maxItems >= 1 && maxItems <= MAX_FAN_OUT ? null : `maxItems is a whole number from 1 to ${MAX_FAN_OUT}`;
