import { rosterDecider } from '../../domain/roster/decider.ts';
import type { RosterDecisionContext, SubjectSnapshot } from '../../domain/roster/context.ts';
import type { RosterEvent } from '../../domain/roster/events.ts';
import type { RoleDefinition } from '../../domain/roster/fields.ts';
import { deciderSpec } from './decider-spec.ts';

export const orgId = '11111111-1111-4111-8111-111111111111';
export const admin = { id: 'admin:a', kind: 'admin' } as const;
export const now = '2026-11-27T10:00:00.000Z';
export const later = '2026-12-27T10:00:00.000Z';

export const alice = 'aaaaaaaa-0000-4000-8000-000000000001';
export const bob = 'bbbbbbbb-0000-4000-8000-000000000002';
export const carol = 'cccccccc-0000-4000-8000-000000000003';

/** A fresh id per call, so fixtures never collide on association or application ids. */
let sequence = 0;
export const id = () => `00000000-0000-4000-8000-${String(++sequence).padStart(12, '0')}`;

export const activeSubject = (subjectId: string, capabilities: Record<string, { level: number; verified: boolean }> = {}): SubjectSnapshot => ({
  subjectId,
  status: 'active',
  capabilities: new Map(Object.entries(capabilities)),
});

export const rosterContext: RosterDecisionContext = { now, principal: admin, commandId: 'cmd-00000001', orgStatus: 'active' };
export const rosterSpec = deciderSpec(rosterDecider, rosterContext);

export function role(name: string, overrides: Partial<RoleDefinition> = {}): RoleDefinition {
  return {
    name,
    description: '',
    permissions: [],
    minHolders: 0,
    maxHolders: null,
    assignmentType: 'fixed',
    requiredCapabilities: [],
    inherits: [],
    ...overrides,
  };
}

export const roleDefined = (definition: RoleDefinition): RosterEvent => ({ type: 'RoleDefined', data: { orgId, role: definition } });

export function granted(
  subjectId: string,
  roleName: string,
  overrides: { associationId?: string; jobSpace?: string | null; expiresAt?: string | null } = {},
): RosterEvent {
  return {
    type: 'RoleGranted',
    data: {
      orgId,
      association: {
        associationId: overrides.associationId ?? id(),
        subjectId,
        role: roleName,
        jobSpace: overrides.jobSpace ?? null,
        expiresAt: overrides.expiresAt ?? null,
        parentSubjectId: null,
        grantedBy: admin,
        grantedAt: now,
        applicationId: null,
      },
    },
  };
}

export function grant(
  subjectId: string,
  roleName: string,
  extra: { associationId?: string; jobSpace?: string | null; expiresAt?: string | null; parentSubjectId?: string | null } = {},
) {
  return {
    type: 'GrantRole' as const,
    data: {
      orgId,
      associationId: extra.associationId ?? id(),
      subjectId,
      role: roleName,
      jobSpace: extra.jobSpace ?? null,
      expiresAt: extra.expiresAt ?? null,
      parentSubjectId: extra.parentSubjectId ?? null,
    },
  };
}
