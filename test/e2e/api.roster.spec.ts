import { beforeAll, describe, expect, it } from 'vitest';
import { useTestServer } from '../support/api-server.ts';
import { orgNotFound } from '../../domain/org/not-found.ts';

describe('roster over HTTP', () => {
  const { api } = useTestServer();
  let orgId: string;
  beforeAll(async () => {
    orgId = await api.registerOrg('research-lab');
  });

  it('defines roles, groups, job spaces and a role conflict, declaratively', async () => {
    await api.defineRole(orgId, { name: 'writer', description: 'Writes drafts', permissions: ['roster.read'] });
    await api.defineRole(orgId, { name: 'editor', inherits: ['writer'], maxHolders: 2 });
    await api.defineRole(orgId, { name: 'reviewer', maxHolders: 1 });
    await api.defineRole(orgId, { name: 'contributor', assignmentType: 'dynamic_multi_subject' });
    // Sending the same definition again changes nothing.
    expect((await api.post(`/orgs/${orgId}/roles`, { name: 'reviewer', maxHolders: 1 })).json()).toMatchObject({ events: [], position: null });

    expect((await api.post(`/orgs/${orgId}/groups`, { name: 'staff', roles: ['writer'] })).statusCode).toBe(200);
    expect((await api.post(`/orgs/${orgId}/groups`, { name: 'editorial', parent: 'staff', roles: ['editor'] })).statusCode).toBe(200);
    expect((await api.post(`/orgs/${orgId}/job-spaces`, { name: 'paper-42', description: 'The big paper' })).statusCode).toBe(200);
    const conflict = await api.post(`/orgs/${orgId}/role-conflicts`, { roles: ['writer', 'reviewer'], reason: 'nobody reviews their own writing' });
    expect(conflict.statusCode).toBe(200);
    expect(conflict.json().events.map((event: { type: string }) => event.type)).toEqual(['DecisionRecorded', 'RoleConflictDeclared']);

    const missing = await api.post(`/orgs/${orgId}/groups`, { name: 'ghosts', roles: ['ghost'] });
    expect(missing.statusCode).toBe(422);
    expect(missing.json()).toMatchObject({ code: 'ROLE_NOT_FOUND', details: { missing: ['ghost'] } });

    // Removal: a scratch job space and group come and go.
    expect((await api.post(`/orgs/${orgId}/job-spaces`, { name: 'scratch' })).statusCode).toBe(200);
    expect((await api.post(`/orgs/${orgId}/job-spaces/scratch/remove`, {})).statusCode).toBe(200);
    expect((await api.post(`/orgs/${orgId}/groups`, { name: 'temp' })).statusCode).toBe(200);
    expect((await api.post(`/orgs/${orgId}/groups/temp/remove`, {})).statusCode).toBe(200);
    await api.defineRole(orgId, { name: 'intern' });
    expect((await api.post(`/orgs/${orgId}/roles/intern/remove`, {})).statusCode).toBe(200);
    expect((await api.post(`/orgs/${orgId}/roles/intern/remove`, {})).json().code).toBe('ROLE_NOT_FOUND');

    const roster = (await api.get(`/orgs/${orgId}/roster`)).json();
    expect(roster.roles.map((role: { name: string }) => role.name)).toEqual(['writer', 'editor', 'reviewer', 'contributor']);
    expect(roster.roles[1]).toMatchObject({ name: 'editor', inherits: ['writer'], maxHolders: 2, minHolders: 0, assignmentType: 'fixed' });
    expect(roster.groups.map((group: { name: string }) => group.name)).toEqual(['staff', 'editorial']);
    expect(roster.jobSpaces).toEqual([{ name: 'paper-42', description: 'The big paper' }]);
    expect(roster.conflicts).toEqual([{ roles: ['writer', 'reviewer'], reason: 'nobody reviews their own writing' }]);
  });

  it('grants roles, idempotently, and enforces cardinality and separation of duties with 409s', async () => {
    const [alice, bob, carol] = [await api.registerSubject('alice'), await api.registerSubject('bob'), await api.registerSubject('carol')];
    const headers = { 'idempotency-key': 'grant-alice-editor-1' };
    const granted = await api.post(`/orgs/${orgId}/associations`, { subjectId: alice, role: 'editor' }, api.adminKey, headers);
    expect(granted.statusCode).toBe(201);
    const { associationId } = granted.json();
    const retried = await api.post(`/orgs/${orgId}/associations`, { subjectId: alice, role: 'editor' }, api.adminKey, headers);
    expect(retried.json()).toMatchObject({ associationId, replayed: true });

    await api.expectStatus(await api.grant(orgId, bob, 'editor'), 201);
    const full = await api.grant(orgId, carol, 'editor');
    expect(full.statusCode).toBe(409);
    expect(full.json()).toEqual({ code: 'ROLE_MAX_HOLDERS', message: expect.any(String), details: { role: 'editor', maxHolders: 2, holders: 2 } });

    const duplicate = await api.grant(orgId, alice, 'editor');
    expect(duplicate.statusCode).toBe(409);
    expect(duplicate.json().code).toBe('ASSOCIATION_EXISTS');

    // Alice is an editor, so a writer by inheritance: reviewing conflicts with writing.
    const conflicting = await api.grant(orgId, alice, 'reviewer');
    expect(conflicting.statusCode).toBe(409);
    expect(conflicting.json()).toMatchObject({ code: 'ROLE_CONFLICT', details: { role: 'reviewer', conflictsWith: 'writer' } });

    await api.expectStatus(await api.grant(orgId, carol, 'reviewer'), 201);
    const secondReviewer = await api.grant(orgId, await api.registerSubject('frank'), 'reviewer');
    expect(secondReviewer.statusCode).toBe(409);
    expect(secondReviewer.json()).toMatchObject({ code: 'ROLE_MAX_HOLDERS', details: { role: 'reviewer', maxHolders: 1, holders: 1 } });

    const unknownSubject = await api.grant(orgId, '00000000-0000-4000-8000-00000000beef', 'writer');
    expect(unknownSubject.statusCode).toBe(422);
    expect(unknownSubject.json().code).toBe('SUBJECT_NOT_FOUND');
  });

  it('runs the applications flow: a subject applies for itself with its own key, an admin approves', async () => {
    const applicant = await api.subjectWithKey('applicant');
    const other = await api.registerSubject('someone else');

    // The applicant is not a member: every refusal tells it what an unknown org would, so it cannot enumerate
    // the org's roles (a fixed role and one that does not exist answer alike) nor learn about its policy.
    const notFound = { code: 'ORG_NOT_FOUND', message: orgNotFound(orgId).message, details: { orgId } };
    const forOther = await api.post(`/orgs/${orgId}/applications`, { subjectId: other, role: 'contributor' }, applicant.key);
    expect([forOther.statusCode, forOther.json()]).toEqual([404, notFound]);
    const fixedRole = await api.post(`/orgs/${orgId}/applications`, { subjectId: applicant.id, role: 'writer' }, applicant.key);
    expect([fixedRole.statusCode, fixedRole.json()]).toEqual([404, notFound]);
    const noRole = await api.post(`/orgs/${orgId}/applications`, { subjectId: applicant.id, role: 'no-such-role' }, applicant.key);
    expect([noRole.statusCode, noRole.json()]).toEqual([404, notFound]);
    // An admin (who sees the org) is told why.
    expect((await api.post(`/orgs/${orgId}/applications`, { subjectId: other, role: 'writer' })).json().code).toBe('ROLE_NOT_OPEN');

    const applied = await api.post(
      `/orgs/${orgId}/applications?explain=full`,
      { subjectId: applicant.id, role: 'contributor', motivation: 'I write a lot' },
      applicant.key,
    );
    expect(applied.statusCode).toBe(201);
    const { applicationId } = applied.json();
    // Its receipt of the decision: which decision, the outcome and the rule that let it apply; nothing of the org.
    expect(applied.json().events[0].data).toEqual({
      decisionId: expect.any(String),
      orgId,
      action: 'roster.application.submit',
      outcome: 'permitted',
      determiningRuleIds: ['default:subjects-apply-for-roles'],
    });

    // The applicant cannot approve itself: it holds no role the policy lets approve (and, an outsider, hears 404).
    expect((await api.post(`/orgs/${orgId}/applications/${applicationId}/approve`, {}, applicant.key)).statusCode).toBe(404);

    const approved = await api.post(`/orgs/${orgId}/applications/${applicationId}/approve`, {});
    expect(approved.statusCode).toBe(200);
    const { associationId } = approved.json();
    expect(approved.json().events.map((event: { type: string }) => event.type)).toEqual(['DecisionRecorded', 'RoleApplicationApproved', 'RoleGranted']);
    expect((await api.post(`/orgs/${orgId}/applications/${applicationId}/approve`, {})).json().code).toBe('APPLICATION_DECIDED');

    const second = await api.post(`/orgs/${orgId}/applications`, { subjectId: other, role: 'contributor' });
    expect((await api.post(`/orgs/${orgId}/applications/${second.json().applicationId}/reject`, { reason: 'not now' })).statusCode).toBe(200);

    const roster = (await api.get(`/orgs/${orgId}/roster`)).json();
    expect(roster.applications).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ applicationId, status: 'approved', subjectId: applicant.id, appliedBy: { id: applicant.id, kind: 'subject' } }),
        expect.objectContaining({ applicationId: second.json().applicationId, status: 'rejected' }),
      ]),
    );
    expect(roster.associations).toEqual(expect.arrayContaining([expect.objectContaining({ associationId, applicationId, role: 'contributor', active: true })]));

    // Now a member, the applicant reads its org's roster under the default policy.
    expect((await api.get(`/orgs/${orgId}/roster`, applicant.key)).statusCode).toBe(200);
  });

  it('revokes an association and shows it in the roster as no longer active', async () => {
    const dora = await api.registerSubject('dora');
    const { associationId } = await api.expectStatus(await api.grant(orgId, dora, 'writer'), 201);
    const revoked = await api.post(`/orgs/${orgId}/associations/${associationId}/revoke`, { reason: 'left the lab' });
    expect(revoked.statusCode).toBe(200);
    expect((await api.post(`/orgs/${orgId}/associations/${associationId}/revoke`, { reason: 'again' })).json().code).toBe('ASSOCIATION_NOT_ACTIVE');
    const roster = (await api.get(`/orgs/${orgId}/roster`)).json();
    expect(roster.associations.find((association: { associationId: string }) => association.associationId === associationId)).toMatchObject({
      status: 'revoked',
      active: false,
    });
    expect((await api.get(`/orgs/${orgId}/subjects/${dora}/effective-roles`)).json()).toMatchObject({ roles: [], groups: [] });
  });

  it('reads effective roles with inheritance, groups and job spaces', async () => {
    const erin = await api.registerSubject('erin');
    await api.expectStatus(await api.grant(orgId, erin, 'contributor', api.adminKey, { jobSpace: 'paper-42' }), 201);
    const withoutSpace = await api.get(`/orgs/${orgId}/subjects/${erin}/effective-roles`);
    expect(withoutSpace.statusCode).toBe(200);
    expect(withoutSpace.json()).toMatchObject({ orgId, subjectId: erin, jobSpace: null, roles: [], groups: [] });
    expect((await api.get(`/orgs/${orgId}/subjects/${erin}/effective-roles?jobSpace=paper-42`)).json()).toMatchObject({
      jobSpace: 'paper-42',
      roles: ['contributor'],
    });

    const roster = (await api.get(`/orgs/${orgId}/roster`)).json();
    const editor = roster.associations.find((association: { role: string }) => association.role === 'editor');
    const effective = (await api.get(`/orgs/${orgId}/subjects/${editor.subjectId}/effective-roles`)).json();
    expect(effective).toMatchObject({ roles: ['editor', 'writer'], groups: ['editorial', 'staff'] });
    expect(effective.revision).toBe(roster.revision);
  });
});
