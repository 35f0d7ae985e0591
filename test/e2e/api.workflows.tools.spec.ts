import { beforeAll, describe, expect, it } from 'vitest';
import { useTestServer } from '../support/api-server.ts';
import { echoTool } from '../support/tool-calls.ts';

/** A one-step workflow calling `tool` with `text` as the CEL expression of its one input. */
const saying = (name: string, tool: string, text: string) => ({ name, steps: { say: { kind: 'tool', tool, input: { text } } }, flow: 'sequence(say)' });

describe('publishing a workflow checks its tool steps against the org registry', () => {
  const { api } = useTestServer();
  let orgId: string;
  beforeAll(async () => {
    orgId = await api.registerOrg('workflow-tools');
    await api.expectStatus(await api.post(`/orgs/${orgId}/tools`, echoTool('text.echo')), 201);
    await api.expectStatus(await api.post(`/orgs/${orgId}/tools`, echoTool('text.old')), 201);
    await api.expectStatus(await api.post(`/orgs/${orgId}/tools/text.old/retire`, { reason: 'replaced' }), 200);
  });

  it('publishes a step that calls an active tool with input its schema accepts', async () => {
    const published = await api.post(`/orgs/${orgId}/workflows`, saying('greet', 'text.echo', '"hello"'));
    expect(published.statusCode, published.body).toBe(201);
  });

  it.each([
    ['a tool the org does not have', saying('ghost', 'text.missing', '"hello"'), 'steps.say.tool'],
    ['a retired tool', saying('stale', 'text.old', '"hello"'), 'steps.say.tool'],
    ['a literal input the schema refuses', saying('wrong', 'text.echo', '42'), 'steps.say.input.text'],
  ])('refuses %s, naming the step', async (_case, definition, path) => {
    const refused = await api.post(`/orgs/${orgId}/workflows`, definition);
    expect(refused.statusCode, refused.body).toBe(422);
    expect(refused.json()).toMatchObject({ code: 'WORKFLOW_INVALID', details: { errors: [expect.objectContaining({ path })] } });
    const read = await api.get(`/orgs/${orgId}/workflows/${definition.name}`);
    expect(read.statusCode).toBe(404);
  });
});
