import { subjectDecider } from '../../domain/subject/decider.ts';
import { subjectEventDefinitions } from '../../domain/subject/events.ts';
import type { Capability, CapabilityVerification, Subject } from '../../domain/subject/state.ts';
import { evolvingReadModel } from '../evolving-read-model.ts';
import { json, withoutBookkeeping } from '../read-model-writes.ts';
import type { JsonDocument } from '../../infra/documents/port.ts';
import type { JsonValue } from '../../domain/shared/json-value.ts';
import type { Stored } from './stored.ts';
import { asc, desc, index } from './index-fields.ts';

export const SUBJECTS = 'subjects';

/** A capability as a subject's document lists it: by name, with the orgs that verified it as a list. */
export type StoredCapability = Omit<Capability, 'verifiedIn'> & { name: string; verifiedIn: CapabilityVerification[] };

/** A subject's document: the subject, its capabilities as a list, when it was registered and changed. */
export type SubjectDocument = Stored<Omit<Subject, 'capabilities'> & { capabilities: StoredCapability[]; registeredAt: string; updatedAt: string }>;

/**
 * One document per subject: its current state, as the subject aggregate's evolve builds it. Capabilities are stored
 * as a list: their names are dotted (nlp.summarize) and would read as paths.
 */
export const subjectsProjection = evolvingReadModel({
  name: 'subjects',
  version: 2,
  collection: SUBJECTS,
  events: subjectEventDefinitions,
  decider: subjectDecider,
  idOf: (event) => event.data.subjectId,
  fromDocument: subjectFromDocument,
  toDocument,
  stamps: { createdAt: 'registeredAt' },
  indexes: [
    index('subjects_kind_status', asc('kind'), asc('status')),
    index('subjects_name', asc('displayName')),
    // GET /subjects pages by registration time, each filter with its own index.
    index('subjects_registered', desc('registeredAt')),
    index('subjects_kind_registered', asc('kind'), desc('registeredAt')),
    index('subjects_status_registered', asc('status'), desc('registeredAt')),
  ],
});

function toDocument(subject: Subject): Record<string, JsonValue> {
  const capabilities = Object.entries(subject.capabilities).map(([name, capability]) => ({
    name,
    level: capability.level,
    evidence: capability.evidence,
    verified: capability.verified,
    verifiedIn: Object.values(capability.verifiedIn),
  }));
  return { ...(json({ ...subject, capabilities: null }) as Record<string, JsonValue>), capabilities: json(capabilities) };
}

/** The subject as the domain has it, from its document (capabilities back to a map; timestamps left out). */
export function subjectFromDocument(document: Record<string, JsonValue>): Subject {
  const { capabilities, registeredAt: _registered, updatedAt: _updated, ...rest } = document;
  const list = Array.isArray(capabilities) ? (capabilities as unknown as StoredCapability[]) : [];
  return {
    ...(rest as unknown as Subject),
    capabilities: Object.fromEntries(
      list.map(({ name, verifiedIn, ...capability }) => [
        name,
        { ...capability, verifiedIn: Object.fromEntries(verifiedIn.map((item) => [item.orgId, item])) },
      ]),
    ),
  };
}

/** A subject as the read APIs list it: the subject, with when it was registered and last changed. */
export function subjectView(document: JsonDocument) {
  return { ...subjectFromDocument(withoutBookkeeping(document)), registeredAt: document.registeredAt, updatedAt: document.updatedAt };
}
