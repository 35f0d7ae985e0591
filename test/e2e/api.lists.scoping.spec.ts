import { orgNotFound } from '../../domain/org/not-found.ts';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestServer } from '../support/api-server.ts';

const ids = (items: Array<Record<string, unknown>>, field: string) => items.map((item) => String(item[field])).sort();

describe('REST lists are scoped to what the caller may read, as GraphQL scopes them', () => {
  const { api } = useTestServer();
  let alice: { id: string; key: string };
  let bob: { id: string; key: string };
  let orgA: string;
  let orgB: string;
  let shared: string;
  let associationId: string;
  beforeAll(async () => {
    alice = await api.subjectWithKey('Alice');
    bob = await api.subjectWithKey('Bob');
    // Each founds an org with its own key (and owns it); an admin's org lets Alice in through a role.
    orgA = await api.registerOrg('alice-lab', alice.key);
    orgB = await api.registerOrg('bob-lab', bob.key);
    shared = await api.registerOrg('admin-lab');
    await api.defineRole(shared, { name: 'member' });
    associationId = (await api.expectStatus(await api.grant(shared, alice.id, 'member'), 201)).associationId;
  });

  it('lists to each key only the orgs it owns or holds a role in; an admin every org', async () => {
    const asAlice = await api.expectStatus(await api.get('/orgs', alice.key), 200);
    expect(ids(asAlice.orgs, 'orgId')).toEqual([orgA, shared].sort());
    const asBob = await api.expectStatus(await api.get('/orgs', bob.key), 200);
    expect(ids(asBob.orgs, 'orgId')).toEqual([orgB]);
    const asAdmin = await api.expectStatus(await api.get('/orgs'), 200);
    expect(ids(asAdmin.orgs, 'orgId')).toEqual([orgA, orgB, shared].sort());
    // A filter naming another org's children finds nothing: no sign the org is there.
    const children = await api.expectStatus(await api.get(`/orgs?parentOrgId=${orgB}`, alice.key), 200);
    expect(children.orgs).toEqual([]);
  });

  it('stops listing an org once the role that let the caller in is revoked', async () => {
    await api.expectStatus(await api.post(`/orgs/${shared}/associations/${associationId}/revoke`, { reason: 'left' }), 200);
    const asAlice = await api.expectStatus(await api.get('/orgs', alice.key), 200);
    expect(ids(asAlice.orgs, 'orgId')).toEqual([orgA]);
  });

  it('lists a subject itself only; an admin every subject', async () => {
    const asAlice = await api.expectStatus(await api.get('/subjects', alice.key), 200);
    expect(ids(asAlice.subjects, 'subjectId')).toEqual([alice.id]);
    const filtered = await api.expectStatus(await api.get('/subjects?kind=agent&status=active', bob.key), 200);
    expect(ids(filtered.subjects, 'subjectId')).toEqual([bob.id]);
    const asAdmin = await api.expectStatus(await api.get('/subjects'), 200);
    expect(ids(asAdmin.subjects, 'subjectId')).toEqual([alice.id, bob.id].sort());
  });

  it("answers another org's contracts, tasks and associations exactly as for an org that does not exist", async () => {
    const missing = '00000000-0000-4000-8000-00000000beef';
    const statusOf: Record<string, string> = { contracts: 'active', tasks: 'in_progress', associations: 'active' };
    for (const list of ['contracts', 'tasks', 'associations']) {
      const own = await api.expectStatus(await api.get(`/orgs/${orgA}/${list}`, alice.key), 200);
      expect(own).toEqual({ orgId: orgA, [list]: [], pageInfo: { hasNextPage: false, endCursor: null } });
      for (const query of ['', `?status=${statusOf[list]}&limit=5`]) {
        const other = await api.get(`/orgs/${orgB}/${list}${query}`, alice.key);
        const none = await api.get(`/orgs/${missing}/${list}${query}`, alice.key);
        expect(other.statusCode, list).toBe(404);
        expect(none.statusCode, list).toBe(404);
        expect(other.json()).toEqual({ code: 'ORG_NOT_FOUND', message: orgNotFound(orgB).message, details: { orgId: orgB } });
        expect(other.body.replaceAll(orgB, missing)).toBe(none.body);
      }
      // The org's owner and an admin read it.
      expect((await api.get(`/orgs/${orgB}/${list}`, bob.key)).statusCode).toBe(200);
      expect((await api.get(`/orgs/${orgB}/${list}`)).statusCode).toBe(200);
    }
  });
});
