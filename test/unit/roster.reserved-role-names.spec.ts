import { describe, expect, it } from 'vitest';
import { decideInOrg } from '../../domain/policy/org-decision.ts';
import type { PolicyRequest } from '../../domain/policy/types.ts';
import { orgId, role, roleDefined, rosterSpec as spec } from '../support/roster-fixtures.ts';

/**
 * Platform roles are names the platform policy grants powers to. An org that could define a role called
 * `platform-admin` and grant it would give its holder the platform administrator's permit in that org.
 */
describe('reserved role names', () => {
  it('refuses an org role named like a platform role', () => {
    for (const name of ['platform-admin', 'platform-system', 'platform-anything']) {
      spec.given([]).when({ type: 'DefineRole', data: { orgId, role: role(name) } }).thenError('ROLE_NAME_RESERVED', { field: 'role.name', reservedPrefix: 'platform-' });
    }
    spec.given([]).when({ type: 'DefineRole', data: { orgId, role: role('platformer') } }).thenTypes(['RoleDefined']);
  });

  it('gives a subject holding a role named platform-admin (defined before names were reserved) no platform permit', () => {
    const request = (kind: PolicyRequest['principal']['kind'], roles: string[]): PolicyRequest => ({
      principal: { id: 'p', kind, roles, groups: [], capabilities: {} },
      action: 'org.update',
      resource: { type: 'org', id: orgId, jobSpace: null, attributes: {} },
      org: { id: orgId, ownerId: null, status: 'active', tags: [], metadata: {} },
      command: { type: 'UpdateOrgMetadata', data: {} },
      now: new Date().toISOString(),
    });
    expect(decideInOrg([], request('subject', ['platform-admin'])).outcome).not.toBe('permitted');
    expect(decideInOrg([], request('subject', ['platform-system'])).outcome).not.toBe('permitted');
    expect(decideInOrg([], request('admin', ['platform-admin'])).outcome).toBe('permitted');
    expect(decideInOrg([], request('system', ['platform-system'])).outcome).toBe('permitted');
  });
});
