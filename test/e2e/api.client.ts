import { expect } from 'vitest';
import type { TestServer } from '../support/server.ts';

type Headers = Record<string, string>;

/** Talks to the in-process server in the API's own words; every helper asserts the status it expects. */
export function apiClient(server: TestServer) {
  const bearer = (key: string): Headers => ({ authorization: `Bearer ${key}` });
  const adminKey = server.auth.authorization.slice('Bearer '.length);

  const post = (url: string, payload: unknown = {}, key = adminKey, headers: Headers = {}) =>
    server.app.inject({ method: 'POST', url, headers: { ...bearer(key), ...headers }, payload: payload as object });
  const get = (url: string, key = adminKey) => server.app.inject({ method: 'GET', url, headers: bearer(key) });

  async function expectStatus(response: Awaited<ReturnType<typeof post>>, status: number) {
    if (response.statusCode !== status) throw new Error(`expected ${status}, got ${response.statusCode}: ${response.body}`);
    return response.json();
  }

  return {
    adminKey,
    post,
    get,
    expectStatus,
    async registerSubject(displayName: string, extra: Record<string, unknown> = {}): Promise<string> {
      const body = await expectStatus(await post('/subjects', { kind: 'agent', displayName, ...extra }), 201);
      expect(body.subjectId).toMatch(/^[0-9a-f-]{36}$/);
      return body.subjectId as string;
    },
    async issueKey(subjectId: string): Promise<string> {
      const body = await expectStatus(await post(`/subjects/${subjectId}/api-keys`, { label: 'test' }), 201);
      return body.key as string;
    },
    /** A registered subject with a key of its own. */
    async subjectWithKey(displayName: string, extra: Record<string, unknown> = {}): Promise<{ id: string; key: string }> {
      const id = await this.registerSubject(displayName, extra);
      return { id, key: await this.issueKey(id) };
    },
    async registerOrg(slug: string, key = adminKey): Promise<string> {
      const body = await expectStatus(await post('/orgs', { name: slug, slug }, key), 201);
      return body.orgId as string;
    },
    async defineRole(orgId: string, role: Record<string, unknown>, key = adminKey) {
      return expectStatus(await post(`/orgs/${orgId}/roles`, role, key), 200);
    },
    grant: (orgId: string, subjectId: string, role: string, key = adminKey, extra: Record<string, unknown> = {}) =>
      post(`/orgs/${orgId}/associations`, { subjectId, role, ...extra }, key),
    async publishPolicy(orgId: string, rules: unknown[], key = adminKey): Promise<number> {
      const drafted = await expectStatus(await post(`/orgs/${orgId}/policies`, { rules }, key), 201);
      await expectStatus(await post(`/orgs/${orgId}/policies/${drafted.version}/publish`, {}, key), 200);
      return drafted.version as number;
    },
  };
}
