import { describe, expect, it } from 'vitest';
import { rosterDecider } from '../../domain/roster/decider.ts';
import { isAppError } from '../../domain/shared/app-error.ts';
import {
  activeSubject,
  alice,
  bob,
  carol,
  grant,
  granted,
  id,
  now,
  orgId,
  role,
  roleDefined,
  rosterContext,
  rosterSpec as spec,
} from '../support/roster-fixtures.ts';

const editor = role('editor', { maxHolders: 2, minHolders: 1 });

describe('role cardinality', () => {
  it('grants while the role has room', () => {
    const command = grant(carol, 'editor');
    const { orgId: _orgId, ...association } = command.data;
    spec
      .given([roleDefined(editor), granted(alice, 'editor')])
      .when(command, { subject: activeSubject(carol) })
      .thenEvents([
        { type: 'RoleGranted', data: { orgId, association: { ...association, grantedBy: rosterContext.principal, grantedAt: now, applicationId: null } } },
      ]);
  });

  it('refuses a grant beyond maxHolders', () => {
    spec
      .given([roleDefined(editor), granted(alice, 'editor'), granted(bob, 'editor')])
      .when(grant(carol, 'editor'), { subject: activeSubject(carol) })
      .thenError('ROLE_MAX_HOLDERS', { role: 'editor', maxHolders: 2, holders: 2 });
  });

  it('counts distinct subjects: a holder gaining the role in another job space takes no new place', () => {
    spec
      .given([
        roleDefined(editor),
        { type: 'JobSpaceDefined', data: { orgId, jobSpace: { name: 'papers', description: '' } } },
        granted(alice, 'editor'),
        granted(bob, 'editor'),
      ])
      .when(grant(alice, 'editor', { jobSpace: 'papers' }), { subject: activeSubject(alice) })
      .thenTypes(['RoleGranted']);
  });

  it('does not count expired or revoked associations', () => {
    const revokedId = id();
    spec
      .given([
        roleDefined(editor),
        granted(alice, 'editor', { expiresAt: '2026-11-01T00:00:00.000Z' }),
        granted(bob, 'editor', { associationId: revokedId }),
        granted(carol, 'editor'),
        { type: 'RoleRevoked', data: { orgId, associationId: revokedId, reason: 'x', revokedBy: rosterContext.principal } },
      ])
      .when(grant(bob, 'editor'), { subject: activeSubject(bob) })
      .thenTypes(['RoleGranted']);
  });

  it('refuses a revocation that would leave fewer than minHolders', () => {
    const only = id();
    spec
      .given([roleDefined(editor), granted(alice, 'editor', { associationId: only })])
      .when({ type: 'RevokeRole', data: { orgId, associationId: only, reason: 'x' } })
      .thenError('ROLE_MIN_HOLDERS', { minHolders: 1 });
  });

  it('allows revoking one of two associations of the same holder without counting it as losing a holder', () => {
    const first = id();
    spec
      .given([
        roleDefined(editor),
        { type: 'JobSpaceDefined', data: { orgId, jobSpace: { name: 'papers', description: '' } } },
        granted(alice, 'editor', { associationId: first }),
        granted(alice, 'editor', { jobSpace: 'papers' }),
      ])
      .when({ type: 'RevokeRole', data: { orgId, associationId: first, reason: 'narrowed' } })
      .thenEvents([{ type: 'RoleRevoked', data: { orgId, associationId: first, reason: 'narrowed', revokedBy: rosterContext.principal } }]);
  });

  it('refuses to redefine maxHolders below the current number of holders', () => {
    spec
      .given([roleDefined(editor), granted(alice, 'editor'), granted(bob, 'editor')])
      .when({ type: 'DefineRole', data: { orgId, role: { ...editor, maxHolders: 1 } } })
      .thenError('ROLE_MAX_BELOW_HOLDERS', { holders: 2, maxHolders: 1 });
  });

  it('keeps maxHolders under any interleaving: grants decided one after another on the evolving state', () => {
    let state = [roleDefined(role('reviewer', { maxHolders: 3 }))].reduce(rosterDecider.evolve, rosterDecider.initialState);
    const outcomes = Array.from({ length: 10 }, (_, n) => {
      const subjectId = `dddddddd-0000-4000-8000-${String(n).padStart(12, '0')}`;
      const decided = rosterDecider.decide(grant(subjectId, 'reviewer'), state, { ...rosterContext, subject: activeSubject(subjectId) });
      if (!isAppError(decided)) state = decided.reduce(rosterDecider.evolve, state);
      return isAppError(decided) ? decided.code : 'granted';
    });
    expect(outcomes.filter((outcome) => outcome === 'granted')).toHaveLength(3);
    expect(outcomes.filter((outcome) => outcome === 'ROLE_MAX_HOLDERS')).toHaveLength(7);
  });
});
