import { describe, expect, it } from 'vitest';
import { useTestServer } from '../support/api-server.ts';
import { useWorkReadsFlow } from '../support/work-reads-flow.ts';

type Item = Record<string, unknown>;

describe('REST lists: typed filters, AND-ed', () => {
  const { server, api } = useTestServer();
  const flow = useWorkReadsFlow(server);

  const list = async (url: string, key = api.adminKey): Promise<Item[]> => {
    const body = await api.expectStatus(await api.get(url, key), 200);
    const [items] = Object.values(body).filter(Array.isArray) as Item[][];
    return items ?? [];
  };

  it('filters orgs by status and by parent', async () => {
    const parent = await api.registerOrg('filter-parent');
    const child = (await api.expectStatus(await api.post('/orgs', { name: 'Child', slug: 'filter-child', parentOrgId: parent }), 201)).orgId as string;
    await api.expectStatus(await api.post(`/orgs/${child}/suspend`, { reason: 'filter test' }), 200);
    expect((await list(`/orgs?parentOrgId=${parent}`)).map((org) => org.orgId)).toEqual([child]);
    const suspended = await list('/orgs?status=suspended&limit=100');
    expect(suspended.map((org) => org.orgId)).toEqual([child]);
    expect((await list('/orgs?status=active&limit=100')).map((org) => org.orgId)).not.toContain(child);
    expect(await list(`/orgs?parentOrgId=${parent}&status=active`)).toEqual([]);
    expect(suspended[0]).toMatchObject({
      slug: 'filter-child',
      parentOrgId: parent,
      status: 'suspended',
      statusReason: 'filter test',
      registeredAt: expect.any(String),
    });
  });

  it('filters subjects by kind and status', async () => {
    const human = await api.registerSubject('A human', { kind: 'human' });
    const humans = await list('/subjects?kind=human&limit=100');
    expect(humans.map((subject) => subject.subjectId)).toEqual([human]);
    await api.expectStatus(await api.post(`/subjects/${human}/suspend`, { reason: 'filter test' }), 200);
    expect((await list('/subjects?status=suspended')).map((subject) => subject.subjectId)).toEqual([human]);
    expect(await list('/subjects?kind=agent&status=suspended')).toEqual([]);
    expect((await list('/subjects?kind=agent&limit=100')).every((subject) => subject.kind === 'agent')).toBe(true);
  });

  it("filters an org's associations by subject, role, status and whether they are in force now", async () => {
    const orgId = await api.registerOrg('filter-roster');
    await api.defineRole(orgId, { name: 'writer' });
    await api.defineRole(orgId, { name: 'editor' });
    const writer = await api.registerSubject('Writer');
    const editor = await api.registerSubject('Editor');
    const grant = async (subjectId: string, role: string, extra: Record<string, unknown> = {}) =>
      String((await api.expectStatus(await api.grant(orgId, subjectId, role, api.adminKey, extra), 201)).associationId);
    const writes = await grant(writer, 'writer');
    const edits = await grant(editor, 'editor');
    const expiresAt = Date.now() + 5000;
    const expiring = await grant(writer, 'editor', { expiresAt: new Date(expiresAt).toISOString() });
    const revoked = await grant(editor, 'writer');
    await api.expectStatus(await api.post(`/orgs/${orgId}/associations/${revoked}/revoke`, { reason: 'moved' }), 200);
    const ids = async (query: string) => (await list(`/orgs/${orgId}/associations${query}`)).map((association) => association.associationId);

    expect(await ids('')).toEqual([revoked, expiring, edits, writes]);
    expect(await ids('?order=oldest')).toEqual([writes, edits, expiring, revoked]);
    expect(await ids(`?subjectId=${writer}`)).toEqual([expiring, writes]);
    expect(await ids('?role=editor&order=oldest')).toEqual([edits, expiring]);
    expect(await ids('?status=revoked')).toEqual([revoked]);
    expect(await ids(`?subjectId=${editor}&status=active`)).toEqual([edits]);
    const inForce = await ids('?active=true');
    // (Only while the expiry has not passed: a slow machine may already be past it.)
    if (Date.now() < expiresAt) expect(inForce).toEqual([expiring, edits, writes]);
    const [first] = await list(`/orgs/${orgId}/associations?status=revoked`);
    expect(first).toMatchObject({ orgId, subjectId: editor, role: 'writer', status: 'revoked', endReason: 'moved', active: false });
    // Past its expiry (and before the expiry process records it), an association is no longer in force.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, expiresAt - Date.now() + 100)));
    expect(await ids('?active=true')).toEqual([edits, writes]);
    expect(await ids('?active=false&order=oldest')).toEqual([expiring, revoked]);
  });

  it("filters an org's contracts and tasks by status, job and assignee, for its members", async () => {
    const { orgId, jobId, contractId, taskId, cheap, dear } = flow;
    const contracts = await list(`/orgs/${orgId}/contracts`, cheap.key);
    expect(contracts.map((contract) => contract.contractId)).toContain(contractId);
    const ours = contracts.find((contract) => contract.contractId === contractId);
    expect(ours).toMatchObject({ orgId, jobId, assigneeSubjectId: cheap.id, status: 'fulfilled' });
    expect((await list(`/orgs/${orgId}/contracts?jobId=${jobId}`, cheap.key)).map((contract) => contract.contractId)).toEqual([contractId]);
    expect((await list(`/orgs/${orgId}/contracts?assigneeSubjectId=${cheap.id}&status=fulfilled`)).map((contract) => contract.contractId)).toEqual([
      contractId,
    ]);
    expect(await list(`/orgs/${orgId}/contracts?assigneeSubjectId=${dear.id}`)).toEqual([]);
    expect(await list(`/orgs/${orgId}/contracts?jobId=${jobId}&status=active`)).toEqual([]);

    const tasks = await list(`/orgs/${orgId}/tasks?jobId=${jobId}`, cheap.key);
    expect(tasks.map((task) => task.taskId)).toEqual([taskId]);
    expect(tasks[0]).toMatchObject({ orgId, jobId, contractId, assigneeSubjectId: cheap.id, outputs: flow.outputs });
    const status = String(tasks[0]?.status);
    expect((await list(`/orgs/${orgId}/tasks?status=${status}&assigneeSubjectId=${cheap.id}`)).map((task) => task.taskId)).toEqual([taskId]);
    expect(await list(`/orgs/${orgId}/tasks?status=${status === 'failed' ? 'cancelled' : 'failed'}&jobId=${jobId}`)).toEqual([]);
    expect(await list(`/orgs/${orgId}/tasks?assigneeSubjectId=${dear.id}`)).toEqual([]);
  });
});
