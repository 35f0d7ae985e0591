import { beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { useTestServer } from '../support/api-server.ts';
import { expectRefusal } from '../support/refusal.ts';
import { ScriptedToolRunner, echoTool } from '../support/tool-calls.ts';

/** The runner double of this file: `text.echo` answers its text at once; a text of `slow` is answered after the request stops waiting. */
const runner = new ScriptedToolRunner(async (request) => {
  const { text } = request.input as { text: string };
  if (text === 'slow') await new Promise((resolve) => setTimeout(resolve, 2_500));
  return text === 'broken' ? { ok: true, output: { echo: 1 }, durationMs: 1 } : { ok: true, output: { echo: text }, durationMs: 2 };
});

describe('tools over HTTP', () => {
  // A request waits 800 ms at most here, so a call that takes longer is answered 202.
  const { server, api } = useTestServer({ toolRunner: runner, server: { toolCalls: { maxWaitMs: 800 } } });
  let orgId: string;
  const put = (url: string, payload: object) => server.app.inject({ method: 'PUT', url, headers: server.auth, payload });

  beforeAll(async () => {
    orgId = await api.registerOrg('tool-shop');
    await api.expectStatus(await api.post(`/orgs/${orgId}/tools`, echoTool('text.echo', { timeoutMs: 1_000 })), 201);
    await api.expectStatus(await api.post(`/orgs/${orgId}/tools`, echoTool('text.slow', { timeoutMs: 5_000 })), 201);
  });

  it('registers, reads, updates (a new version) and retires a tool', async () => {
    const created = await api.expectStatus(await api.post(`/orgs/${orgId}/tools`, echoTool('text.temp')), 201);
    expect(created).toMatchObject({ name: 'text.temp', version: 1, events: [{ type: 'DecisionRecorded' }, { type: 'ToolRegistered' }] });
    const updated = await api.expectStatus(await put(`/orgs/${orgId}/tools/text.temp`, { ...echoTool('text.temp'), description: 'v2' }), 200);
    expect(updated).toMatchObject({ version: 2 });
    const read = await api.expectStatus(await api.get(`/orgs/${orgId}/tools/text.temp`), 200);
    expect(read).toMatchObject({ name: 'text.temp', status: 'active', version: 2, spec: { description: 'v2' } });
    expect(Object.keys(read.versions)).toEqual(['1', '2']);
    await api.expectStatus(await api.post(`/orgs/${orgId}/tools/text.temp/retire`, { reason: 'replaced' }), 200);
    // Refused by the tool's state after the policy permitted it: the refusal is recorded as the decision's result.
    const refused = await api.expectStatus(await api.post(`/orgs/${orgId}/tools/text.temp/calls`, { input: { text: 'x' } }), 409);
    expect(refused).toEqual({ code: 'TOOL_RETIRED', message: expect.any(String), details: expect.objectContaining({ toolName: 'text.temp' }) });
  });

  it('takes a name with a slash, URL-encoded in the path', async () => {
    await api.expectStatus(await api.post(`/orgs/${orgId}/tools`, echoTool('mcp:github/echo', { timeoutMs: 1_000 })), 201);
    const read = await api.expectStatus(await api.get(`/orgs/${orgId}/tools/${encodeURIComponent('mcp:github/echo')}`), 200);
    expect(read).toMatchObject({ name: 'mcp:github/echo', version: 1 });
    const called = await api.post(`/orgs/${orgId}/tools/${encodeURIComponent('mcp:github/echo')}/calls`, { input: { text: 'slash' } });
    expect(await api.expectStatus(called, 200)).toMatchObject({ toolName: 'mcp:github/echo', output: { echo: 'slash' } });
    await api.expectStatus(await api.post(`/orgs/${orgId}/tools/${encodeURIComponent('mcp:github/echo')}/retire`, { reason: 'test over' }), 200);
  });

  it("lists the org's tools at their current versions, filtered by status and kind", async () => {
    const listed = await api.expectStatus(await api.get(`/orgs/${orgId}/tools?status=active&kind=nats&order=oldest`), 200);
    expect(listed.tools.map((tool: { name: string }) => tool.name)).toEqual(['text.echo', 'text.slow']);
    expect(listed.tools[0]).toMatchObject({ status: 'active', version: 1, spec: { inputSchema: { required: ['text'] } } });
    const none = await api.expectStatus(await api.get(`/orgs/${orgId}/tools?kind=http`), 200);
    expect(none.tools).toEqual([]);
    const other = await api.registerOrg('no-tools');
    expect((await api.expectStatus(await api.get(`/orgs/${other}/tools`), 200)).tools).toEqual([]);
  });

  it('calls a tool and answers its output; the call is read back by its id', async () => {
    const answer = await api.expectStatus(await api.post(`/orgs/${orgId}/tools/text.echo/calls`, { input: { text: 'hello' } }), 200);
    expect(answer).toMatchObject({ toolName: 'text.echo', version: 1, status: 'succeeded', output: { echo: 'hello' }, durationMs: 2 });
    const read = await api.expectStatus(await api.get(`/orgs/${orgId}/tool-calls/${answer.callId}`), 200);
    expect(read).toMatchObject({ callId: answer.callId, status: 'succeeded', input: { text: 'hello' }, requestedBy: { kind: 'admin' } });
  });

  it('answers a recorded failure: an output that breaks the output schema', async () => {
    const answer = await api.expectStatus(await api.post(`/orgs/${orgId}/tools/text.echo/calls`, { input: { text: 'broken' } }), 200);
    expect(answer).toMatchObject({ status: 'failed', failure: { code: 'invalid_output' } });
  });

  it('answers 202 with the call id when the outcome takes longer than the wait, and the call completes later', async () => {
    const answer = await api.expectStatus(await api.post(`/orgs/${orgId}/tools/text.slow/calls`, { input: { text: 'slow' } }), 202);
    expect(answer.status).toMatch(/requested|started/);
    await expect.poll(async () => (await api.get(`/orgs/${orgId}/tool-calls/${answer.callId}`)).json().status, { timeout: 8_000 }).toBe('succeeded');
  });

  it('shows where the tool-call process is in the log on /ready', async () => {
    const ready = (await server.app.inject({ method: 'GET', url: '/ready' })).json();
    expect(ready.checks.work.detail).toMatch(/tool-calls at \d+/);
  });

  it('runs one call id once: the same call again answers the same call', async () => {
    const callId = randomUUID();
    const first = await api.expectStatus(await api.post(`/orgs/${orgId}/tools/text.echo/calls`, { callId, input: { text: 'once' } }), 200);
    const again = await api.expectStatus(await api.post(`/orgs/${orgId}/tools/text.echo/calls`, { callId, input: { text: 'once' } }), 200);
    expect(again).toMatchObject({ callId, status: 'succeeded', finishedAt: first.finishedAt, events: [] });
    expect(runner.requests.filter((request) => (request.input as { text: string }).text === 'once')).toHaveLength(1);
  });
});

describe('tools over HTTP: bad input gets a 4xx naming the field, and changes nothing', () => {
  const { server, api } = useTestServer({ toolRunner: runner });
  let orgId: string;
  beforeAll(async () => {
    orgId = await api.registerOrg('bad-tools');
    await api.expectStatus(await api.post(`/orgs/${orgId}/tools`, echoTool('text.echo')), 201);
  });
  const tools = () => `/orgs/${orgId}/tools`;
  const calls = (name = 'text.echo') => `/orgs/${orgId}/tools/${name}/calls`;
  const paths = (refusal: { details: { issues?: unknown[] } }) => (refusal.details.issues as Array<{ path: string[] }>).map((issue) => issue.path.join('.'));

  it('a schema that is not a JSON Schema', async () => {
    const bad = { ...echoTool('text.bad'), inputSchema: { type: 'object', properties: { text: { type: 'txt' } } } };
    expect(paths(await expectRefusal(server, { url: tools(), payload: bad }, 400, 'VALIDATION_FAILED'))).toContain('inputSchema.properties.text.type');
    const remote = { ...echoTool('text.bad'), outputSchema: { $ref: 'https://example.com/s.json' } };
    expect(paths(await expectRefusal(server, { url: tools(), payload: remote }, 400, 'VALIDATION_FAILED'))).toContain('outputSchema.$ref');
  });

  it('a malformed spec: a bad name, an unknown endpoint kind, an unknown field, no body', async () => {
    expect(paths(await expectRefusal(server, { url: tools(), payload: echoTool('bad name') }, 400, 'VALIDATION_FAILED'))).toContain('name');
    expect(paths(await expectRefusal(server, { url: tools(), payload: { ...echoTool(), endpoint: { kind: 'ftp' } } }, 400, 'VALIDATION_FAILED'))).toContain(
      'endpoint.kind',
    );
    expect(paths(await expectRefusal(server, { url: tools(), payload: { ...echoTool('text.x'), colour: 'red' } }, 400, 'VALIDATION_FAILED'))).toEqual(['']);
    await expectRefusal(server, { url: tools() }, 400, 'VALIDATION_FAILED');
  });

  it("an HTTP host the org does not allow (a refusal by the org's settings, recorded as the decision's result)", async () => {
    const http = { ...echoTool('web.get'), endpoint: { kind: 'http', url: 'https://api.example.com/get' } };
    const refusal = await api.expectStatus(await api.post(tools(), http), 422);
    expect(refusal).toEqual({
      code: 'TOOL_HOST_NOT_ALLOWED',
      message: expect.any(String),
      details: expect.objectContaining({ host: 'api.example.com', field: 'spec.endpoint.url' }),
    });
    expect((await api.get(`${tools()}/web.get`)).statusCode).toBe(404);
  });

  it('an update that renames the tool, or of an unknown tool', async () => {
    await expectRefusal(server, { method: 'PUT', url: `${tools()}/text.echo`, payload: echoTool('text.other') }, 400, 'VALIDATION_FAILED');
    await expectRefusal(server, { method: 'PUT', url: `${tools()}/text.none`, payload: echoTool('text.none') }, 404, 'TOOL_NOT_FOUND');
  });

  it('a call of an unknown tool, with input the schema refuses, with a malformed call id or no input', async () => {
    await expectRefusal(server, { url: calls('text.none'), payload: { input: { text: 'x' } } }, 404, 'TOOL_NOT_FOUND');
    const invalid = await expectRefusal(server, { url: calls(), payload: { input: { text: 'x'.repeat(51), more: 1 } } }, 400, 'TOOL_INPUT_INVALID');
    expect(paths(invalid)).toEqual(expect.arrayContaining(['input.text', 'input.more']));
    expect(paths(await expectRefusal(server, { url: calls(), payload: { callId: 'not-a-uuid', input: {} } }, 400, 'VALIDATION_FAILED'))).toContain('callId');
    expect(paths(await expectRefusal(server, { url: calls(), payload: {} }, 400, 'VALIDATION_FAILED'))).toContain('input');
    await expectRefusal(server, { url: calls(), payload: { input: { text: 'x' }, toolName: 'text.echo' } }, 400, 'VALIDATION_FAILED');
  });

  it('an unknown call', async () => {
    await expectRefusal(server, { method: 'GET', url: `/orgs/${orgId}/tool-calls/${randomUUID()}` }, 404, 'TOOL_CALL_NOT_FOUND');
    await expectRefusal(server, { method: 'GET', url: `/orgs/${orgId}/tool-calls/nope` }, 400, 'VALIDATION_FAILED');
    await expectRefusal(server, { method: 'GET', url: `/orgs/${orgId}/tools?kind=ftp` }, 400, 'VALIDATION_FAILED');
  });
});
