import { describe, it } from 'vitest';
import { alice, granted, orgId, role, roleDefined, rosterSpec as spec } from '../support/roster-fixtures.ts';

const group = (name: string, overrides: { parent?: string | null; roles?: string[] } = {}) => ({
  name,
  description: '',
  parent: overrides.parent ?? null,
  roles: overrides.roles ?? [],
});

describe('roster structure', () => {
  it('defines a role declaratively: same definition twice is a no-op, a change is recorded', () => {
    const editor = role('editor', { maxHolders: 1 });
    spec
      .given([])
      .when({ type: 'DefineRole', data: { orgId, role: editor } })
      .thenEvents([roleDefined(editor)]);
    spec
      .given([roleDefined(editor)])
      .when({ type: 'DefineRole', data: { orgId, role: editor } })
      .thenNothing();
    spec
      .given([roleDefined(editor)])
      .when({ type: 'DefineRole', data: { orgId, role: { ...editor, maxHolders: 2 } } })
      .thenTypes(['RoleDefined']);
  });

  it('refuses inheritance of unknown roles and inheritance cycles', () => {
    spec
      .given([])
      .when({ type: 'DefineRole', data: { orgId, role: role('lead', { inherits: ['member'] }) } })
      .thenError('ROLE_NOT_FOUND', { missing: ['member'] });
    spec
      .given([roleDefined(role('a')), roleDefined(role('b', { inherits: ['a'] }))])
      .when({ type: 'DefineRole', data: { orgId, role: role('a', { inherits: ['b'] }) } })
      .thenError('INHERITANCE_CYCLE', { cycle: ['a', 'b', 'a'] });
  });

  it('removes a role only when nothing holds or references it', () => {
    spec
      .given([roleDefined(role('editor'))])
      .when({ type: 'RemoveRole', data: { orgId, name: 'editor' } })
      .thenTypes(['RoleRemoved']);
    spec
      .given([roleDefined(role('editor')), granted(alice, 'editor')])
      .when({ type: 'RemoveRole', data: { orgId, name: 'editor' } })
      .thenError('ROLE_HAS_HOLDERS');
    spec
      .given([roleDefined(role('editor')), roleDefined(role('chief', { inherits: ['editor'] }))])
      .when({ type: 'RemoveRole', data: { orgId, name: 'editor' } })
      .thenError('ROLE_IN_USE', { inheritedBy: ['chief'] });
  });

  it('defines groups with existing roles and parents, without cycles', () => {
    const staff = { type: 'GroupDefined' as const, data: { orgId, group: group('staff') } };
    spec
      .given([roleDefined(role('editor'))])
      .when({ type: 'DefineGroup', data: { orgId, group: group('staff', { roles: ['editor'] }) } })
      .thenTypes(['GroupDefined']);
    spec
      .given([])
      .when({ type: 'DefineGroup', data: { orgId, group: group('staff', { roles: ['ghost'] }) } })
      .thenError('ROLE_NOT_FOUND');
    spec
      .given([])
      .when({ type: 'DefineGroup', data: { orgId, group: group('team', { parent: 'staff' }) } })
      .thenError('GROUP_NOT_FOUND');
    spec
      .given([staff, { type: 'GroupDefined', data: { orgId, group: group('team', { parent: 'staff' }) } }])
      .when({ type: 'DefineGroup', data: { orgId, group: group('staff', { parent: 'team' }) } })
      .thenError('GROUP_CYCLE');
    spec
      .given([staff, { type: 'GroupDefined', data: { orgId, group: group('team', { parent: 'staff' }) } }])
      .when({ type: 'RemoveGroup', data: { orgId, name: 'staff' } })
      .thenError('GROUP_IN_USE', { subgroups: ['team'] });
  });

  it('removes a job space only when no active association is limited to it', () => {
    const papers = { type: 'JobSpaceDefined' as const, data: { orgId, jobSpace: { name: 'papers', description: '' } } };
    spec
      .given([papers])
      .when({ type: 'DefineJobSpace', data: { orgId, jobSpace: { name: 'papers', description: '' } } })
      .thenNothing();
    spec
      .given([roleDefined(role('editor')), papers, granted(alice, 'editor', { jobSpace: 'papers' })])
      .when({ type: 'RemoveJobSpace', data: { orgId, name: 'papers' } })
      .thenError('JOB_SPACE_IN_USE');
    spec
      .given([papers])
      .when({ type: 'RemoveJobSpace', data: { orgId, name: 'papers' } })
      .thenTypes(['JobSpaceRemoved']);
  });
});
