import type { OrgEvent } from '../../domain/org/events.ts';
import { evolveOrg } from '../../domain/org/evolve.ts';
import type { OrgState } from '../../domain/org/state.ts';
import type { Projection } from '../projection.ts';
import { json, withoutBookkeeping, writeDocument } from '../read-model-writes.ts';

export const ORGS = 'orgs';
const types = ['OrgRegistered', 'OrgMetadataUpdated', 'OrgSuspended', 'OrgReactivated', 'OrgArchived'];

/** One document per org: its current state (the domain's own evolve), with when it was registered and changed. */
export const orgsProjection: Projection = {
  name: 'orgs',
  version: 1,
  eventTypes: types,
  collections: [ORGS],
  async setup({ docs }) {
    await docs.ensureIndex(ORGS, { name: 'orgs_slug', fields: [{ field: 'slug', direction: 'asc' }], unique: true });
    await docs.ensureIndex(ORGS, { name: 'orgs_status', fields: [{ field: 'status', direction: 'asc' }] });
    await docs.ensureIndex(ORGS, { name: 'orgs_parent', fields: [{ field: 'parentOrgId', direction: 'asc' }] });
  },
  async apply(event, { docs }) {
    const orgId = String(event.data.orgId);
    const at = String(event.metadata.occurredAt);
    await writeDocument(docs, ORGS, orgId, event.position, (current) => {
      // The document is the state evolve produced last time, plus two timestamps.
      const state = current ? (withoutBookkeeping(current) as unknown as OrgState) : null;
      const next = evolveOrg(state, { type: event.type, data: event.data } as OrgEvent);
      if (next === null) return null;
      const registeredAt = current?.registeredAt ?? at;
      return { ...(json(next) as Record<string, never>), registeredAt, updatedAt: at };
    });
  },
};
