import { describe, it } from 'vitest';
import type { RosterEvent } from '../../domain/roster/events.ts';
import { activeSubject, alice, bob, grant, granted, orgId, role, roleDefined, rosterSpec as spec } from '../support/roster-fixtures.ts';

const conflict = (a: string, b: string, reason = 'no one reviews their own work'): RosterEvent => ({
  type: 'RoleConflictDeclared',
  data: { orgId, roles: [a, b], reason },
});
const writerAndReviewer = [roleDefined(role('writer')), roleDefined(role('reviewer')), conflict('writer', 'reviewer')];

describe('separation of duties', () => {
  it('refuses a role that conflicts with one the subject holds', () => {
    spec
      .given([...writerAndReviewer, granted(alice, 'writer')])
      .when(grant(alice, 'reviewer'), { subject: activeSubject(alice) })
      .thenError('ROLE_CONFLICT', { role: 'reviewer', conflictsWith: 'writer', reason: 'no one reviews their own work' });
  });

  it('applies in both directions and across job spaces', () => {
    spec
      .given([
        ...writerAndReviewer,
        { type: 'JobSpaceDefined', data: { orgId, jobSpace: { name: 'papers', description: '' } } },
        granted(alice, 'reviewer', { jobSpace: 'papers' }),
      ])
      .when(grant(alice, 'writer'), { subject: activeSubject(alice) })
      .thenError('ROLE_CONFLICT', { conflictsWith: 'reviewer' });
  });

  it('sees through inheritance: a senior role that inherits a conflicting one conflicts too', () => {
    spec
      .given([...writerAndReviewer, roleDefined(role('lead-writer', { inherits: ['writer'] })), granted(alice, 'lead-writer')])
      .when(grant(alice, 'reviewer'), { subject: activeSubject(alice) })
      .thenError('ROLE_CONFLICT', { conflictsWith: 'writer' });
    spec
      .given([...writerAndReviewer, roleDefined(role('lead-writer', { inherits: ['writer'] })), granted(alice, 'reviewer')])
      .when(grant(alice, 'lead-writer'), { subject: activeSubject(alice) })
      .thenError('ROLE_CONFLICT');
  });

  it('lets different subjects hold the two roles, and a subject hold them after the first association expired', () => {
    spec
      .given([...writerAndReviewer, granted(alice, 'writer')])
      .when(grant(bob, 'reviewer'), { subject: activeSubject(bob) })
      .thenTypes(['RoleGranted']);
    spec
      .given([...writerAndReviewer, granted(alice, 'writer', { expiresAt: '2026-11-01T00:00:00.000Z' })])
      .when(grant(alice, 'reviewer'), { subject: activeSubject(alice) })
      .thenTypes(['RoleGranted']);
  });

  it('refuses to declare a conflict that current holders already violate', () => {
    spec
      .given([roleDefined(role('writer')), roleDefined(role('reviewer')), granted(alice, 'writer'), granted(alice, 'reviewer')])
      .when({ type: 'DeclareRoleConflict', data: { orgId, roles: ['writer', 'reviewer'], reason: 'sod' } })
      .thenError('CONFLICT_VIOLATED_BY_HOLDERS', { subjects: [alice] });
  });

  it('declares idempotently and withdraws', () => {
    spec
      .given(writerAndReviewer)
      .when({ type: 'DeclareRoleConflict', data: { orgId, roles: ['reviewer', 'writer'], reason: 'no one reviews their own work' } })
      .thenNothing();
    spec
      .given(writerAndReviewer)
      .when({ type: 'WithdrawRoleConflict', data: { orgId, roles: ['reviewer', 'writer'] } })
      .thenEvents([{ type: 'RoleConflictWithdrawn', data: { orgId, roles: ['reviewer', 'writer'] } }]);
    spec
      .given([])
      .when({ type: 'WithdrawRoleConflict', data: { orgId, roles: ['a', 'b'] } })
      .thenError('CONFLICT_NOT_FOUND');
  });
});
