import { describe, expect, it } from 'vitest';
import { MAX_FLOW_DEPTH, MAX_FLOW_TEXT } from '../../domain/workflow/fields.ts';
import type { FlowNode, Parsed } from '../../domain/workflow/flow.ts';
import { parseFlow } from '../../domain/workflow/flow-json.ts';
import { parseFlowText } from '../../domain/workflow/flow-text.ts';

/** The tree without where each node was written: the text and JSON forms differ only there. */
function shape(node: FlowNode): unknown {
  switch (node.kind) {
    case 'step':
      return node.id;
    case 'sequence':
    case 'parallel':
      return { [node.kind]: node.items.map(shape) };
    case 'choice':
      return { choice: { if: node.condition, do: shape(node.branch), else: node.otherwise === null ? null : shape(node.otherwise) } };
    case 'forEach':
      return { forEach: { items: node.items, maxItems: node.maxItems, do: node.step } };
  }
}

function parsedShape(result: Parsed<FlowNode>): unknown {
  if (!result.ok) throw new Error(`expected a flow, got ${JSON.stringify(result.problems)}`);
  return shape(result.value);
}

function problemsOf(result: Parsed<FlowNode>) {
  if (result.ok) throw new Error(`expected problems, got ${JSON.stringify(shape(result.value))}`);
  return result.problems;
}

describe('the flow forms', () => {
  it('parse the text form and the JSON form to the same tree', () => {
    const text = 'sequence(a, parallel(b, c), choice("input.urgent", d, e), forEach(\'input.sections\', write, 20))';
    const json = {
      sequence: [
        'a',
        { parallel: ['b', 'c'] },
        { choice: { if: 'input.urgent', do: 'd', else: 'e' } },
        { forEach: { items: 'input.sections', maxItems: 20, do: 'write' } },
      ],
    };
    // The JSON form is written as the tree's shape is: both forms give that shape.
    expect(parsedShape(parseFlow(text))).toEqual(json);
    expect(parsedShape(parseFlow(json))).toEqual(json);
    // An array is a sequence, and a string inside the JSON form is a text form.
    expect(parsedShape(parseFlow(['a', 'parallel(b, c)']))).toEqual({ sequence: ['a', { parallel: ['b', 'c'] }] });
  });

  it('reads quotes and backslashes escaped inside a condition, and a choice without else', () => {
    expect(parsedShape(parseFlowText('choice("input.kind == \\"x\\" && input.path != \'\\\\\'", a)', 'flow'))).toEqual({
      choice: { if: 'input.kind == "x" && input.path != \'\\\'', do: 'a', else: null },
    });
  });

  it('reports the column of a syntax error in the text form', () => {
    expect(problemsOf(parseFlowText('sequence(a, parallel(b c))', 'flow'))).toEqual([
      { path: 'flow', message: expect.stringContaining("expected ',' or ')'"), column: 24 },
    ]);
    expect(problemsOf(parseFlowText('sequence(a, loop(b))', 'flow'))).toEqual([
      { path: 'flow', message: expect.stringContaining("unknown form 'loop'"), column: 13 },
    ]);
    expect(problemsOf(parseFlowText('choice(input.urgent, a)', 'flow'))[0]).toMatchObject({ message: expect.stringContaining('in quotes'), column: 8 });
    expect(problemsOf(parseFlowText('choice("input.urgent, a)', 'flow'))[0]).toMatchObject({ message: 'unterminated string', column: 8 });
    expect(problemsOf(parseFlowText('forEach("input.xs", w, 101)', 'flow'))[0]).toMatchObject({ message: expect.stringContaining('maxItems'), column: 24 });
    expect(problemsOf(parseFlowText('sequence(a) b', 'flow'))[0]).toMatchObject({ message: expect.stringContaining('after the flow'), column: 13 });
  });

  it('bounds the text form by length and nesting depth', () => {
    expect(problemsOf(parseFlowText(`sequence(${'a, '.repeat(MAX_FLOW_TEXT)}a)`, 'flow'))[0]?.message).toContain(`at most ${MAX_FLOW_TEXT}`);
    const deep = (depth: number) => `${'sequence('.repeat(depth)}a${')'.repeat(depth)}`;
    expect(parseFlowText(deep(MAX_FLOW_DEPTH - 1), 'flow').ok).toBe(true);
    expect(problemsOf(parseFlowText(deep(MAX_FLOW_DEPTH), 'flow'))[0]?.message).toContain(`deeper than ${MAX_FLOW_DEPTH}`);
  });

  it('reports every problem of the JSON form with its path', () => {
    const problems = problemsOf(
      parseFlow(['a', { parallel: ['b', 7, { repeat: ['c'] }] }, { forEach: { items: 'input.xs', maxItems: 0, do: 'w-1' } }, { sequence: [] }]),
    );
    expect(problems.map((problem) => problem.path)).toEqual([
      'flow[1].parallel[1]',
      'flow[1].parallel[2]',
      'flow[2].forEach.maxItems',
      'flow[2].forEach.do',
      'flow[3].sequence',
    ]);
    expect(problemsOf(parseFlow({ choice: { if: 'x', do: 'a', otherwise: 'b' } }))).toEqual([
      { path: 'flow.choice.otherwise', message: expect.stringContaining('unknown field') },
    ]);
  });

  it('bounds the JSON form by nesting depth, and places text-form errors inside it', () => {
    let deep: unknown = 'a';
    for (let level = 0; level < MAX_FLOW_DEPTH; level += 1) deep = { sequence: [deep] };
    expect(problemsOf(parseFlow(deep))[0]?.message).toContain(`deeper than ${MAX_FLOW_DEPTH}`);
    expect(problemsOf(parseFlow(['a', 'parallel(b,)']))).toEqual([{ path: 'flow[1]', message: expect.any(String), column: 12 }]);
  });
});
