import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { definitionHeaderShape } from '../../domain/workflow/definition.ts';
import { dagToMermaid } from '../../domain/workflow/mermaid.ts';
import { validateWorkflow } from '../../domain/workflow/validate.ts';
import { z } from 'zod';

const example: unknown = JSON.parse(readFileSync(new URL('../../examples/writing-team.workflow.json', import.meta.url), 'utf8'));

describe('the writing-team workflow example', () => {
  it('publishes: its goal tree compiles to titles, abstract, sections fanned out, conclusion and references together, review', () => {
    const { steps, flow, ...header } = z.looseObject({ steps: z.unknown(), flow: z.unknown() }).parse(example);
    const validated = validateWorkflow({ ...z.strictObject(definitionHeaderShape).parse(header), steps, flow });
    if (!validated.ok) throw new Error(JSON.stringify(validated.problems));
    expect(validated.dag.nodes.map((node) => [node.id, node.dependsOn])).toEqual([
      ['titles', []],
      ['abstract', ['titles']],
      ['section', ['abstract']],
      ['conclusion', ['section']],
      ['references', ['section']],
      ['review', ['conclusion', 'references']],
    ]);
    expect(validated.dag.nodes[2]?.fanOut).toEqual({ items: 'input.sections', maxItems: 20 });
    expect(dagToMermaid(validated.dag)).toContain('s2["section<br/>for each, at most 20"]');
  });
});
