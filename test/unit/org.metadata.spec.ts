import { describe, it } from 'vitest';
import { orgId, orgRegistered, orgSpec as spec } from '../support/org-fixtures.ts';

const registered = orgRegistered({ description: 'd', tags: ['a', 'b'], metadata: { tier: 'gold' } });

describe('org metadata updates', () => {
  it('records only the fields that change', () => {
    spec
      .given([registered])
      .when({ type: 'UpdateOrgMetadata', data: { orgId, name: 'Lab', description: 'new', tags: ['a', 'b'] } })
      .thenEvents([{ type: 'OrgMetadataUpdated', data: { orgId, changes: { description: 'new' } } }]);
  });

  it('replaces the metadata map as a whole', () => {
    spec
      .given([registered])
      .when({ type: 'UpdateOrgMetadata', data: { orgId, metadata: { region: 'eu' } } })
      .thenEvents([{ type: 'OrgMetadataUpdated', data: { orgId, changes: { metadata: { region: 'eu' } } } }]);
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
      .thenEvents([{ type: 'OrgMetadataUpdated', data: { orgId, changes: { tags: ['b', 'a'], metadata: { tier: 'silver' } } } }]);
  });

  it('updates a suspended org too', () => {
    spec
      .given([registered, { type: 'OrgSuspended', data: { orgId, reason: 'x' } }])
      .when({ type: 'UpdateOrgMetadata', data: { orgId, description: 'while suspended' } })
      .thenEvents([{ type: 'OrgMetadataUpdated', data: { orgId, changes: { description: 'while suspended' } } }]);
  });
});
