import { describe, expect, it } from 'vitest';
import { useTestServer } from '../support/api-server.ts';

describe('org registry over HTTP', () => {
  const { server } = useTestServer();

  const post = (url: string, payload: unknown, headers: Record<string, string> = {}) =>
    server.app.inject({ method: 'POST', url, headers: { ...server.auth, ...headers }, payload: payload as object });
  const get = (url: string) => server.app.inject({ method: 'GET', url, headers: server.auth });

  it('registers, reads, updates, suspends, reactivates and archives an org', async () => {
    const registered = await post('/orgs', { name: 'Research Lab', slug: 'research-lab', tags: ['ml'], metadata: { region: 'eu' } });
    expect(registered.statusCode).toBe(201);
    const { orgId, streamRevision, position } = registered.json();
    // The decision that permitted it comes first in the same append: DecisionRecorded at 0, OrgRegistered at 1.
    expect(streamRevision).toBe(1);
    expect(position).toMatch(/^\d+$/);
    expect(registered.headers.etag).toBe('"1"');
    expect(registered.json().events.map((event: { type: string }) => event.type)).toEqual(['DecisionRecorded', 'OrgRegistered']);

    const read = await get(`/orgs/${orgId}`);
    expect(read.statusCode).toBe(200);
    expect(read.headers.etag).toBe('"1"');
    expect(read.json()).toMatchObject({
      orgId,
      name: 'Research Lab',
      slug: 'research-lab',
      status: 'active',
      tags: ['ml'],
      metadata: { region: 'eu' },
      revision: 1,
    });

    expect((await post(`/orgs/${orgId}/metadata`, { description: 'Papers' }, { 'if-match': '"1"' })).statusCode).toBe(200);
    expect((await post(`/orgs/${orgId}/suspend`, { reason: 'audit' })).statusCode).toBe(200);
    expect((await get(`/orgs/${orgId}`)).json()).toMatchObject({ status: 'suspended', statusReason: 'audit', description: 'Papers' });
    expect((await post(`/orgs/${orgId}/reactivate`, { reason: 'cleared' })).statusCode).toBe(200);
    expect((await post(`/orgs/${orgId}/archive`, { reason: 'wound down' })).statusCode).toBe(200);
    expect((await get(`/orgs/${orgId}`)).json()).toMatchObject({ status: 'archived', revision: 9 });
  });

  it('answers 409 to an illegal transition and to a taken slug', async () => {
    const { orgId } = (await post('/orgs', { name: 'A', slug: 'org-a' })).json();
    const illegal = await post(`/orgs/${orgId}/reactivate`, { reason: 'not suspended' });
    expect(illegal.statusCode).toBe(409);
    expect(illegal.json()).toEqual({
      code: 'ILLEGAL_TRANSITION',
      message: expect.any(String),
      details: { orgId, status: 'active', command: 'ReactivateOrg' },
    });
    const taken = await post('/orgs', { name: 'B', slug: 'org-a' });
    expect(taken.statusCode).toBe(409);
    expect(taken.json().code).toBe('SLUG_TAKEN');
  });

  it('answers 412 to a stale If-Match', async () => {
    const { orgId } = (await post('/orgs', { name: 'C', slug: 'org-c' })).json();
    await post(`/orgs/${orgId}/metadata`, { description: 'one' });
    const stale = await post(`/orgs/${orgId}/metadata`, { description: 'two' }, { 'if-match': '"0"' });
    expect(stale.statusCode).toBe(412);
    expect(stale.json()).toMatchObject({ code: 'REVISION_MISMATCH', details: { actualRevision: '3' } });
  });

  it('answers a retried request (same Idempotency-Key) with the same result, once', async () => {
    const headers = { 'idempotency-key': 'register-org-d-0001' };
    const first = await post('/orgs', { name: 'D', slug: 'org-d' }, headers);
    const again = await post('/orgs', { name: 'D', slug: 'org-d' }, headers);
    expect(first.statusCode).toBe(201);
    expect(again.statusCode).toBe(201);
    expect(again.json()).toEqual({ ...first.json(), replayed: true });
    const changed = await post('/orgs', { name: 'D2', slug: 'org-d' }, headers);
    expect(changed.statusCode).toBe(422);
    expect(changed.json().code).toBe('IDEMPOTENCY_KEY_REUSED');
  });

  it('registers a child org under an existing parent and refuses a missing one', async () => {
    const { orgId: parentOrgId } = (await post('/orgs', { name: 'Parent', slug: 'parent' })).json();
    const child = await post('/orgs?explain=full', { name: 'Child', slug: 'child', parentOrgId });
    expect(child.statusCode).toBe(201);
    expect(child.json().events.find((event: { type: string }) => event.type === 'OrgRegistered').data.parentOrgId).toBe(parentOrgId);
    const orphan = await post('/orgs', { name: 'Orphan', slug: 'orphan', parentOrgId: '00000000-0000-4000-8000-000000000000' });
    expect(orphan.statusCode).toBe(422);
    expect(orphan.json().code).toBe('PARENT_ORG_NOT_FOUND');
  });

  it('treats an org id in upper case as the same org', async () => {
    const orgId = 'ABCDEF01-2345-4678-89AB-CDEF01234567';
    expect((await post('/orgs', { orgId, name: 'Upper', slug: 'upper' })).json().orgId).toBe(orgId.toLowerCase());
    expect((await get(`/orgs/${orgId}`)).json()).toMatchObject({ orgId: orgId.toLowerCase() });
    expect((await post('/orgs', { orgId: orgId.toLowerCase(), name: 'Again', slug: 'again' })).json().code).toBe('ORG_ALREADY_EXISTS');
  });

  it('answers 404 for an org that does not exist', async () => {
    const missing = await get('/orgs/00000000-0000-4000-8000-000000000001');
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ code: 'ORG_NOT_FOUND' });
  });
});
