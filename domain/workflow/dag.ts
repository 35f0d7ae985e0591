import { z } from 'zod';
import { MAX_FAN_OUT, MAX_STEPS, expressionSchema, stepIdSchema } from './fields.ts';

const stepKindSchema = z.enum(['task', 'tool', 'approval', 'wait', 'workflow']);

/**
 * A compiled step: what it waits for, the guard it runs under (a choice's branch, or the step's own `when`: false,
 * it is skipped), and, for a forEach, its fan-out (one execution per element of `items`). The step's own settings
 * (kind, input, retry, timeouts) stay in the definition, under the same id.
 */
export const dagNodeSchema = z.strictObject({
  id: stepIdSchema,
  kind: stepKindSchema,
  dependsOn: z.array(stepIdSchema).max(MAX_STEPS),
  when: z.string().nullable(),
  fanOut: z.strictObject({ items: expressionSchema, maxItems: z.number().int().min(1).max(MAX_FAN_OUT) }).nullable(),
  compensate: stepIdSchema.nullable(),
});
export type DagNode = z.infer<typeof dagNodeSchema>;

/** The forward steps in topological order, and the compensation steps (run only to undo), for the executor. */
export const workflowDagSchema = z.strictObject({
  nodes: z.array(dagNodeSchema).max(MAX_STEPS),
  compensations: z.array(z.strictObject({ id: stepIdSchema, kind: stepKindSchema })).max(MAX_STEPS),
});
export type WorkflowDag = z.infer<typeof workflowDagSchema>;

export type StepState = 'pending' | 'scheduled' | 'running' | 'succeeded' | 'failed' | 'skipped' | 'cancelled' | 'compensating' | 'compensated';

/** Done for the steps after it: a skipped step (its guard was false) lets them run as a succeeded one does. */
const SATISFIES: ReadonlySet<StepState> = new Set(['succeeded', 'skipped']);

export type TopologicalOrder = { ok: true; order: string[] } | { ok: false; cycle: string[] };

/**
 * The nodes in an order where each comes after every node it depends on; ties in the order the nodes are listed
 * (stable across calls). A cycle is named from its first node back to it (`a -> b -> c -> a` as [a, b, c, a]).
 * Dependencies on ids that are not nodes are ignored (validation reports them).
 */
export function topologicalOrder(nodes: ReadonlyArray<Pick<DagNode, 'id' | 'dependsOn'>>): TopologicalOrder {
  const ids = new Set(nodes.map((node) => node.id));
  const remaining = new Map(nodes.map((node) => [node.id, new Set(node.dependsOn.filter((id) => ids.has(id)))]));
  const ordered = new Set<string>();
  while (ordered.size < nodes.length) {
    const ready = nodes.filter((node) => remaining.get(node.id)?.size === 0 && !ordered.has(node.id));
    if (ready.length === 0) return { ok: false, cycle: findCycle(nodes, ordered) };
    for (const node of ready) {
      ordered.add(node.id);
      for (const waiting of remaining.values()) waiting.delete(node.id);
    }
  }
  return { ok: true, order: [...ordered] };
}

/** A cycle among the nodes not yet ordered (each has a dependency among them): walk dependencies until one repeats. */
function findCycle(nodes: ReadonlyArray<Pick<DagNode, 'id' | 'dependsOn'>>, ordered: ReadonlySet<string>): string[] {
  const byId = new Map(nodes.map((node) => [node.id, node]));
  const start = nodes.find((node) => !ordered.has(node.id));
  const path: string[] = [];
  for (let current = start; current !== undefined; ) {
    const seen = path.indexOf(current.id);
    // Walked along dependencies, the cycle reads backwards; reversed, it reads in the order steps wait on each other.
    if (seen !== -1) return [...path.slice(seen), current.id].reverse();
    path.push(current.id);
    const next: string | undefined = current.dependsOn.find((id) => byId.has(id) && !ordered.has(id));
    current = next === undefined ? undefined : byId.get(next);
  }
  return path;
}

/**
 * The steps that may be scheduled now: not started (pending or absent from `states`), every dependency succeeded
 * or skipped; in the DAG's order. Whether a ready step's guard holds is the executor's to evaluate.
 */
export function readySteps(dag: Pick<WorkflowDag, 'nodes'>, states: ReadonlyMap<string, StepState>): string[] {
  return dag.nodes
    .filter((node) => (states.get(node.id) ?? 'pending') === 'pending')
    .filter((node) => node.dependsOn.every((id) => SATISFIES.has(states.get(id) ?? 'pending')))
    .map((node) => node.id);
}

/**
 * What to run to undo a failed run: for each succeeded step that names a compensation, that step, latest first
 * (reverse DAG order, so a step is undone only after every step that depended on it).
 */
export function reverseCompensationOrder(dag: Pick<WorkflowDag, 'nodes'>, states: ReadonlyMap<string, StepState>): Array<{ step: string; compensate: string }> {
  return dag.nodes
    .filter((node) => node.compensate !== null && states.get(node.id) === 'succeeded')
    .map((node) => ({ step: node.id, compensate: node.compensate ?? '' }))
    .reverse();
}

/** Every node `id` depends on, directly or not. */
export function ancestorsOf(dag: Pick<WorkflowDag, 'nodes'>, id: string): Set<string> {
  const byId = new Map(dag.nodes.map((node) => [node.id, node]));
  const found = new Set<string>();
  const stack = [...(byId.get(id)?.dependsOn ?? [])];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    if (found.has(next)) continue;
    found.add(next);
    stack.push(...(byId.get(next)?.dependsOn ?? []));
  }
  return found;
}
