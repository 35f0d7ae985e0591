import { describe, it } from 'vitest';
import type { OrgEvent } from '../../domain/org/events.ts';
import type { OrgCommand } from '../../domain/org/commands.ts';
import { orgId, orgRegistered, orgSpec as spec } from '../support/org-fixtures.ts';

const parentOrgId = '22222222-2222-4222-8222-222222222222';
const registered = orgRegistered() as Extract<OrgEvent, { type: 'OrgRegistered' }>;
const suspended: OrgEvent = { type: 'OrgSuspended', data: { orgId, reason: 'audit' } };
const archived: OrgEvent = { type: 'OrgArchived', data: { orgId, reason: 'done' } };
const register = (extra: { parentOrgId?: string } = {}): OrgCommand => ({
  type: 'RegisterOrg',
  data: { orgId, name: 'Lab', slug: 'lab', description: '', tags: [], metadata: {}, ...extra },
});

describe('org lifecycle', () => {
  it('registers an org, owned by the principal who registered it', () => {
    spec.given([]).when(register()).thenEvents([registered]);
  });

  it('refuses to register the same org twice', () => {
    spec.given([registered]).when(register()).thenError('ORG_ALREADY_EXISTS', { orgId });
  });

  it('registers under an existing parent', () => {
    const parent = { ...registered.data, orgId: parentOrgId, status: 'active' as const, statusReason: null };
    spec
      .given([])
      .when(register({ parentOrgId }), { parent })
      .thenEvents([{ type: 'OrgRegistered', data: { ...registered.data, parentOrgId } }]);
  });

  it('refuses a parent that does not exist, is archived, or is the org itself', () => {
    spec.given([]).when(register({ parentOrgId }), { parent: null }).thenError('PARENT_ORG_NOT_FOUND');
    const archivedParent = { ...registered.data, orgId: parentOrgId, status: 'archived' as const, statusReason: 'x' };
    spec.given([]).when(register({ parentOrgId }), { parent: archivedParent }).thenError('PARENT_ORG_ARCHIVED');
    spec
      .given([])
      .when(register({ parentOrgId: orgId }))
      .thenError('PARENT_ORG_INVALID');
  });

  it('suspends an active org and reactivates a suspended one', () => {
    spec
      .given([registered])
      .when({ type: 'SuspendOrg', data: { orgId, reason: 'audit' } })
      .thenEvents([suspended]);
    spec
      .given([registered, suspended])
      .when({ type: 'ReactivateOrg', data: { orgId, reason: 'cleared' } })
      .thenEvents([{ type: 'OrgReactivated', data: { orgId, reason: 'cleared' } }]);
  });

  it('archives from active or suspended', () => {
    const archive = { type: 'ArchiveOrg', data: { orgId, reason: 'done' } } as const;
    spec.given([registered]).when(archive).thenEvents([archived]);
    spec.given([registered, suspended]).when(archive).thenEvents([archived]);
  });

  it('treats every other transition as illegal', () => {
    spec
      .given([registered])
      .when({ type: 'ReactivateOrg', data: { orgId, reason: 'x' } })
      .thenError('ILLEGAL_TRANSITION', { status: 'active', command: 'ReactivateOrg' });
    spec
      .given([registered, suspended])
      .when({ type: 'SuspendOrg', data: { orgId, reason: 'x' } })
      .thenError('ILLEGAL_TRANSITION');
    for (const type of ['SuspendOrg', 'ReactivateOrg', 'ArchiveOrg'] as const) {
      spec
        .given([registered, archived])
        .when({ type, data: { orgId, reason: 'x' } })
        .thenError('ILLEGAL_TRANSITION', { status: 'archived' });
    }
    spec
      .given([registered, archived])
      .when({ type: 'UpdateOrgMetadata', data: { orgId, name: 'New' } })
      .thenError('ILLEGAL_TRANSITION');
  });

  it('refuses commands on an org that does not exist', () => {
    spec
      .given([])
      .when({ type: 'SuspendOrg', data: { orgId, reason: 'x' } })
      .thenError('ORG_NOT_FOUND');
    spec
      .given([])
      .when({ type: 'UpdateOrgMetadata', data: { orgId, name: 'x' } })
      .thenError('ORG_NOT_FOUND');
  });
});
