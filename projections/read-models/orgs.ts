import type { OrgEvent } from '../../domain/org/events.ts';
import { evolveOrg } from '../../domain/org/evolve.ts';
import type { Org } from '../../domain/org/state.ts';
import type { JsonValue } from '../../infra/documents/port.ts';
import type { Projection } from '../projection.ts';
import { json, withoutBookkeeping, writeDocument } from '../read-model-writes.ts';

export const ORGS = 'orgs';
const types = ['OrgRegistered', 'OrgMetadataUpdated', 'OrgSuspended', 'OrgReactivated', 'OrgArchived'];

/** One document per org: its current state (the domain's own evolve), with when it was registered and changed. */
export const orgsProjection: Projection = {
  name: 'orgs',
  version: 2,
  eventTypes: types,
  collections: [ORGS],
  async setup({ docs }) {
    await docs.ensureIndex(ORGS, { name: 'orgs_slug', fields: [{ field: 'slug', direction: 'asc' }], unique: true });
    await docs.ensureIndex(ORGS, { name: 'orgs_status', fields: [{ field: 'status', direction: 'asc' }] });
    await docs.ensureIndex(ORGS, { name: 'orgs_parent', fields: [{ field: 'parentOrgId', direction: 'asc' }] });
    // GET /orgs pages by registration time (each filter its own index, so a page is a seek) and scopes a subject
    // to the orgs it owns (api/list-scope.ts).
    await docs.ensureIndex(ORGS, { name: 'orgs_registered', fields: [{ field: 'registeredAt', direction: 'desc' }] });
    await docs.ensureIndex(ORGS, { name: 'orgs_status_registered', fields: [{ field: 'status', direction: 'asc' }, { field: 'registeredAt', direction: 'desc' }] });
    await docs.ensureIndex(ORGS, { name: 'orgs_parent_registered', fields: [{ field: 'parentOrgId', direction: 'asc' }, { field: 'registeredAt', direction: 'desc' }] });
    await docs.ensureIndex(ORGS, { name: 'orgs_owner', fields: [{ field: 'owner.id', direction: 'asc' }, { field: 'registeredAt', direction: 'desc' }] });
  },
  async apply(event, { docs }) {
    const orgId = String(event.data.orgId);
    const at = String(event.metadata.occurredAt);
    await writeDocument(docs, ORGS, orgId, event.position, (current) => {
      // The document is the state evolve produced last time, plus two timestamps; the metadata map is stored as
      // entries, because its keys are user input (a dot in one would read as a path).
      const state = current ? orgFromDocument(withoutBookkeeping(current)) : null;
      const next = evolveOrg(state, { type: event.type, data: event.data } as OrgEvent);
      if (next === null) return null;
      const registeredAt = current?.registeredAt ?? at;
      return { ...toDocument(next), registeredAt, updatedAt: at };
    });
  },
};

function toDocument(org: Org): Record<string, JsonValue> {
  const entries = Object.entries(org.metadata).map(([key, value]) => ({ key, value }));
  return {
    ...(json({ ...org, metadata: null }) as Record<string, JsonValue>),
    metadata: entries,
    // `key=value` strings, so a filter on a metadata entry is a `contains` on a plain field.
    metadataPairs: entries.map(({ key, value }) => `${key}=${value}`),
  };
}

/** The org as the domain has it, from its document (metadata entries back to a map; timestamps left out). */
export function orgFromDocument(document: Record<string, JsonValue>): Org {
  const { metadata, metadataPairs: _pairs, registeredAt: _registered, updatedAt: _updated, ...rest } = document;
  const entries = Array.isArray(metadata) ? (metadata as Array<{ key: string; value: string }>) : [];
  return { ...(rest as unknown as Org), metadata: Object.fromEntries(entries.map(({ key, value }) => [key, value])) };
}
