import { describe, expect, it } from 'vitest';
import { MAX_DEFINITION_CHARS, MAX_EXPRESSION_LENGTH, MAX_STEPS } from '../../domain/workflow/fields.ts';
import type { KnownTool } from '../../domain/workflow/tool-inputs.ts';
import { validateWorkflow, type SubmittedDefinition, type ValidatedWorkflow, type ValidationContext } from '../../domain/workflow/validate.ts';

const task = (extra: Record<string, unknown> = {}) => ({ kind: 'task', role: 'writer', title: 'write', ...extra });
const definition = (steps: Record<string, unknown>, flow?: unknown): SubmittedDefinition => ({
  name: 'paper',
  description: '',
  steps,
  ...(flow === undefined ? {} : { flow }),
});

function problems(result: ValidatedWorkflow) {
  if (result.ok) throw new Error('expected problems, the definition was valid');
  return result.problems;
}
function dagOf(result: ValidatedWorkflow) {
  if (!result.ok) throw new Error(`expected a DAG, got ${JSON.stringify(result.problems)}`);
  return result.dag;
}
const check = (steps: Record<string, unknown>, flow?: unknown, context?: ValidationContext) => validateWorkflow(definition(steps, flow), context);

describe('workflow validation and compilation', () => {
  it('compiles sequence and parallel to dependencies on what runs before', () => {
    const dag = dagOf(check({ a: task(), b: task(), c: task(), d: task() }, 'sequence(a, parallel(b, c), d)'));
    expect(dag.nodes.map(({ id, dependsOn }) => ({ id, dependsOn }))).toEqual([
      { id: 'a', dependsOn: [] },
      { id: 'b', dependsOn: ['a'] },
      { id: 'c', dependsOn: ['a'] },
      { id: 'd', dependsOn: ['b', 'c'] },
    ]);
  });

  it('guards a choice branch with its condition (negated for else) and makes forEach a fan-out node', () => {
    const dag = dagOf(
      check(
        { a: task(), b: task({ when: 'input.long' }), c: task(), w: task({ input: { section: 'item' } }) },
        { sequence: ['a', { choice: { if: 'input.urgent', do: 'b', else: 'c' } }, { forEach: { items: 'input.sections', maxItems: 20, do: 'w' } }] },
      ),
    );
    const byId = new Map(dag.nodes.map((node) => [node.id, node]));
    expect(byId.get('b')).toMatchObject({ when: '(input.urgent) && (input.long)', dependsOn: ['a'] });
    expect(byId.get('c')).toMatchObject({ when: '!(input.urgent)', dependsOn: ['a'] });
    expect(byId.get('w')).toMatchObject({ when: null, dependsOn: ['b', 'c'], fanOut: { items: 'input.sections', maxItems: 20 } });
  });

  it('compiles the same DAG from dependsOn as from a flow', () => {
    const fromFlow = dagOf(check({ a: task(), b: task(), c: task() }, 'sequence(a, parallel(b, c))'));
    const fromDependencies = dagOf(check({ a: task(), b: task({ dependsOn: ['a'] }), c: task({ dependsOn: ['a'] }) }));
    expect(fromDependencies).toEqual(fromFlow);
  });

  it('refuses a cycle, naming it', () => {
    const found = problems(check({ a: task({ dependsOn: ['c'] }), b: task({ dependsOn: ['a'] }), c: task({ dependsOn: ['b'] }) }));
    expect(found).toEqual([{ path: 'steps.a.dependsOn', message: 'a cycle: a -> b -> c -> a', cycle: ['a', 'b', 'c', 'a'] }]);
  });

  it('refuses unknown steps in the flow, dependsOn, expressions and compensate, each at its path', () => {
    expect(problems(check({ a: task(), b: task() }, ['a', { parallel: ['b', 'x'] }]))).toEqual([
      { path: 'flow[1].parallel[1]', message: "no step 'x' in steps" },
    ]);
    expect(problems(check({ a: task(), b: task({ dependsOn: ['a', 'nope'] }) }))).toEqual([
      { path: 'steps.b.dependsOn[1]', message: "no step 'nope' in steps" },
    ]);
    expect(problems(check({ a: task(), b: task({ input: { x: 'steps.ghost.output' } }) }, 'sequence(a, b)'))).toEqual([
      { path: 'steps.b.input.x', message: "reads steps.ghost.output, but there is no step 'ghost'" },
    ]);
    expect(problems(check({ a: task({ compensate: 'undo' }) }, 'a'))).toEqual([{ path: 'steps.a.compensate', message: "no step 'undo' in steps" }]);
  });

  it('refuses steps no flow reaches, and a step named twice', () => {
    expect(problems(check({ a: task(), b: task(), lost: task() }, 'sequence(a, b)'))).toEqual([
      { path: 'steps.lost', message: "unreachable: no part of the flow runs step 'lost'" },
    ]);
    expect(problems(check({ a: task(), b: task() }, 'sequence(a, b, a)'))[0]).toMatchObject({
      path: 'flow',
      column: 16,
      message: expect.stringContaining('already in the flow'),
    });
  });

  it('refuses an expression that reads the output of a step that does not run before it (a parallel sibling, a later step)', () => {
    const steps = {
      a: task(),
      b: task({ input: { draft: 'steps.c.output.text' } }),
      c: task(),
      d: task({ input: { both: 'steps.b.output + steps.a.output' } }),
    };
    expect(problems(check(steps, 'sequence(a, parallel(b, c), d)'))).toEqual([
      { path: 'steps.b.input.draft', message: "reads steps.c.output, but step 'c' does not run before this" },
    ]);
    expect(problems(check({ a: task({ input: { x: 'steps.b.output' } }), b: task() }, 'sequence(a, b)'))[0]?.message).toContain("step 'b' does not run before");
    // A choice's condition is evaluated when its branches could start: what ran before the choice, not its branches.
    expect(problems(check({ a: task(), b: task(), c: task() }, ['a', { choice: { if: 'steps.b.output.ok', do: 'b', else: 'c' } }]))).toEqual([
      { path: 'flow[1].choice.if', message: "reads steps.b.output, but step 'b' does not run before this" },
    ]);
  });

  it('reads steps only as steps.<id>.output, and item only in the step a forEach runs', () => {
    expect(problems(check({ a: task(), b: task({ input: { x: 'steps.a.status' } }) }, 'sequence(a, b)'))[0]).toMatchObject({
      path: 'steps.b.input.x',
      message: 'a step is read as steps.a.output',
    });
    expect(problems(check({ a: task(), b: task({ input: { x: 'steps["a"]' } }) }, 'sequence(a, b)'))[0]).toMatchObject({ path: 'steps.b.input.x' });
    expect(problems(check({ a: task({ input: { x: 'item' } }) }, 'a'))[0]).toMatchObject({ path: 'steps.a.input.x' });
  });

  it('refuses CEL that does not compile, with its column, and conditions that are not bool', () => {
    expect(problems(check({ a: task({ input: { x: 'input.a +' } }) }, 'a'))).toEqual([
      { path: 'steps.a.input.x', message: expect.any(String), column: expect.any(Number) },
    ]);
    expect(problems(check({ a: task({ input: { x: 'input.a.matches("(a+)+$")' } }) }, 'a'))[0]?.message).toContain('matches()');
    expect(problems(check({ a: task({ when: '"yes"' }) }, 'a'))[0]).toMatchObject({ path: 'steps.a.when', message: expect.stringContaining('a bool') });
    expect(problems(check({ a: task() }, 'choice("1 + 1", a)'))[0]).toMatchObject({ path: 'flow', column: 1, message: expect.stringContaining('a bool') });
    expect(problems(check({ w: task() }, { forEach: { items: '"text"', maxItems: 3, do: 'w' } }))[0]).toMatchObject({
      path: 'flow.forEach.items',
      message: expect.stringContaining('a list'),
    });
  });

  it('reports each bad step on its own, with the field', () => {
    const found = problems(check({ a: { kind: 'task', title: 'write' }, b: { kind: 'wait', duration: 'P1M' }, c: { kind: 'teleport' }, 'bad-id': task() }));
    expect(found.map((problem) => problem.path)).toEqual(['steps.a.role', 'steps.b.duration', 'steps.c.kind', 'steps.bad-id']);
  });

  it('caps the length of an expression', () => {
    const expression = (length: number) => `"${'x'.repeat(length - 2)}"`;
    expect(check({ a: task({ input: { x: expression(MAX_EXPRESSION_LENGTH) } }) }, 'a').ok).toBe(true);
    expect(problems(check({ a: task({ input: { x: expression(MAX_EXPRESSION_LENGTH + 1) } }) }, 'a'))).toEqual([
      { path: 'steps.a.input.x', message: expect.stringContaining(`${MAX_EXPRESSION_LENGTH}`) },
    ]);
  });

  it('caps the number of steps', () => {
    const steps = Object.fromEntries(Array.from({ length: MAX_STEPS + 1 }, (_, index) => [`s${index}`, task()]));
    expect(problems(check(steps))).toEqual([{ path: 'steps', message: `${MAX_STEPS + 1} steps; at most ${MAX_STEPS} are allowed` }]);
    expect(dagOf(check(Object.fromEntries(Object.entries(steps).slice(0, MAX_STEPS)))).nodes).toHaveLength(MAX_STEPS);
  });

  it('caps the size of the whole definition, so a policy condition can read all of it', () => {
    // Eight steps share the room, as one step's instructions are capped far below it.
    const sized = (total: number) =>
      Object.fromEntries(
        Array.from({ length: 8 }, (_, index) => [`s${index}`, task({ instructions: 'x'.repeat(Math.floor(total / 8) + (index < total % 8 ? 1 : 0)) })]),
      );
    const room = MAX_DEFINITION_CHARS - JSON.stringify(definition(sized(0))).length;
    expect(check(sized(room)).ok).toBe(true);
    expect(problems(check(sized(room + 1)))).toEqual([{ path: '', message: `the definition is larger than ${MAX_DEFINITION_CHARS} characters as JSON` }]);
  });

  it('keeps compensation steps out of the forward DAG, and lets them read the step they undo', () => {
    const dag = dagOf(
      check({ book: task({ compensate: 'cancel' }), pay: task(), cancel: task({ input: { booking: 'steps.book.output.id' } }) }, 'sequence(book, pay)'),
    );
    expect(dag.nodes.map((node) => node.id)).toEqual(['book', 'pay']);
    expect(dag.compensations).toEqual([{ id: 'cancel', kind: 'task' }]);
    expect(problems(check({ book: task({ compensate: 'cancel' }), cancel: task() }, 'sequence(book, cancel)'))[0]).toMatchObject({ path: 'flow', column: 16 });
    expect(
      problems(check({ book: task({ compensate: 'cancel' }), pay: task(), cancel: task({ input: { x: 'steps.pay.output' } }) }, 'sequence(book, pay)'))[0],
    ).toMatchObject({
      path: 'steps.cancel.input.x',
    });
  });

  it('refuses dependsOn next to a flow, and a workflow step that runs its own workflow', () => {
    expect(problems(check({ a: task(), b: task({ dependsOn: ['a'] }) }, 'sequence(a, b)'))).toEqual([
      { path: 'steps.b.dependsOn', message: expect.stringContaining('leave dependsOn out') },
    ]);
    expect(problems(check({ again: { kind: 'workflow', workflow: 'paper' } }))).toEqual([
      { path: 'steps.again.workflow', message: 'a workflow cannot run itself' },
    ]);
  });

  it("checks tool steps against the org's tools when they are known: the name, required inputs, literal inputs", () => {
    const search: KnownTool = {
      inputSchema: {
        type: 'object',
        required: ['query'],
        additionalProperties: false,
        properties: { query: { type: 'string' }, limit: { type: 'integer', minimum: 1 } },
      },
    };
    const knownTools = new Map([['web.search', search]]);
    const tool = (input: Record<string, string>, name = 'web.search') => ({ kind: 'tool', tool: name, input });
    expect(check({ s: tool({ query: 'input.topic', limit: '5' }) }, 's', { knownTools }).ok).toBe(true);
    expect(problems(check({ s: tool({ query: 'input.topic' }, 'web.fetch') }, 's', { knownTools }))).toEqual([
      { path: 'steps.s.tool', message: "the org has no tool 'web.fetch'" },
    ]);
    expect(problems(check({ s: tool({ query: '42', limit: '0', extra: '"x"' }) }, 's', { knownTools })).map((problem) => problem.path)).toEqual([
      'steps.s.input.query',
      'steps.s.input.limit',
      'steps.s.input.extra',
    ]);
    expect(problems(check({ s: tool({ limit: '5' }) }, 's', { knownTools }))).toEqual([
      { path: 'steps.s.input', message: "the tool requires the input 'query'" },
    ]);
    // Without the org's tools, a tool step is checked for the shape of its name only.
    expect(check({ s: tool({ query: '42' }, 'web.fetch') }, 's').ok).toBe(true);
  });
});
