import { beforeAll, describe, expect, it } from 'vitest';
import { useTestServer } from '../support/api-server.ts';

/**
 * A path that is no route (`/helth`) is 404 ROUTE_NOT_FOUND for everyone, before any credential is looked at (a 401
 * would send the caller checking a key that is fine), with the route it was probably meant to be and where every
 * route is listed.
 */
describe('a request to a route that does not exist', () => {
  const { server, api } = useTestServer();
  let orgId: string;
  let member: { id: string; key: string };
  beforeAll(async () => {
    orgId = await api.registerOrg('routes');
    member = await api.subjectWithKey('Member');
  });

  const callers: Array<[string, () => Record<string, string>]> = [
    ['no key', () => ({})],
    ['an unknown key', () => ({ authorization: 'Bearer agk_wrong.key' })],
    ['a malformed Authorization header', () => ({ authorization: 'Basic dXNlcjpwYXNz' })],
    ["a subject's key", () => ({ authorization: `Bearer ${member.key}` })],
    ["a platform admin's key", () => ({ ...server.auth })],
  ];

  it.each(callers)('answers GET /helth with 404 ROUTE_NOT_FOUND and the hint GET /health, to %s', async (_name, headers) => {
    const response = await server.app.inject({ method: 'GET', url: '/helth', headers: headers() });
    expect(response.statusCode).toBe(404);
    expect(response.headers['www-authenticate']).toBeUndefined();
    expect(response.json()).toEqual({
      code: 'ROUTE_NOT_FOUND',
      message: 'no route GET /helth; did you mean GET /health? every route is listed at /docs',
      details: { method: 'GET', path: '/helth', suggestion: { method: 'GET', url: '/health' }, docs: '/docs' },
    });
  });

  it.each([
    ['a typo in a segment after an id', () => `/orgs/${orgId}/rooster`, 'GET', { method: 'GET', url: '/orgs/:orgId/roster' }],
    ['an API prefix the server does not have', () => '/api/health', 'GET', { method: 'GET', url: '/health' }],
    ['a trailing slash', () => `/orgs/${orgId}/roster/`, 'GET', { method: 'GET', url: '/orgs/:orgId/roster' }],
    ['a command that does not exist', () => `/orgs/${orgId}/suspnd`, 'POST', { method: 'POST', url: '/orgs/:orgId/suspend' }],
    ['nothing like any route', () => '/wp-admin/setup-config.php', 'GET', null],
  ])('suggests the closest route for %s, or only /docs when none is close', async (_name, url, method, suggestion) => {
    const response = await server.app.inject({
      method: method as 'GET' | 'POST',
      url: url(),
      headers: server.auth,
      ...(method === 'POST' ? { payload: {} } : {}),
    });
    expect(response.statusCode).toBe(404);
    const body = response.json();
    expect(body).toMatchObject({ code: 'ROUTE_NOT_FOUND', details: { suggestion, docs: '/docs' } });
    expect(body.message).toContain('every route is listed at /docs');
    if (suggestion) expect(body.message).toContain(`did you mean ${suggestion.method} ${suggestion.url}?`);
  });

  it('leaves the query string out of the path it names', async () => {
    const response = await server.app.inject({ method: 'GET', url: '/helth?verbose=1', headers: server.auth });
    expect(response.json().details.path).toBe('/helth');
  });

  it('still authenticates every route that exists', async () => {
    const response = await server.app.inject({ method: 'GET', url: `/orgs/${orgId}` });
    expect(response.statusCode).toBe(401);
    expect(response.json().code).toBe('UNAUTHENTICATED');
  });
});
