import { beforeAll, describe, expect, it } from 'vitest';
import { useTestServer } from '../support/api-server.ts';

type Document = { paths: Record<string, Record<string, unknown>> };
type Method = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'OPTIONS';

const ORDER: Method[] = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];
const ID = '00000000-0000-4000-8000-000000000001';

/** A documented path with each parameter filled in: ids with a UUID, anything else with `x` (no route has an `x` segment). */
function concrete(template: string): string {
  return template.replace(/\{(\w+)\}/g, (_match, name: string) => (name === 'version' ? '1' : name.endsWith('Id') ? ID : 'x'));
}

/**
 * A method a path does not take is 405 METHOD_NOT_ALLOWED with `Allow` listing the ones it does (GET routes answer
 * HEAD too), not a 404 that says the path does not exist; OPTIONS answers 204 with the same `Allow`. Decided from
 * the route table before authentication, like a 404.
 */
describe('a method a route does not take', () => {
  const { server } = useTestServer();
  let doc: Document;
  beforeAll(async () => {
    doc = (await server.app.inject({ method: 'GET', url: '/docs/json' })).json();
  });

  it('answers GET on a command route with 405, Allow: POST, OPTIONS, and what to send instead, to anyone', async () => {
    for (const headers of [{}, { ...server.auth }, { authorization: 'Bearer agk_wrong.key' }]) {
      const response = await server.app.inject({ method: 'GET', url: `/orgs/${ID}/suspend`, headers });
      expect(response.statusCode).toBe(405);
      expect(response.headers.allow).toBe('POST, OPTIONS');
      expect(response.json()).toEqual({
        code: 'METHOD_NOT_ALLOWED',
        message: `/orgs/${ID}/suspend takes POST, not GET: send a POST with a JSON body`,
        details: { method: 'GET', path: `/orgs/${ID}/suspend`, allow: ['POST', 'OPTIONS'] },
      });
    }
  });

  it('answers every documented path with 405 and its Allow for each method it does not take', async () => {
    const paths = Object.entries(doc.paths);
    expect(paths.length).toBeGreaterThan(50);
    for (const [template, operations] of paths) {
      const documented = Object.keys(operations)
        .map((method) => method.toUpperCase() as Method)
        .filter((method) => ORDER.includes(method));
      const taken = new Set<Method>([...documented, ...(documented.includes('GET') ? (['HEAD'] as const) : []), 'OPTIONS']);
      const allow = ORDER.filter((method) => taken.has(method));
      for (const method of (['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const).filter((candidate) => !taken.has(candidate))) {
        const url = concrete(template);
        const response = await server.app.inject({ method, url, headers: server.auth });
        expect(response.statusCode, `${method} ${url}`).toBe(405);
        expect(response.headers.allow, `${method} ${url}`).toBe(allow.join(', '));
        expect(response.json().details.allow, `${method} ${url}`).toEqual(allow);
      }
    }
  });

  it('answers HEAD on a command route with 405 and Allow, and no body', async () => {
    const response = await server.app.inject({ method: 'HEAD', url: '/orgs/00000000-0000-4000-8000-000000000001/roles', headers: server.auth });
    expect(response.statusCode).toBe(405);
    expect(response.headers.allow).toBe('POST, OPTIONS');
    expect(response.body).toBe('');
  });

  it('answers OPTIONS on a route with 204 and its Allow, without a key', async () => {
    const read = await server.app.inject({ method: 'OPTIONS', url: `/orgs/${ID}` });
    expect(read.statusCode).toBe(204);
    expect(read.headers.allow).toBe('GET, HEAD, OPTIONS');
    const graphql = await server.app.inject({ method: 'OPTIONS', url: '/graphql' });
    expect(graphql.headers.allow).toBe('GET, HEAD, POST, OPTIONS');
  });

  it('answers OPTIONS on a path that is no route with 404 ROUTE_NOT_FOUND', async () => {
    const response = await server.app.inject({ method: 'OPTIONS', url: '/nowhere' });
    expect(response.statusCode).toBe(404);
    expect(response.json().code).toBe('ROUTE_NOT_FOUND');
  });
});
