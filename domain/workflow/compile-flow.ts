import type { DagNode } from './dag.ts';
import { within, type FlowNode, type Where, type WorkflowProblem } from './flow.ts';
import type { WorkflowStep } from './steps.ts';

/** An expression the flow itself holds (a choice's condition, a forEach's list), and the steps that run before it. */
export interface FlowExpression {
  path: string;
  column?: number;
  source: string;
  use: 'condition' | 'list';
  before: readonly string[];
}

export interface CompiledFlow {
  nodes: DagNode[];
  expressions: FlowExpression[];
  problems: WorkflowProblem[];
}

/**
 * The DAG a flow stands for: a sequence makes each part wait for the exits of the one before; a parallel starts its
 * parts together and exits when all have; a choice's branches carry its condition (negated for `else`) as a guard;
 * a forEach is one fan-out node. Steps named in the flow that are not in `steps`, named twice, or that are
 * compensation steps are problems, at the flow node that names them.
 */
export function compileFlow(flow: FlowNode, steps: ReadonlyMap<string, WorkflowStep>, compensations: ReadonlySet<string>): CompiledFlow {
  const compiled: CompiledFlow = { nodes: [], expressions: [], problems: [] };
  const placed = new Map<string, string>();
  const describe = (where: Where) => (where.column === undefined ? where.at : `${where.at}, column ${where.column}`);

  const place = (id: string, where: Where, before: readonly string[], guard: string | null, fanOut: DagNode['fanOut']): string[] => {
    const step = steps.get(id);
    if (step === undefined) {
      compiled.problems.push({ ...within(where, ''), message: `no step '${id}' in steps` });
      return [];
    }
    const first = placed.get(id);
    if (first !== undefined) {
      compiled.problems.push({ ...within(where, ''), message: `step '${id}' is already in the flow (at ${first}); a step runs once per run` });
      return [id];
    }
    if (compensations.has(id)) {
      compiled.problems.push({ ...within(where, ''), message: `step '${id}' compensates another step; it runs only to undo it, so it cannot be in the flow` });
      return [];
    }
    placed.set(id, describe(where));
    const when = step.when === undefined ? guard : both(guard, step.when);
    compiled.nodes.push({ id, kind: step.kind, dependsOn: [...before], when, fanOut, compensate: step.compensate ?? null });
    return [id];
  };

  const visit = (node: FlowNode, before: readonly string[], guard: string | null): string[] => {
    switch (node.kind) {
      case 'step':
        return place(node.id, node, before, guard, null);
      case 'sequence':
        return node.items.reduce<readonly string[]>((exits, item) => visit(item, exits, guard), before) as string[];
      case 'parallel':
        return [...new Set(node.items.flatMap((item) => visit(item, before, guard)))];
      case 'choice': {
        compiled.expressions.push({ ...within(node, '.choice.if'), source: node.condition, use: 'condition', before });
        const exits = visit(node.branch, before, both(guard, node.condition));
        // Without an else, a false condition skips the branch, and skipped steps count as done for what follows.
        const otherwise = node.otherwise === null ? [] : visit(node.otherwise, before, both(guard, `!(${node.condition})`));
        return [...new Set([...exits, ...otherwise])];
      }
      case 'forEach':
        compiled.expressions.push({ ...within(node, '.forEach.items'), source: node.items, use: 'list', before });
        return place(node.step, node, before, guard, { items: node.items, maxItems: node.maxItems });
    }
  };

  visit(flow, [], null);
  return compiled;
}

function both(outer: string | null, inner: string): string {
  return outer === null ? inner : `(${outer}) && (${inner})`;
}
