import { describe, expect, it } from 'vitest';
import { RouteTable } from '../../api/routing/route-table.ts';
import { unroutedRequest } from '../../api/routing/unrouted.ts';

function table(): RouteTable {
  const routes = new RouteTable();
  routes.add(['GET', 'HEAD'], '/health');
  routes.add(['GET', 'HEAD'], '/ready');
  routes.add(['POST'], '/orgs');
  routes.add(['GET', 'HEAD'], '/orgs/:orgId');
  routes.add(['GET', 'HEAD'], '/orgs/by-slug/:slug');
  routes.add(['POST'], '/orgs/:orgId/suspend');
  routes.add(['POST'], '/orgs/:orgId/reactivate');
  routes.add(['GET', 'HEAD'], '/orgs/:orgId/roster');
  routes.add(['POST'], '/orgs/:orgId/jobs');
  routes.add(['GET', 'HEAD'], '/orgs/:orgId/jobs');
  routes.add(['GET', 'HEAD'], '/docs/static/*');
  return routes;
}

describe('the route table', () => {
  it.each([
    ['/health', ['GET', 'HEAD']],
    ['/orgs', ['POST']],
    ['/orgs/o-1', ['GET', 'HEAD']],
    ['/orgs/o-1/jobs', ['GET', 'HEAD', 'POST']],
    ['/orgs/by-slug/acme', ['GET', 'HEAD']],
    ['/docs/static/index.css', ['GET', 'HEAD']],
    ['/orgs/o-1/nothing', []],
    ['/orgs//suspend', []],
    ['/health/', []],
  ])('knows the methods of %s', (path, methods) => {
    expect(table().methodsAt(path)).toEqual(methods);
  });

  it.each([
    ['a one-letter typo', 'GET', '/helth', { method: 'GET', url: '/health' }],
    ['a typo after an id', 'GET', '/orgs/o-1/rooster', { method: 'GET', url: '/orgs/:orgId/roster' }],
    ['a typo in a command', 'POST', '/orgs/o-1/suspnd', { method: 'POST', url: '/orgs/:orgId/suspend' }],
    ['a trailing slash', 'GET', '/health/', { method: 'GET', url: '/health' }],
    ['a prefix the server does not have', 'GET', '/api/v1', null],
    ['an extra leading segment', 'POST', '/api/orgs', { method: 'POST', url: '/orgs' }],
    ['a method the closest route does not take', 'GET', '/org', { method: 'POST', url: '/orgs' }],
    ['a path nothing like any route', 'GET', '/wp-login.php', null],
    ['a word too far from every route', 'POST', '/orgs/o-1/delete', null],
  ])('suggests the closest route for %s', (_name, method, path, suggestion) => {
    expect(table().closest(method, path)).toEqual(suggestion);
  });

  it('prefers, between routes as close, the one that takes the method', () => {
    expect(table().closest('POST', '/orgs/o-1/jobz')).toEqual({ method: 'POST', url: '/orgs/:orgId/jobs' });
    expect(table().closest('GET', '/orgs/o-1/jobz')).toEqual({ method: 'GET', url: '/orgs/:orgId/jobs' });
  });

  it('does not measure paths longer than any route could be', () => {
    expect(table().closest('GET', `/helth${'/x'.repeat(200)}`)).toBeNull();
  });
});

describe('a request that matches no route', () => {
  it('is 405 with Allow when the path takes other methods, and 204 with Allow for OPTIONS', () => {
    expect(unroutedRequest(table(), 'DELETE', '/orgs/o-1?x=1')).toMatchObject({
      kind: 'method_not_allowed',
      code: 'METHOD_NOT_ALLOWED',
      details: { allow: ['GET', 'HEAD', 'OPTIONS'], path: '/orgs/o-1' },
    });
    expect(unroutedRequest(table(), 'OPTIONS', '/orgs/o-1/jobs')).toEqual({ allow: ['GET', 'HEAD', 'POST', 'OPTIONS'] });
  });

  it('is 404 ROUTE_NOT_FOUND otherwise, naming the path without its query string', () => {
    expect(unroutedRequest(table(), 'GET', '/helth?x=1')).toEqual({
      kind: 'not_found',
      code: 'ROUTE_NOT_FOUND',
      message: 'no route GET /helth; did you mean GET /health? every route is listed at /docs',
      details: { method: 'GET', path: '/helth', suggestion: { method: 'GET', url: '/health' }, docs: '/docs' },
    });
  });
});
