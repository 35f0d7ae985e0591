import { describe, it } from 'vitest';
import { MAX_PENDING_APPLICATIONS_PER_SUBJECT } from '../../domain/roster/decide-applications.ts';
import type { RosterEvent } from '../../domain/roster/events.ts';
import { activeSubject, alice, bob, granted, id, orgId, role, roleDefined, rosterSpec as spec } from '../support/roster-fixtures.ts';

const open = roleDefined(role('contributor', { assignmentType: 'dynamic_multi_subject', maxHolders: 1 }));
const fixed = roleDefined(role('owner'));
const apply = (applicationId: string, subjectId = alice, roleName = 'contributor') => ({
  type: 'ApplyForRole' as const,
  data: { orgId, applicationId, subjectId, role: roleName, jobSpace: null, motivation: 'I can help' },
});
const submitted = (applicationId: string, subjectId = alice): RosterEvent => ({
  type: 'RoleApplicationSubmitted',
  data: {
    orgId,
    application: {
      applicationId,
      subjectId,
      role: 'contributor',
      jobSpace: null,
      motivation: '',
      appliedBy: { id: subjectId, kind: 'subject' },
      appliedAt: '2026-11-27T09:00:00.000Z',
    },
  },
});
const asAlice = { principal: { id: alice, kind: 'subject' as const } };

describe('role applications', () => {
  it('lets a subject apply for a dynamic role for itself only', () => {
    spec.given([open]).when(apply(id()), asAlice).thenTypes(['RoleApplicationSubmitted']);
    spec.given([open]).when(apply(id(), bob), asAlice).thenError('APPLY_FOR_OTHERS');
    spec
      .given([fixed])
      .when(apply(id(), alice, 'owner'), asAlice)
      .thenError('ROLE_NOT_OPEN');
  });

  it('refuses a second pending application and an application for a role already held', () => {
    spec
      .given([open, submitted(id())])
      .when(apply(id()), asAlice)
      .thenError('APPLICATION_PENDING');
    spec
      .given([open, granted(alice, 'contributor')])
      .when(apply(id()), asAlice)
      .thenError('ASSOCIATION_EXISTS');
  });

  it('bounds what one subject can add to the roster: only job spaces the org has, and a few pending applications', () => {
    const inSpace = (applicationId: string, jobSpace: string) => ({ type: 'ApplyForRole' as const, data: { ...apply(applicationId).data, jobSpace } });
    const alpha: RosterEvent = { type: 'JobSpaceDefined', data: { orgId, jobSpace: { name: 'alpha', description: '' } } };
    spec.given([open, alpha]).when(inSpace(id(), 'alpha'), asAlice).thenTypes(['RoleApplicationSubmitted']);
    spec.given([open, alpha]).when(inSpace(id(), 'invented'), asAlice).thenError('JOB_SPACE_NOT_FOUND');

    const roles = Array.from({ length: MAX_PENDING_APPLICATIONS_PER_SUBJECT + 1 }, (_, index) =>
      roleDefined(role(`open-${index}`, { assignmentType: 'dynamic_multi_subject' })),
    );
    const pendingFor = (subjectId: string, count: number): RosterEvent[] =>
      Array.from({ length: count }, (_, index) => {
        const event = submitted(id(), subjectId);
        return event.type === 'RoleApplicationSubmitted'
          ? { ...event, data: { ...event.data, application: { ...event.data.application, role: `open-${index}` } } }
          : event;
      });
    const last = { type: 'ApplyForRole' as const, data: { ...apply(id()).data, role: `open-${MAX_PENDING_APPLICATIONS_PER_SUBJECT}` } };
    spec
      .given([...roles, ...pendingFor(alice, MAX_PENDING_APPLICATIONS_PER_SUBJECT - 1)])
      .when(last, asAlice)
      .thenTypes(['RoleApplicationSubmitted']);
    spec
      .given([...roles, ...pendingFor(alice, MAX_PENDING_APPLICATIONS_PER_SUBJECT)])
      .when(last, asAlice)
      .thenError('TOO_MANY_PENDING_APPLICATIONS');
    // Another subject's applications are not the caller's.
    spec
      .given([...roles, ...pendingFor(bob, MAX_PENDING_APPLICATIONS_PER_SUBJECT)])
      .when(last, asAlice)
      .thenTypes(['RoleApplicationSubmitted']);
  });

  it('approval grants the role, checked like any grant, and never by the applicant itself', () => {
    const applicationId = id();
    const associationId = id();
    spec
      .given([open, submitted(applicationId)])
      .when({ type: 'ApproveRoleApplication', data: { orgId, applicationId, associationId, expiresAt: null } }, { subject: activeSubject(alice) })
      .thenTypes(['RoleApplicationApproved', 'RoleGranted']);
    spec
      .given([open, submitted(applicationId), granted(bob, 'contributor')])
      .when({ type: 'ApproveRoleApplication', data: { orgId, applicationId, associationId, expiresAt: null } }, { subject: activeSubject(alice) })
      .thenError('ROLE_MAX_HOLDERS');
    spec
      .given([open, submitted(applicationId)])
      .when({ type: 'ApproveRoleApplication', data: { orgId, applicationId, associationId, expiresAt: null } }, { subject: activeSubject(alice), ...asAlice })
      .thenError('SELF_APPROVAL');
  });

  it('decides an application once', () => {
    const applicationId = id();
    const rejected: RosterEvent = {
      type: 'RoleApplicationRejected',
      data: { orgId, applicationId, reason: 'no', rejectedBy: { id: 'admin:a', kind: 'admin' } },
    };
    spec
      .given([open, submitted(applicationId)])
      .when({ type: 'RejectRoleApplication', data: { orgId, applicationId, reason: 'not now' } })
      .thenTypes(['RoleApplicationRejected']);
    spec
      .given([open, submitted(applicationId), rejected])
      .when({ type: 'ApproveRoleApplication', data: { orgId, applicationId, associationId: id(), expiresAt: null } }, { subject: activeSubject(alice) })
      .thenError('APPLICATION_DECIDED');
    spec
      .given([open])
      .when({ type: 'RejectRoleApplication', data: { orgId, applicationId, reason: 'x' } })
      .thenError('APPLICATION_NOT_FOUND');
  });
});
