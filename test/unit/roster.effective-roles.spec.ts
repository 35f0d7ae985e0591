import { describe, expect, it } from 'vitest';
import { rosterDecider } from '../../domain/roster/decider.ts';
import { effectiveRoles } from '../../domain/roster/effective-roles.ts';
import type { RosterEvent } from '../../domain/roster/events.ts';
import { alice, bob, granted, now, orgId, role, roleDefined } from '../support/roster-fixtures.ts';

const history: RosterEvent[] = [
  roleDefined(role('member')),
  roleDefined(role('writer', { inherits: ['member'] })),
  roleDefined(role('editor', { inherits: ['writer'] })),
  roleDefined(role('temp')),
  { type: 'GroupDefined', data: { orgId, group: { name: 'org', description: '', parent: null, roles: [] } } },
  { type: 'GroupDefined', data: { orgId, group: { name: 'editorial', description: '', parent: 'org', roles: ['writer'] } } },
  { type: 'JobSpaceDefined', data: { orgId, jobSpace: { name: 'papers', description: '' } } },
  granted(alice, 'editor'),
  granted(alice, 'temp', { expiresAt: '2026-11-27T09:00:00.000Z' }),
  granted(bob, 'writer', { jobSpace: 'papers' }),
];
const state = history.reduce(rosterDecider.evolve, rosterDecider.initialState);

describe('effective roles', () => {
  it('include inherited roles transitively and the groups of any of them with their ancestors', () => {
    expect(effectiveRoles(state, alice, now)).toMatchObject({ roles: ['editor', 'member', 'writer'], groups: ['editorial', 'org'] });
  });

  it('exclude expired associations', () => {
    expect(effectiveRoles(state, alice, now).roles).not.toContain('temp');
    expect(effectiveRoles(state, alice, '2026-11-27T08:00:00.000Z').roles).toContain('temp');
  });

  it('count a job-space association only inside that job space', () => {
    expect(effectiveRoles(state, bob, now, null).roles).toEqual([]);
    expect(effectiveRoles(state, bob, now, 'papers').roles).toEqual(['member', 'writer']);
  });
});
