import { beforeAll, describe, expect, it } from 'vitest';
import { useTestServer } from '../support/api-server.ts';

describe('REST lists refuse bad query parameters with 400 and the uniform error, never a lookup', () => {
  const { server, api } = useTestServer();
  let orgId: string;
  beforeAll(async () => {
    orgId = await api.registerOrg('bad-params');
    for (let n = 0; n < 3; n += 1) await api.registerSubject(`Listed ${n}`);
  });

  const lists = () => ['/orgs', '/subjects', `/orgs/${orgId}/contracts`, `/orgs/${orgId}/tasks`, `/orgs/${orgId}/associations`];

  it('names the parameter of every malformed value: unknown ones, enums, ids, orders, cursors, repeats', async () => {
    const cases: Array<[string, string]> = [
      ['nosuch=1', 'nosuch'],
      ['status=everything', 'status'],
      ['order=sideways', 'order'],
      ['limit=many', 'limit'],
      ['after=not%20a%20cursor', 'after'],
      [`after=${'a'.repeat(3000)}`, 'after'],
      ['limit=1&limit=2', 'limit'],
    ];
    for (const list of lists()) {
      for (const [query, parameter] of cases) {
        const response = await api.get(`${list}?${query}`);
        expect(response.statusCode, `${list}?${query.slice(0, 40)}`).toBe(400);
        const body = response.json();
        expect(body, `${list}?${query.slice(0, 40)}`).toMatchObject({
          code: 'VALIDATION_FAILED',
          message: expect.any(String),
          details: { issues: expect.any(Array) },
        });
        // A parameter is named by its path, an unknown one (it has no path in the query) by the message.
        const named = body.details.issues.map((issue: { path: string[]; message: string }) => issue.path[0] ?? issue.message);
        expect(named.join(' '), `${list}?${query.slice(0, 40)}`).toContain(parameter);
      }
    }
    for (const [list, query] of [
      ['/orgs', 'parentOrgId=42'],
      ['/subjects', 'kind=robot'],
      [`/orgs/${orgId}/contracts`, 'jobId=not-a-uuid'],
      [`/orgs/${orgId}/tasks`, 'assigneeSubjectId=1%27%20OR%201%3D1'],
      [`/orgs/${orgId}/associations`, 'role=Not%20A%20Role'],
      [`/orgs/${orgId}/associations`, 'active=yes'],
    ] as const) {
      const response = await api.get(`${list}?${query}`);
      expect(response.statusCode, `${list}?${query}`).toBe(400);
      expect(response.json().code).toBe('VALIDATION_FAILED');
    }
    // A malformed org id in the path is refused before any decision or read.
    expect((await api.get('/orgs/not-an-id/contracts')).json()).toMatchObject({
      code: 'VALIDATION_FAILED',
      details: { issues: [expect.objectContaining({ path: ['orgId'] })] },
    });
  });

  it('refuses a cursor of another list, another order or an altered one with INVALID_CURSOR', async () => {
    const subjects = await api.expectStatus(await api.get('/subjects?limit=1'), 200);
    const cursor = String(subjects.pageInfo.endCursor);
    const oldest = await api.expectStatus(await api.get('/subjects?limit=1&order=oldest'), 200);
    const refusals = [
      `/orgs?after=${cursor}`,
      `/orgs/${orgId}/tasks?after=${cursor}`,
      `/subjects?order=oldest&after=${cursor}`,
      `/subjects?after=${String(oldest.pageInfo.endCursor)}`,
      `/subjects?after=${cursor.slice(0, -2)}${cursor.endsWith('AA') ? 'BB' : 'AA'}`,
    ];
    for (const url of refusals) {
      const response = await api.get(url);
      expect(response.statusCode, url).toBe(400);
      expect(response.json(), url).toMatchObject({ code: 'INVALID_CURSOR', message: expect.any(String), details: expect.any(Object) });
    }
    expect((await api.get(`/subjects?after=${cursor}`)).statusCode).toBe(200);
  });

  it('refuses an unauthenticated list with 401 before looking at its parameters', async () => {
    for (const list of lists()) {
      const response = await server.app.inject({ method: 'GET', url: `${list}?limit=1000` });
      expect(response.statusCode, list).toBe(401);
      expect(response.json(), list).toMatchObject({ code: 'UNAUTHENTICATED', message: expect.any(String), details: {} });
    }
  });
});
