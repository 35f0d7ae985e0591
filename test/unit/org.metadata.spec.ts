import { describe, it } from 'vitest';
import { orgDecider } from '../../domain/org/decider.ts';
import type { OrgDecisionContext } from '../../domain/org/decide.ts';
import type { OrgEvent } from '../../domain/org/events.ts';
import { deciderSpec } from '../support/decider-spec.ts';

const orgId = '11111111-1111-4111-8111-111111111111';
const owner = { id: 'admin:a', kind: 'admin' } as const;
const context: OrgDecisionContext = { now: '2026-11-27T10:00:00.000Z', principal: owner, commandId: 'cmd-00000001' };
const spec = deciderSpec(orgDecider, context);
const registered: OrgEvent = {
  type: 'OrgRegistered',
  data: { orgId, name: 'Lab', slug: 'lab', description: 'd', tags: ['a', 'b'], metadata: { tier: 'gold' }, parentOrgId: null, owner },
};

describe('org metadata updates', () => {
  it('records only the fields that change', () => {
    spec
      .given([registered])
      .when({ type: 'UpdateOrgMetadata', data: { orgId, name: 'Lab', description: 'new', tags: ['a', 'b'] } })
      .then([{ type: 'OrgMetadataUpdated', data: { orgId, changes: { description: 'new' } } }]);
  });

  it('replaces the metadata map as a whole', () => {
    spec
      .given([registered])
      .when({ type: 'UpdateOrgMetadata', data: { orgId, metadata: { region: 'eu' } } })
      .then([{ type: 'OrgMetadataUpdated', data: { orgId, changes: { metadata: { region: 'eu' } } } }]);
  });

  it('decides nothing when the update changes nothing, so re-sending it is harmless', () => {
    spec
      .given([registered])
      .when({ type: 'UpdateOrgMetadata', data: { orgId, name: 'Lab', tags: ['a', 'b'], metadata: { tier: 'gold' } } })
      .thenNothing();
  });

  it('notices a change of tag order and of a metadata value', () => {
    spec
      .given([registered])
      .when({ type: 'UpdateOrgMetadata', data: { orgId, tags: ['b', 'a'], metadata: { tier: 'silver' } } })
      .then([{ type: 'OrgMetadataUpdated', data: { orgId, changes: { tags: ['b', 'a'], metadata: { tier: 'silver' } } } }]);
  });

  it('updates a suspended org too', () => {
    spec
      .given([registered, { type: 'OrgSuspended', data: { orgId, reason: 'x' } }])
      .when({ type: 'UpdateOrgMetadata', data: { orgId, description: 'while suspended' } })
      .then([{ type: 'OrgMetadataUpdated', data: { orgId, changes: { description: 'while suspended' } } }]);
  });
});
