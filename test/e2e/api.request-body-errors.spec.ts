import { beforeAll, describe, expect, it } from 'vitest';
import { useTestServer } from '../support/api-server.ts';

/**
 * What a newcomer's first malformed bodies are told: each answer names what is wrong with the request that was sent
 * (which field, which byte of the JSON, how many bytes) and what to send instead, and nothing is changed.
 */
describe('answers to malformed request bodies', () => {
  const { server, api } = useTestServer();
  let orgId: string;
  beforeAll(async () => {
    orgId = await api.registerOrg('bodies-errors');
  });

  async function post(url: string, payload: string | undefined, contentType: string | undefined = 'application/json') {
    const before = await server.platform.store.headPosition();
    const response = await server.app.inject({
      method: 'POST',
      url,
      headers: { ...server.auth, ...(contentType === undefined ? {} : { 'content-type': contentType }) },
      ...(payload === undefined ? {} : { payload }),
    });
    return { status: response.statusCode, body: response.json(), appended: (await server.platform.store.headPosition()) - before };
  }

  it.each([
    ['no body and no Content-Type', undefined, undefined],
    ['an empty body sent as application/json', '', 'application/json'],
  ])('answers a command sent with %s by naming the fields it needs', async (_name, payload, contentType) => {
    const { status, body, appended } = await post(`/orgs/${orgId}/suspend`, payload, contentType);
    expect(status).toBe(400);
    expect(body).toEqual({
      code: 'VALIDATION_FAILED',
      message: "no body was sent: send a JSON object (Content-Type: application/json) with the command's fields: reason: required (string)",
      details: { issues: [{ path: ['reason'], message: 'required (string)' }] },
    });
    expect(appended).toBe(0n);
  });

  it('takes an empty application/json body as no body on a command that needs no fields', async () => {
    const drafted = await api.expectStatus(await api.post(`/orgs/${orgId}/policies`, { rules: [] }), 201);
    const { status } = await post(`/orgs/${orgId}/policies/${drafted.version}/publish`, '', 'application/json');
    expect(status).toBe(200);
  });

  it('names the fields a body lacks in the message, not only in details', async () => {
    const { status, body } = await post('/orgs', '{"name":"Acme"}');
    expect(status).toBe(400);
    expect(body.message).toBe('the command is invalid: slug: required (string)');
  });

  it.each([
    ['cut short', '{"name":', /Unexpected end of JSON input/],
    ['with a trailing comma', '{"name":"x",}', /position 12/],
    ['in single quotes', "{'name':'x'}", /position 1/],
  ])('answers a body that is not JSON (%s) with INVALID_JSON and where the parser stopped', async (_name, payload, reason) => {
    const { status, body, appended } = await post('/orgs', payload);
    expect(status).toBe(400);
    expect(body).toEqual({
      code: 'INVALID_JSON',
      message: expect.stringContaining('send one JSON object'),
      details: { reason: expect.stringMatching(reason) },
    });
    expect(body.message).toContain(body.details.reason);
    expect(appended).toBe(0n);
  });

  it('answers a __proto__ key with FORBIDDEN_JSON_KEY, saying to rename it', async () => {
    const { status, body } = await post('/orgs', '{"name":"x","slug":"proto","metadata":{"__proto__":{"admin":"yes"}}}');
    expect(status).toBe(400);
    expect(body).toMatchObject({ code: 'FORBIDDEN_JSON_KEY', message: expect.stringContaining('rename the key') });
  });

  it('answers a body over the limit with 413 and the limit in bytes', async () => {
    const limit = server.platform.config.COMMAND_MAX_BYTES + 4096;
    const { status, body, appended } = await post('/orgs', JSON.stringify({ name: 'x', slug: 'big', description: 'x'.repeat(limit) }));
    expect(status).toBe(413);
    expect(body).toEqual({
      code: 'PAYLOAD_TOO_LARGE',
      message: expect.stringContaining(`${limit} bytes`),
      details: { maxBytes: limit, contentLength: expect.any(Number) },
    });
    expect(body.details.contentLength).toBeGreaterThan(limit);
    expect(appended).toBe(0n);
  });
});
