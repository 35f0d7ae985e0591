import { beforeAll, describe, expect, it } from 'vitest';
import { useTestServer } from '../support/api-server.ts';
import { startTestServer } from '../support/server.ts';

type Document = { paths: Record<string, Record<string, unknown>> };

function nestedJson(depth: number): string {
  return `${'['.repeat(depth)}1${']'.repeat(depth)}`;
}

/** A path template (`/orgs/{orgId}`) with every parameter filled in with a well-formed value. */
function concrete(template: string, values: Record<string, string>): string {
  return template.replace(
    /\{(\w+)\}/g,
    (_match, name: string) => values[name] ?? (name === 'version' ? '1' : name.endsWith('Id') ? '00000000-0000-4000-8000-000000000001' : 'x'),
  );
}

describe('request bodies: UTF-8 JSON objects, nested within the cap', () => {
  const { server, api } = useTestServer();
  let orgId: string;
  let self: { id: string; key: string };
  let doc: Document;
  beforeAll(async () => {
    orgId = await api.registerOrg('bodies');
    self = await api.subjectWithKey('Body bot');
    doc = (await api.get('/docs/json')).json();
  });

  async function send(url: string, payload: string, contentType = 'application/json', key = api.adminKey) {
    const before = await server.platform.store.headPosition();
    const response = await server.app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${key}`, 'content-type': contentType }, payload });
    const after = await server.platform.store.headPosition();
    return { response, appended: after - before };
  }

  it.each([
    ['a policy draft', () => `/orgs/${orgId}/policies`, (deep: string) => `{"rules":${deep}}`],
    [
      "an agent's sub-task",
      () => '/agent/requests/subtask',
      (deep: string) => `{"orgId":"${orgId}","jobId":"${orgId}","parentTaskId":"${orgId}","contractId":null,"key":"k","title":"t","input":${deep}}`,
    ],
  ])('refuses %s nested 5,000 levels with 400 JSON_TOO_DEEP, not a stack overflow', async (_name, url, body) => {
    const { response, appended } = await send(url(), body(nestedJson(5_000)), 'application/json', _name === 'a policy draft' ? api.adminKey : self.key);
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({ code: 'JSON_TOO_DEEP', message: expect.stringContaining('64 levels'), details: { maxDepth: 64 } });
    expect(appended).toBe(0n);
  });

  it('reads a body nested up to the cap, and refuses one level more', async () => {
    // 63 arrays inside the body object: 64 levels, parsed, then refused by the command's own schema.
    const within = await send(`/orgs/${orgId}/policies`, `{"rules":${nestedJson(63)}}`);
    expect(within.response.json().code).not.toBe('JSON_TOO_DEEP');
    expect(within.response.statusCode).toBe(400);
    const past = await send(`/orgs/${orgId}/policies`, `{"rules":${nestedJson(64)}}`);
    expect(past.response.json().code).toBe('JSON_TOO_DEEP');
  });

  it('caps nesting by the JSON_MAX_DEPTH setting', async () => {
    const strict = await startTestServer({ env: { JSON_MAX_DEPTH: '8' } });
    const response = await strict.app.inject({
      method: 'POST',
      url: '/orgs',
      headers: { ...strict.auth, 'content-type': 'application/json' },
      payload: `{"name":"x","slug":"x","metadata":${nestedJson(8)}}`,
    });
    expect(response.json()).toMatchObject({ code: 'JSON_TOO_DEEP', details: { maxDepth: 8 } });
    await strict.close();
  });

  it.each(['utf-16', 'UTF-16LE', 'iso-8859-1', 'latin1', 'us-ascii'])('refuses a body in charset %s with 415, saying to send UTF-8 JSON', async (charset) => {
    const { response, appended } = await send(
      '/orgs',
      JSON.stringify({ name: 'Charset', slug: `charset-${charset.toLowerCase()}` }),
      `application/json; charset=${charset}`,
    );
    expect(response.statusCode).toBe(415);
    expect(response.json()).toEqual({
      code: 'UNSUPPORTED_MEDIA_TYPE',
      message: expect.stringContaining('UTF-8 JSON'),
      details: { charset: charset.toLowerCase() },
    });
    expect(appended).toBe(0n);
  });

  it.each(['application/json', 'application/json; charset=utf-8', 'application/json;charset=UTF-8', 'application/json; charset="utf-8"'])(
    'reads %s',
    async (contentType) => {
      const { response } = await send(
        '/orgs',
        JSON.stringify({ name: 'Utf8', slug: `utf8-${Buffer.from(contentType).toString('hex').slice(-12)}` }),
        contentType,
      );
      expect(response.statusCode).toBe(201);
    },
  );

  it.each([
    ['unparseable JSON', '{"query":', 'application/json', 400, 'INVALID_JSON'],
    ['a __proto__ key', '{"query":"{ __typename }","variables":{"__proto__":{"x":1}}}', 'application/json', 400, 'FORBIDDEN_JSON_KEY'],
    ['nesting 5,000 levels', `{"query":"{ __typename }","variables":{"v":${nestedJson(5_000)}}}`, 'application/json', 400, 'JSON_TOO_DEEP'],
    ['a UTF-16 charset', '{"query":"{ __typename }"}', 'application/json; charset=utf-16', 415, 'UNSUPPORTED_MEDIA_TYPE'],
  ])("refuses a GraphQL body with %s as the client's error, never an INTERNAL_ERROR", async (_name, payload, contentType, status, code) => {
    const { response } = await send('/graphql', payload, contentType);
    expect(response.statusCode).toBe(status);
    const body = response.json();
    // mercurius answers in GraphQL's shape, the server's hooks in the API's: either way, the same code.
    expect(body.code ?? body.errors?.[0]?.extensions?.code).toBe(code);
  });

  it('refuses a null body on POST /subjects/:id/api-keys instead of taking it for {}', async () => {
    const { response, appended } = await send(`/subjects/${self.id}/api-keys`, 'null');
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({
      code: 'VALIDATION_FAILED',
      message: 'the body must be a JSON object',
      details: { issues: [{ path: [], message: 'expected a JSON object, got null' }] },
    });
    expect(appended).toBe(0n);
  });

  it('refuses a null body on every POST route of the API, and appends nothing', async () => {
    const values = { orgId, subjectId: self.id };
    const posts = Object.entries(doc.paths)
      .filter(([, operations]) => 'post' in operations)
      .map(([path]) => path);
    expect(posts.length).toBeGreaterThan(40);
    for (const path of posts) {
      const key = path.startsWith('/agent/') ? self.key : api.adminKey;
      const { response, appended } = await send(concrete(path, values), 'null', 'application/json', key);
      expect(response.statusCode, path).toBeGreaterThanOrEqual(400);
      expect(response.statusCode, path).toBeLessThan(500);
      expect(appended, path).toBe(0n);
    }
  });
});
