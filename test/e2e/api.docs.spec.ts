import { beforeAll, describe, expect, it } from 'vitest';
import { useTestServer } from '../support/api-server.ts';

type Schema = { [key: string]: unknown };
type Parameter = { in: string; name: string; required?: boolean; schema?: Schema };
type Operation = {
  summary?: string;
  tags?: string[];
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema: Schema }> };
  responses: Record<string, { description: string; content?: Record<string, { schema: Schema }> }>;
  security?: unknown[];
};
type Document = {
  openapi: string;
  info: { title: string; version: string };
  tags: Array<{ name: string }>;
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema>; securitySchemes: Record<string, Schema> };
};

/** Every route of the API (the governance route table plus the routes before it). */
const routes: Array<[string, string]> = [
  ['get', '/health'],
  ['get', '/ready'],
  ['get', '/metrics'],
  ['post', '/orgs'],
  ['get', '/orgs'],
  ['get', '/orgs/:orgId'],
  ['get', '/orgs/by-slug/:slug'],
  ['post', '/orgs/:orgId/metadata'],
  ['post', '/orgs/:orgId/suspend'],
  ['post', '/orgs/:orgId/reactivate'],
  ['post', '/orgs/:orgId/archive'],
  ['post', '/admin/api-keys'],
  ['post', '/admin/api-keys/:keyId/revoke'],
  ['post', '/subjects'],
  ['get', '/subjects'],
  ['get', '/subjects/:subjectId'],
  ['post', '/subjects/:subjectId/profile'],
  ['post', '/subjects/:subjectId/capabilities'],
  ['post', '/subjects/:subjectId/capabilities/:name/withdraw'],
  ['post', '/subjects/:subjectId/capabilities/:name/verify'],
  ['post', '/subjects/:subjectId/suspend'],
  ['post', '/subjects/:subjectId/reinstate'],
  ['post', '/subjects/:subjectId/api-keys'],
  ['post', '/subjects/:subjectId/api-keys/:keyId/revoke'],
  ['post', '/subjects/:subjectId/api-keys/:keyId/rotate'],
  ['post', '/orgs/:orgId/roles'],
  ['post', '/orgs/:orgId/roles/:name/remove'],
  ['post', '/orgs/:orgId/groups'],
  ['post', '/orgs/:orgId/groups/:name/remove'],
  ['post', '/orgs/:orgId/job-spaces'],
  ['post', '/orgs/:orgId/job-spaces/:name/remove'],
  ['post', '/orgs/:orgId/role-conflicts'],
  ['post', '/orgs/:orgId/role-conflicts/withdraw'],
  ['post', '/orgs/:orgId/associations'],
  ['post', '/orgs/:orgId/associations/:associationId/revoke'],
  ['post', '/orgs/:orgId/applications'],
  ['post', '/orgs/:orgId/applications/:applicationId/approve'],
  ['post', '/orgs/:orgId/applications/:applicationId/reject'],
  ['get', '/orgs/:orgId/roster'],
  ['get', '/orgs/:orgId/associations'],
  ['get', '/orgs/:orgId/subjects/:subjectId/effective-roles'],
  ['post', '/orgs/:orgId/policies'],
  ['post', '/orgs/:orgId/policies/:version/publish'],
  ['get', '/orgs/:orgId/policies'],
  ['post', '/orgs/:orgId/workflows'],
  ['post', '/orgs/:orgId/workflows/:name/retire'],
  ['get', '/orgs/:orgId/workflows'],
  ['get', '/orgs/:orgId/workflows/:name'],
  ['get', '/orgs/:orgId/workflows/:name/versions/:version'],
  ['get', '/orgs/:orgId/workflows/:name/versions/:version/mermaid'],
  ['get', '/orgs/:orgId/decisions'],
  ['post', '/orgs/:orgId/jobs'],
  ['get', '/orgs/:orgId/jobs'],
  ['get', '/orgs/:orgId/jobs/:jobId'],
  ['get', '/orgs/:orgId/jobs/:jobId/assignment'],
  ['get', '/orgs/:orgId/contracts'],
  ['get', '/orgs/:orgId/contracts/:contractId'],
  ['get', '/orgs/:orgId/tasks'],
  ['get', '/orgs/:orgId/tasks/:taskId'],
  ['get', '/orgs/:orgId/escalations'],
  ...['start-contracting', 'assign', 'start', 'deliver', 'verify', 'reject', 'fail', 'cancel', 'escalate', 'raise-escalation', 'resolve-escalation'].map(
    (step): [string, string] => ['post', `/orgs/:orgId/jobs/:jobId/${step}`],
  ),
  ...['review', 'sign', 'reject', 'terminate'].map((step): [string, string] => ['post', `/orgs/:orgId/contracts/:contractId/${step}`]),
  ['post', '/orgs/:orgId/contracts/:contractId/obligations/:obligationId/extend'],
  ...['review', 'cancel', 'reassign'].map((step): [string, string] => ['post', `/orgs/:orgId/tasks/:taskId/${step}`]),
  ['post', '/orgs/:orgId/tools'],
  ['get', '/orgs/:orgId/tools'],
  ['put', '/orgs/:orgId/tools/:name'],
  ['get', '/orgs/:orgId/tools/:name'],
  ['post', '/orgs/:orgId/tools/:name/retire'],
  ['post', '/orgs/:orgId/tools/:name/calls'],
  ['get', '/orgs/:orgId/tool-calls/:callId'],
  ...['propose', 'sign', 'refuse', 'progress', 'tool', 'subtask', 'inform', 'failure', 'verdict'].map((kind): [string, string] => [
    'post',
    `/agent/requests/${kind}`,
  ]),
  ['get', '/agent/inbox'],
  ['post', '/agent/bus-credentials'],
  ['get', '/platform/decisions'],
  ['get', '/admin/projections'],
  ['get', '/events/stream'],
  ['get', '/audit/orgs/:orgId/state'],
  ['get', '/audit/orgs/:orgId/reevaluate'],
  ['post', '/audit/orgs/:orgId/what-if'],
  ['post', '/admin/projections/:name/rebuild'],
  ['get', '/admin/projections/parked'],
  ['post', '/admin/projections/:name/parked'],
  ['post', '/admin/projections/:name/parked/:position/retry'],
];

const openapiPath = (path: string) => path.replace(/:([A-Za-z]+)/g, '{$1}');

describe('OpenAPI documentation', () => {
  const { server } = useTestServer();
  let doc: Document;
  beforeAll(async () => {
    const response = await server.app.inject({ url: '/docs/json' });
    expect(response.statusCode).toBe(200);
    doc = response.json();
  });

  it('serves the document and the Swagger UI without a credential', async () => {
    for (const url of ['/docs/json', '/docs/yaml', '/docs', '/docs/static/swagger-ui.css']) {
      const response = await server.app.inject({ url });
      expect(response.statusCode, url).toBe(200);
    }
    expect((await server.app.inject({ url: '/docs' })).headers['content-type']).toMatch(/^text\/html/);
    // Only the docs are public: the API itself still needs a key.
    expect((await server.app.inject({ url: '/subjects/00000000-0000-4000-8000-000000000001' })).statusCode).toBe(401);
  });

  it('is an OpenAPI 3.1 document with every route of the API', () => {
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
    expect(doc.info).toMatchObject({ title: expect.any(String), version: expect.stringMatching(/^\d+\.\d+\.\d+/) });
    for (const [method, path] of routes) expect(doc.paths[openapiPath(path)]?.[method], `${method} ${path}`).toBeDefined();
    const documented = Object.entries(doc.paths).flatMap(([path, item]) => Object.keys(item).map((method) => `${method} ${path}`));
    expect(documented.sort()).toEqual(routes.map(([method, path]) => `${method} ${openapiPath(path)}`).sort());
  });

  it('describes each operation: summary, known tags, path parameters, bodies and the uniform error shape', () => {
    expect(doc.components.schemas.Error).toMatchObject({
      type: 'object',
      required: ['code', 'message', 'details'],
      properties: { code: { type: 'string' }, message: { type: 'string' }, details: { type: 'object' } },
    });
    expect(doc.components.securitySchemes.apiKey).toMatchObject({ type: 'http', scheme: 'bearer' });
    const tags = new Set(doc.tags.map((tag) => tag.name));
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(item)) {
        const where = `${method} ${path}`;
        expect(operation.summary, where).toEqual(expect.any(String));
        expect(operation.tags?.length, where).toBeGreaterThan(0);
        for (const tag of operation.tags ?? []) expect(tags.has(tag), `${where}: tag ${tag}`).toBe(true);

        const inPath = [...path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1]);
        const declared = (operation.parameters ?? []).filter((parameter) => parameter.in === 'path');
        expect(declared.map((parameter) => parameter.name).sort(), where).toEqual([...inPath].sort());
        for (const parameter of declared) expect(parameter, where).toMatchObject({ required: true, schema: expect.any(Object) });

        if (method === 'post' || method === 'put') {
          expect(operation.requestBody?.content['application/json']?.schema, where).toMatchObject({ type: 'object' });
          const headers = (operation.parameters ?? []).filter((parameter) => parameter.in === 'header').map((parameter) => parameter.name);
          // Command routes take the command headers; operating the read side and what-if (a read) are not commands;
          // agent requests, the bus protocol's twin, take an Idempotency-Key but no If-Match; bus credentials are
          // signed, not recorded (a repeat is a new credential), so they take neither.
          if (path.startsWith('/agent/requests/')) expect(headers, where).toEqual(['idempotency-key']);
          else if (path === '/agent/bus-credentials') expect(headers, where).toEqual([]);
          else if (!path.startsWith('/admin/projections') && !path.startsWith('/audit/'))
            expect(headers, where).toEqual(expect.arrayContaining(['idempotency-key', 'if-match']));
        }
        const statuses = Object.keys(operation.responses);
        expect(
          statuses.some((status) => status.startsWith('2')),
          where,
        ).toBe(true);
        for (const [status, response] of Object.entries(operation.responses)) {
          expect(response.description, `${where} ${status}`).toEqual(expect.any(String));
          if (!status.startsWith('4')) continue;
          expect(response.content?.['application/json']?.schema, `${where} ${status}`).toEqual({ $ref: '#/components/schemas/Error' });
        }
        const isPublic = path === '/health' || path === '/ready';
        if (isPublic) expect(operation.security, where).toEqual([]);
        else expect(statuses, where).toContain('401');
      }
    }
  });

  it('derives request bodies from the command schemas, as the client writes them', () => {
    const grant = doc.paths['/orgs/{orgId}/associations']?.post?.requestBody?.content['application/json']?.schema;
    expect(grant).toMatchObject({ type: 'object', additionalProperties: false, required: ['subjectId', 'role'] });
    // The org comes from the path; the association id is derived when omitted.
    expect(Object.keys(grant?.properties as Schema)).toEqual(['associationId', 'subjectId', 'role', 'jobSpace', 'expiresAt', 'parentSubjectId']);

    const role = doc.paths['/orgs/{orgId}/roles']?.post?.requestBody?.content['application/json']?.schema;
    expect(role).toMatchObject({
      required: ['name'],
      properties: { maxHolders: expect.any(Object), assignmentType: { enum: ['fixed', 'dynamic_single_subject', 'dynamic_multi_subject'] } },
    });

    const policy = doc.paths['/orgs/{orgId}/policies']?.post?.requestBody?.content['application/json']?.schema;
    expect(policy).toMatchObject({ required: ['rules'], properties: { rules: { type: 'array', items: { required: ['id', 'effect', 'actions', 'reason'] } } } });

    const decisions = doc.paths['/orgs/{orgId}/decisions']?.get?.parameters?.filter((parameter) => parameter.in === 'query').map((parameter) => parameter.name);
    expect(decisions).toEqual(['limit', 'outcome', 'result']);
  });

  it("documents the list routes' paging and filters, and every command's explain parameter", () => {
    const query = (path: string, method: string) =>
      (doc.paths[path]?.[method]?.parameters ?? []).filter((parameter) => parameter.in === 'query').map((parameter) => parameter.name);
    expect(query('/orgs', 'get')).toEqual(['status', 'parentOrgId', 'order', 'limit', 'after']);
    expect(query('/subjects', 'get')).toEqual(['kind', 'status', 'order', 'limit', 'after']);
    expect(query('/orgs/{orgId}/contracts', 'get')).toEqual(['status', 'assigneeSubjectId', 'jobId', 'order', 'limit', 'after']);
    expect(query('/orgs/{orgId}/tasks', 'get')).toEqual(['status', 'assigneeSubjectId', 'jobId', 'order', 'limit', 'after']);
    expect(query('/orgs/{orgId}/associations', 'get')).toEqual(['subjectId', 'role', 'status', 'active', 'order', 'limit', 'after']);
    const limit = doc.paths['/orgs']?.get?.parameters?.find((parameter) => parameter.name === 'limit');
    expect(limit?.schema).toMatchObject({ minimum: 1, maximum: 100, default: 20 });
    // Every command (a POST that takes an Idempotency-Key) says how to ask for the full explanation.
    const commands = Object.entries(doc.paths).flatMap(([path, item]) =>
      item.post && (item.post.parameters ?? []).some((parameter) => parameter.name === 'idempotency-key') ? [path] : [],
    );
    expect(commands.length).toBeGreaterThan(50);
    for (const path of commands) {
      const explain = doc.paths[path]?.post?.parameters?.find((parameter) => parameter.in === 'query' && parameter.name === 'explain');
      expect(explain?.schema, path).toMatchObject({ enum: ['summary', 'full'], default: 'summary' });
    }
  });

  it('is documentation only: Fastify does not validate with it, the routes answer in their own error shape', async () => {
    const response = await server.app.inject({ method: 'POST', url: '/orgs/not-a-uuid/roles', headers: server.auth, payload: { name: 'Bad Name', extra: 1 } });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({
      code: 'VALIDATION_FAILED',
      details: { issues: expect.arrayContaining([expect.objectContaining({ path: ['orgId'] })]) },
    });
  });
});
