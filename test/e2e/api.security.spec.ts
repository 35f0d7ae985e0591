import { beforeAll, describe, expect, it } from 'vitest';
import { useTestServer } from '../support/api-server.ts';
import { orgNotFound } from '../../domain/org/not-found.ts';

describe('security over HTTP', () => {
  const { server, api } = useTestServer();
  let labId: string;
  let otherId: string;
  let member: { id: string; key: string };
  let outsider: { id: string; key: string };
  beforeAll(async () => {
    labId = await api.registerOrg('sec-lab');
    otherId = await api.registerOrg('sec-other');
    member = await api.subjectWithKey('member');
    outsider = await api.subjectWithKey('outsider');
    for (const orgId of [labId, otherId]) {
      await api.defineRole(orgId, { name: 'editor' });
      await api.defineRole(orgId, { name: 'writer' });
    }
    await api.expectStatus(await api.grant(labId, member.id, 'editor'), 201);
  });

  const denied = (response: { statusCode: number; json(): unknown }, action: string) => {
    expect(response.statusCode).toBe(403);
    expect(response.json()).toMatchObject({ code: 'POLICY_DENIED', message: expect.any(String), details: { action, outcome: 'not-permitted' } });
  };
  // A subject that may not see an org is answered exactly as for an org that does not exist.
  const hidden = (response: { statusCode: number; json(): unknown }, orgId: string) => {
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({ code: 'ORG_NOT_FOUND', message: orgNotFound(orgId).message, details: { orgId } });
  };

  it('gives a subject nothing in an org where it holds no role', async () => {
    hidden(await api.post(`/orgs/${otherId}/roles`, { name: 'spy' }, member.key), otherId);
    hidden(await api.grant(otherId, outsider.id, 'writer', member.key), otherId);
    hidden(await api.post(`/orgs/${otherId}/metadata`, { description: 'mine' }, member.key), otherId);
    hidden(await api.post(`/orgs/${otherId}/policies`, { rules: [] }, member.key), otherId);
    // Even in its own org, a plain member may read but not manage under the default policy.
    denied(await api.post(`/orgs/${labId}/roles`, { name: 'spy' }, member.key), 'roster.role.define');
  });

  it('lets no subject grant itself a role', async () => {
    // Under the default policy it is not permitted at all...
    denied(await api.grant(labId, member.id, 'writer', member.key), 'roster.role.grant');
    // ...and where the policy lets editors grant, the roster still refuses a grant to oneself.
    const staffed = await api.registerOrg('sec-staffed');
    await api.defineRole(staffed, { name: 'editor' });
    await api.defineRole(staffed, { name: 'writer' });
    await api.expectStatus(await api.grant(staffed, member.id, 'editor'), 201);
    await api.publishPolicy(staffed, [
      { id: 'editors-grant', effect: 'permit', actions: ['roster.role.grant'], roles: ['editor'], reason: 'editors staff the org' },
    ]);
    const self = await api.grant(staffed, member.id, 'writer', member.key);
    expect(self.statusCode).toBe(403);
    expect(self.json()).toMatchObject({ code: 'SELF_GRANT', details: { subjectId: member.id, role: 'writer' } });
    await api.expectStatus(await api.grant(staffed, outsider.id, 'writer', member.key), 201);
  });

  it("lets a member read its org, and nobody read another org's org, roster, policies, decisions or effective roles", async () => {
    for (const path of ['', '/roster', '/policies', '/decisions', `/subjects/${member.id}/effective-roles`]) {
      expect((await api.get(`/orgs/${labId}${path}`, member.key)).statusCode).toBe(200);
    }
    const action = { '': 'org.read', '/roster': 'roster.read', '/policies': 'policy.read', '/decisions': 'audit.read' } as const;
    for (const path of Object.keys(action)) {
      hidden(await api.get(`/orgs/${otherId}${path}`, member.key), otherId);
      hidden(await api.get(`/orgs/${labId}${path}`, outsider.key), labId);
    }
    const unknownSlug = await api.get('/orgs/by-slug/sec-nobody', member.key);
    const otherSlug = await api.get('/orgs/by-slug/sec-other', member.key);
    expect([otherSlug.statusCode, otherSlug.json()]).toEqual([
      404,
      {
        code: 'ORG_NOT_FOUND',
        message: "no org with the slug 'sec-other' is visible to this API key; check the slug, or use the key of a member of the org",
        details: { slug: 'sec-other' },
      },
    ]);
    expect(unknownSlug.statusCode).toBe(404);
    // Whether an org exists is not revealed to those who may not read it.
    hidden(await api.get('/orgs/00000000-0000-4000-8000-00000000dead', member.key), '00000000-0000-4000-8000-00000000dead');
    // Another subject's record is not readable either.
    denied(await api.get(`/subjects/${outsider.id}`, member.key), 'subject.read');
  });

  it('refuses a suspended subject at authentication, on every route', async () => {
    const suspended = await api.subjectWithKey('to be suspended');
    await api.expectStatus(await api.grant(labId, suspended.id, 'writer'), 201);
    expect((await api.get(`/orgs/${labId}`, suspended.key)).statusCode).toBe(200);
    await api.expectStatus(await api.post(`/subjects/${suspended.id}/suspend`, { reason: 'compromised' }), 200);
    const head = await server.platform.store.headPosition();
    for (const response of [
      await api.get(`/orgs/${labId}`, suspended.key),
      await api.get(`/subjects/${suspended.id}`, suspended.key),
      await api.post(`/subjects/${suspended.id}/profile`, { description: 'still here' }, suspended.key),
      await api.post('/orgs', { name: 'Escape', slug: 'escape' }, suspended.key),
    ]) {
      expect(response.statusCode).toBe(403);
      expect(response.json()).toEqual({ code: 'SUBJECT_SUSPENDED', message: expect.any(String), details: { subjectId: suspended.id } });
    }
    expect(await server.platform.store.headPosition()).toBe(head);
    // A suspended subject cannot be granted roles either.
    const grant = await api.grant(labId, suspended.id, 'editor');
    expect(grant.statusCode).toBe(409);
    expect(grant.json().code).toBe('SUBJECT_SUSPENDED');
  });

  it('keeps subjects away from platform administration', async () => {
    denied(await api.post('/admin/api-keys', {}, member.key), 'platform.apikey.issue');
    denied(await api.post('/subjects', { kind: 'agent', displayName: 'Sock puppet' }, member.key), 'subject.register');
    denied(await api.post(`/subjects/${outsider.id}/suspend`, { reason: 'rival' }, member.key), 'subject.suspend');
    denied(await api.post(`/subjects/${outsider.id}/profile`, { displayName: 'Hacked' }, member.key), 'subject.update');
  });

  it('lets a platform admin read everything', async () => {
    for (const orgId of [labId, otherId]) {
      for (const path of ['', '/roster', '/policies', '/decisions', `/subjects/${member.id}/effective-roles`]) {
        expect((await api.get(`/orgs/${orgId}${path}`)).statusCode).toBe(200);
      }
    }
    expect((await api.get('/orgs/by-slug/sec-other')).json()).toMatchObject({ orgId: otherId, slug: 'sec-other' });
    expect((await api.get(`/subjects/${member.id}`)).statusCode).toBe(200);
    expect((await api.get('/orgs/00000000-0000-4000-8000-00000000dead')).statusCode).toBe(404);
    expect((await api.get('/orgs/by-slug/no-such-org')).statusCode).toBe(404);
  });
});
