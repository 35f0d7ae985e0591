import { describe, expect, it } from 'vitest';
import { toolAggregate } from '../../commands/handlers/tool.ts';
import { SqliteDocumentStore } from '../../infra/documents/sqlite.ts';
import { LogConsumer } from '../../infra/log-consumer/log-consumer.ts';
import { readModelProjections } from '../../projections/read-models/all.ts';
import { TOOLS, toolCountFromReadModel, toolView } from '../../projections/read-models/tools.ts';
import { ProjectionRunner } from '../../projections/runner.ts';
import { ok } from '../support/governance-fixtures.ts';
import { governedStore } from '../support/governed-store.ts';
import { echoTool, registerTool } from '../support/tool-calls.ts';

describe('the tools read model', () => {
  it("holds each tool at its current version, keeps schema keys a document could not, and counts an org's tools", async () => {
    const { store, pipeline, registry, g } = governedStore();
    const lab = await g.registerOrg('tools-lab');
    const other = await g.registerOrg('other-lab');
    // A schema's own keys ($ref, $defs) and a property named with a dot: free JSON, kept as text.
    const dotted = {
      ...echoTool('text.dotted'),
      inputSchema: { type: 'object', properties: { 'a.b': { $ref: '#/$defs/x' } }, $defs: { x: { type: 'string' } } },
    };
    await registerTool(pipeline, lab, dotted);
    await registerTool(pipeline, lab, echoTool('text.echo'));
    await registerTool(pipeline, other, echoTool('text.echo'));
    ok(await g.run(toolAggregate, { type: 'RetireTool', data: { orgId: lab, name: 'text.echo', reason: 'replaced' } }));

    const docs = new SqliteDocumentStore({ path: ':memory:' });
    const projections = new ProjectionRunner(new LogConsumer(store), docs, registry, readModelProjections);
    await projections.start();
    const count = toolCountFromReadModel({ store, docs, projections });
    expect(await count(lab)).toBe(2);
    expect(await count(other)).toBe(1);
    const listed = await docs.find(TOOLS, { filter: { field: 'orgId', op: 'eq', value: lab }, limit: 10 });
    const tools = listed.items.map(toolView);
    expect(tools.map((tool) => [tool.name, tool.status]).sort()).toEqual([
      ['text.dotted', 'active'],
      ['text.echo', 'retired'],
    ]);
    expect(tools.find((tool) => tool.name === 'text.dotted')?.spec.inputSchema).toEqual(dotted.inputSchema);
    await projections.stop();
    await docs.close();
  });
});
