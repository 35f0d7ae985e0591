import { describe, expectTypeOf, it } from 'vitest';
import { type ToolSpec, toolSpecSchema } from '../../domain/tool/spec.ts';
import type { RunnableTool } from '../../infra/tool-runners/runnable-tool.ts';

describe('a registered tool is what the runners run', () => {
  it('ToolSpec (domain) is assignable to RunnableTool (infra), so a registry entry can be handed to a runner as is', () => {
    expectTypeOf<ToolSpec>().toExtend<RunnableTool>();
  });

  it('a parsed registration, defaults filled in, is a runnable tool at run time too', () => {
    const spec = toolSpecSchema.parse({
      name: 'echo',
      inputSchema: { type: 'object' },
      endpoint: { kind: 'executable', command: '/bin/cat' },
    });
    const runnable: RunnableTool = spec;
    expectTypeOf(runnable.endpoint.kind).toEqualTypeOf<'http' | 'nats' | 'mcp' | 'executable'>();
    if (runnable.endpoint.kind !== 'executable') throw new Error('expected the executable endpoint');
    if (runnable.endpoint.args.length !== 0 || runnable.timeoutMs <= 0 || runnable.endpoint.memoryMb <= 0) throw new Error('defaults not applied');
  });
});
