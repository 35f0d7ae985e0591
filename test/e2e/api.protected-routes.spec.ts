import { beforeAll, describe, expect, it } from 'vitest';
import { useTestServer } from '../support/api-server.ts';

type Document = { paths: Record<string, Record<string, { security?: unknown[] }>> };

/** The only documented routes that answer without a key (METRICS_PUBLIC is off, as by default). */
const PUBLIC = new Set(['get /health', 'get /ready']);

/** A concrete path for a documented one: any well-formed value for each parameter (authentication comes first). */
const concrete = (path: string) =>
  path.replace(/\{([^}]+)\}/g, (_match, name: string) => (name === 'version' || name === 'position' ? '1' : name.endsWith('Id') ? crypto.randomUUID() : 'x'));

describe('protected routes', () => {
  const { server } = useTestServer();
  let documented: Array<{ method: string; path: string; security: unknown[] | undefined }>;
  beforeAll(async () => {
    const doc: Document = (await server.app.inject({ url: '/docs/json' })).json();
    documented = Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.entries(item).map(([method, operation]) => ({ method, path, security: operation.security })),
    );
  });

  it('answer 401 without a key: every documented route but the probes, and GraphQL queries by GET or POST', async () => {
    const guarded = documented.filter(({ method, path }) => !PUBLIC.has(`${method} ${path}`));
    expect(guarded.length).toBeGreaterThan(80);
    const requests = [
      ...guarded.map(({ method, path }) => ({ method: method.toUpperCase(), url: concrete(path) })),
      { method: 'GET', url: '/graphql?query=%7B__typename%7D' },
      { method: 'POST', url: '/graphql' },
    ];
    for (const { method, url } of requests) {
      const inject = (headers: Record<string, string>) =>
        server.app.inject({ method: method === 'POST' ? 'POST' : 'GET', url, headers, ...(method === 'POST' ? { payload: {} } : {}) });
      const bare = await inject({});
      expect(bare.statusCode, `${method} ${url}`).toBe(401);
      expect(bare.json(), `${method} ${url}`).toMatchObject({ code: 'UNAUTHENTICATED' });
      // Only the protected scope's hook reads the header: a route registered outside it, even one that refuses a
      // request without a principal by itself, would not call this header malformed.
      const basic = await inject({ authorization: 'Basic YWRtaW46YWRtaW4=' });
      expect(basic.statusCode, `${method} ${url}`).toBe(401);
      expect(basic.json(), `${method} ${url}`).toMatchObject({ code: 'MALFORMED_AUTHORIZATION' });
    }
  });

  it('document as public exactly the routes that are', async () => {
    const open = documented.filter(({ security }) => Array.isArray(security) && security.length === 0).map(({ method, path }) => `${method} ${path}`);
    expect(open.sort()).toEqual([...PUBLIC].sort());
    for (const route of PUBLIC) {
      const [method, url] = route.split(' ');
      expect((await server.app.inject({ method: method === 'post' ? 'POST' : 'GET', url: url ?? '/' })).statusCode, route).toBe(200);
    }
  });
});
