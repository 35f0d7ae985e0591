import { describe, it } from 'vitest';
import { orgId, role, rosterSpec as spec } from '../support/roster-fixtures.ts';

/**
 * Platform roles are names the platform policy grants powers to. An org that could define a role called
 * `platform-admin` and grant it would give its holder the platform administrator's permit in that org.
 */
describe('reserved role names', () => {
  it('refuses an org role named like a platform role', () => {
    for (const name of ['platform-admin', 'platform-system', 'platform-anything']) {
      spec
        .given([])
        .when({ type: 'DefineRole', data: { orgId, role: role(name) } })
        .thenError('ROLE_NAME_RESERVED', { field: 'role.name', reservedPrefix: 'platform-' });
    }
    spec
      .given([])
      .when({ type: 'DefineRole', data: { orgId, role: role('platformer') } })
      .thenTypes(['RoleDefined']);
  });
});
