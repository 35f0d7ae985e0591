import { orgDecider } from '../../domain/org/decider.ts';
import { orgEventDefinitions } from '../../domain/org/events.ts';
import type { Org } from '../../domain/org/state.ts';
import { evolvingReadModel } from '../evolving-read-model.ts';
import { json, withoutBookkeeping } from '../read-model-writes.ts';
import type { JsonDocument } from '../../infra/documents/port.ts';
import type { JsonValue } from '../../domain/shared/json-value.ts';
import type { Stored } from './stored.ts';
import { asc, desc, index } from './index-fields.ts';

export const ORGS = 'orgs';

/** An org's document: the org, its metadata as entries and as `key=value` pairs, when it was registered and changed. */
export type OrgDocument = Stored<
  Omit<Org, 'metadata'> & { metadata: Array<{ key: string; value: string }>; metadataPairs: string[]; registeredAt: string; updatedAt: string }
>;

/**
 * One document per org: its current state (the domain's own evolve), with when it was registered and changed; the
 * metadata map is stored as entries, because its keys are user input (a dot in one would read as a path).
 */
export const orgsProjection = evolvingReadModel({
  name: 'orgs',
  version: 2,
  collection: ORGS,
  events: orgEventDefinitions,
  decider: orgDecider,
  idOf: (event) => event.data.orgId,
  fromDocument: orgFromDocument,
  toDocument,
  stamps: { createdAt: 'registeredAt' },
  indexes: [
    { ...index('orgs_slug', asc('slug')), unique: true },
    index('orgs_status', asc('status')),
    index('orgs_parent', asc('parentOrgId')),
    // GET /orgs pages by registration time (each filter its own index, so a page is a seek) and scopes a subject
    // to the orgs it owns (api/list-scope.ts).
    index('orgs_registered', desc('registeredAt')),
    index('orgs_status_registered', asc('status'), desc('registeredAt')),
    index('orgs_parent_registered', asc('parentOrgId'), desc('registeredAt')),
    index('orgs_owner', asc('owner.id'), desc('registeredAt')),
  ],
});

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

/** An org as the read APIs list it: the org, with when it was registered and last changed. */
export function orgView(document: JsonDocument) {
  return { ...orgFromDocument(withoutBookkeeping(document)), registeredAt: document.registeredAt, updatedAt: document.updatedAt };
}
