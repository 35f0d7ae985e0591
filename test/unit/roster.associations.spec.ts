import { describe, it } from 'vitest';
import { activeSubject, alice, bob, carol, grant, granted, id, later, orgId, role, roleDefined, rosterSpec as spec } from '../support/roster-fixtures.ts';

const reviewer = roleDefined(role('reviewer', { requiredCapabilities: [{ name: 'review.papers', level: 3, verified: false }] }));
const auditor = roleDefined(role('auditor', { requiredCapabilities: [{ name: 'audit', level: 2, verified: true }] }));
const writer = roleDefined(role('writer'));
const papers = { type: 'JobSpaceDefined' as const, data: { orgId, jobSpace: { name: 'papers', description: '' } } };

describe('granting and revoking roles', () => {
  it('requires the capabilities the role asks for, at the level, verified where required', () => {
    spec
      .given([reviewer])
      .when(grant(alice, 'reviewer'), { subject: activeSubject(alice) })
      .thenError('MISSING_CAPABILITY', {
        missing: [{ name: 'review.papers', level: 3, verified: false, has: null }],
      });
    spec
      .given([reviewer])
      .when(grant(alice, 'reviewer'), { subject: activeSubject(alice, { 'review.papers': { level: 2, verified: true } }) })
      .thenError('MISSING_CAPABILITY');
    spec
      .given([reviewer])
      .when(grant(alice, 'reviewer'), { subject: activeSubject(alice, { 'review.papers': { level: 3, verified: false } }) })
      .thenTypes(['RoleGranted']);
    spec
      .given([auditor])
      .when(grant(alice, 'auditor'), { subject: activeSubject(alice, { audit: { level: 5, verified: false } }) })
      .thenError('MISSING_CAPABILITY');
    spec
      .given([auditor])
      .when(grant(alice, 'auditor'), { subject: activeSubject(alice, { audit: { level: 2, verified: true } }) })
      .thenTypes(['RoleGranted']);
  });

  it('does not mistake Object.prototype for a capability', () => {
    const odd = roleDefined(role('odd', { requiredCapabilities: [{ name: 'constructor', level: 0, verified: false }] }));
    spec
      .given([odd])
      .when(grant(alice, 'odd'), { subject: activeSubject(alice) })
      .thenError('MISSING_CAPABILITY');
  });

  it('refuses a suspended or unknown subject', () => {
    spec
      .given([writer])
      .when(grant(alice, 'writer'), { subject: { ...activeSubject(alice), status: 'suspended' } })
      .thenError('SUBJECT_SUSPENDED');
    spec.given([writer]).when(grant(alice, 'writer'), { subject: null }).thenError('SUBJECT_NOT_FOUND');
  });

  it('refuses a duplicate association but allows the same role in a different job space', () => {
    spec
      .given([writer, granted(alice, 'writer')])
      .when(grant(alice, 'writer'), { subject: activeSubject(alice) })
      .thenError('ASSOCIATION_EXISTS');
    spec
      .given([writer, papers, granted(alice, 'writer')])
      .when(grant(alice, 'writer', { jobSpace: 'papers' }), { subject: activeSubject(alice) })
      .thenTypes(['RoleGranted']);
  });

  it('refuses an unknown role or job space, a reused association id and an expiry in the past', () => {
    spec
      .given([])
      .when(grant(alice, 'ghost'), { subject: activeSubject(alice) })
      .thenError('ROLE_NOT_FOUND');
    spec
      .given([writer])
      .when(grant(alice, 'writer', { jobSpace: 'nowhere' }), { subject: activeSubject(alice) })
      .thenError('JOB_SPACE_NOT_FOUND');
    const taken = id();
    spec
      .given([writer, granted(bob, 'writer', { associationId: taken })])
      .when(grant(alice, 'writer', { associationId: taken }), { subject: activeSubject(alice) })
      .thenError('ASSOCIATION_ID_TAKEN');
    spec
      .given([writer])
      .when(grant(alice, 'writer', { expiresAt: '2020-01-01T00:00:00.000Z' }), { subject: activeSubject(alice) })
      .thenError('EXPIRY_IN_PAST');
    spec
      .given([writer])
      .when(grant(alice, 'writer', { expiresAt: later }), { subject: activeSubject(alice) })
      .thenTypes(['RoleGranted']);
  });

  it('never lets a subject grant itself a role', () => {
    spec
      .given([writer])
      .when(grant(alice, 'writer'), { subject: activeSubject(alice), principal: { id: alice, kind: 'subject' } })
      .thenError('SELF_GRANT');
  });

  it('lets a holder delegate its own role, and only its own', () => {
    spec
      .given([writer, granted(bob, 'writer')])
      .when(grant(alice, 'writer', { parentSubjectId: bob, expiresAt: later }), { subject: activeSubject(alice) })
      .thenTypes(['RoleGranted']);
    spec
      .given([writer])
      .when(grant(alice, 'writer', { parentSubjectId: bob }), { subject: activeSubject(alice) })
      .thenError('DELEGATOR_LACKS_ROLE');
    spec
      .given([writer, granted(bob, 'writer'), granted(carol, 'writer')])
      .when(grant(alice, 'writer', { parentSubjectId: bob }), { subject: activeSubject(alice), principal: { id: carol, kind: 'subject' } })
      .thenError('DELEGATION_ON_BEHALF');
    spec
      .given([writer, granted(bob, 'writer')])
      .when(grant(alice, 'writer', { parentSubjectId: bob, expiresAt: later }), { subject: activeSubject(alice), principal: { id: bob, kind: 'subject' } })
      .thenTypes(['RoleGranted']);
  });

  it('revokes an active association once; expires one only after its expiry', () => {
    const association = id();
    spec
      .given([writer, granted(alice, 'writer', { associationId: association })])
      .when({ type: 'RevokeRole', data: { orgId, associationId: association, reason: 'left' } })
      .thenTypes(['RoleRevoked']);
    spec
      .given([
        writer,
        granted(alice, 'writer', { associationId: association }),
        { type: 'RoleRevoked', data: { orgId, associationId: association, reason: 'x', revokedBy: { id: 'admin:a', kind: 'admin' } } },
      ])
      .when({ type: 'RevokeRole', data: { orgId, associationId: association, reason: 'again' } })
      .thenError('ASSOCIATION_NOT_ACTIVE');
    spec
      .given([])
      .when({ type: 'RevokeRole', data: { orgId, associationId: id(), reason: 'x' } })
      .thenError('ASSOCIATION_NOT_FOUND');
    spec
      .given([writer, granted(alice, 'writer', { associationId: association, expiresAt: later })])
      .when({ type: 'ExpireAssociation', data: { orgId, associationId: association } })
      .thenError('NOT_YET_EXPIRED');
    spec
      .given([writer, granted(alice, 'writer', { associationId: association, expiresAt: '2026-11-01T00:00:00.000Z' })])
      .when({ type: 'ExpireAssociation', data: { orgId, associationId: association } })
      .thenEvents([{ type: 'AssociationExpired', data: { orgId, associationId: association, expiredAt: '2026-11-01T00:00:00.000Z' } }]);
  });

  it('changes nothing in an org that does not exist or is not active, except recording expiries', () => {
    spec
      .given([writer])
      .when(grant(alice, 'writer'), { subject: activeSubject(alice), orgStatus: null })
      .thenError('ORG_NOT_FOUND');
    spec
      .given([writer])
      .when(grant(alice, 'writer'), { subject: activeSubject(alice), orgStatus: 'suspended' })
      .thenError('ORG_NOT_ACTIVE');
    const association = id();
    spec
      .given([writer, granted(alice, 'writer', { associationId: association, expiresAt: '2026-11-01T00:00:00.000Z' })])
      .when({ type: 'ExpireAssociation', data: { orgId, associationId: association } }, { orgStatus: 'archived' })
      .thenTypes(['AssociationExpired']);
  });
});
