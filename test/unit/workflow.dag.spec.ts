import { describe, expect, it } from 'vitest';
import { readySteps, reverseCompensationOrder, topologicalOrder, type DagNode, type StepState, type WorkflowDag } from '../../domain/workflow/dag.ts';

const node = (id: string, dependsOn: string[] = [], compensate: string | null = null): DagNode => ({
  id,
  kind: 'task',
  dependsOn,
  when: null,
  fanOut: null,
  compensate,
});

/** a -> (b, c) -> d, with b and c undone by ub and uc. */
const diamond: WorkflowDag = {
  nodes: [node('a'), node('b', ['a'], 'ub'), node('c', ['a'], 'uc'), node('d', ['b', 'c'])],
  compensations: [
    { id: 'ub', kind: 'task' },
    { id: 'uc', kind: 'task' },
  ],
};
const states = (entries: Record<string, StepState>) => new Map(Object.entries(entries));

describe('the workflow DAG helpers', () => {
  it('order nodes after their dependencies, ties in the order given', () => {
    expect(topologicalOrder([node('d', ['b', 'c']), node('c', ['a']), node('b', ['a']), node('a')])).toEqual({ ok: true, order: ['a', 'c', 'b', 'd'] });
  });

  it('name a cycle from its first step back to it, in the order the steps wait on each other', () => {
    expect(topologicalOrder([node('start'), node('a', ['c', 'start']), node('b', ['a']), node('c', ['b'])])).toEqual({
      ok: false,
      cycle: ['a', 'b', 'c', 'a'],
    });
    expect(topologicalOrder([node('self', ['self'])])).toEqual({ ok: false, cycle: ['self', 'self'] });
  });

  it('find the steps ready to run: not started, every dependency succeeded or skipped', () => {
    expect(readySteps(diamond, new Map())).toEqual(['a']);
    expect(readySteps(diamond, states({ a: 'running' }))).toEqual([]);
    expect(readySteps(diamond, states({ a: 'succeeded' }))).toEqual(['b', 'c']);
    expect(readySteps(diamond, states({ a: 'succeeded', b: 'succeeded', c: 'running' }))).toEqual([]);
    expect(readySteps(diamond, states({ a: 'succeeded', b: 'skipped', c: 'succeeded' }))).toEqual(['d']);
    expect(readySteps(diamond, states({ a: 'succeeded', b: 'failed', c: 'succeeded' }))).toEqual([]);
  });

  it('undo succeeded steps that name a compensation, latest first', () => {
    const chain: WorkflowDag = { nodes: [node('a', [], 'ua'), node('b', ['a'], 'ub'), node('c', ['b'], 'uc'), node('d', ['c'])], compensations: [] };
    expect(reverseCompensationOrder(chain, states({ a: 'succeeded', b: 'succeeded', c: 'failed' }))).toEqual([
      { step: 'b', compensate: 'ub' },
      { step: 'a', compensate: 'ua' },
    ]);
    expect(reverseCompensationOrder(diamond, states({ a: 'succeeded', b: 'succeeded', c: 'skipped' }))).toEqual([{ step: 'b', compensate: 'ub' }]);
  });
});
