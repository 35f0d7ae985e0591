import { beforeAll, describe, expect, it } from 'vitest';
import { useTestServer } from '../support/api-server.ts';
import { echoTool } from '../support/tool-calls.ts';

describe("tool calls through the platform's own runners (no test double)", () => {
  const { server, api } = useTestServer();
  let orgId: string;

  beforeAll(async () => {
    orgId = await api.registerOrg('runner-shop');
    // A NATS tool served on the platform's bus, as a service beside the platform would serve it.
    await server.platform.bus.subscribe('tools.e2e.echo', async (message) => {
      message.respond({ data: { echo: (message.data as { text: string }).text } });
    });
    await api.expectStatus(
      await api.post(`/orgs/${orgId}/tools`, echoTool('text.echo', { endpoint: { kind: 'nats', subject: 'tools.e2e.echo' }, timeoutMs: 2_000 })),
      201,
    );
    await api.expectStatus(
      await api.post(`/orgs/${orgId}/tools`, echoTool('text.nobody', { endpoint: { kind: 'nats', subject: 'tools.e2e.nobody' }, timeoutMs: 2_000 })),
      201,
    );
  });

  it('calls a NATS tool through the bus and answers its output', async () => {
    const answer = await api.expectStatus(await api.post(`/orgs/${orgId}/tools/text.echo/calls`, { input: { text: 'over the bus' } }), 200);
    expect(answer).toMatchObject({ status: 'succeeded', output: { echo: 'over the bus' } });
  });

  it('records a tool nobody serves as unreachable', async () => {
    const answer = await api.expectStatus(await api.post(`/orgs/${orgId}/tools/text.nobody/calls`, { input: { text: 'anyone?' } }), 200);
    expect(answer).toMatchObject({ status: 'failed', failure: { code: 'unreachable' } });
  });
});
