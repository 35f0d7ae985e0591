import type { SubjectEvent } from '../../domain/subject/events.ts';
import { evolveSubject } from '../../domain/subject/evolve.ts';
import type { Capability, CapabilityVerification, Subject } from '../../domain/subject/state.ts';
import type { JsonValue } from '../../infra/documents/port.ts';
import type { Projection } from '../projection.ts';
import { json, withoutBookkeeping, writeDocument } from '../read-model-writes.ts';

export const SUBJECTS = 'subjects';
const types = [
  'SubjectRegistered',
  'SubjectProfileUpdated',
  'CapabilityDeclared',
  'CapabilityWithdrawn',
  'CapabilityVerified',
  'SubjectSuspended',
  'SubjectReinstated',
];

/** One document per subject: its current state, as the subject aggregate's evolve builds it. */
export const subjectsProjection: Projection = {
  name: 'subjects',
  version: 2,
  eventTypes: types,
  collections: [SUBJECTS],
  async setup({ docs }) {
    await docs.ensureIndex(SUBJECTS, { name: 'subjects_kind_status', fields: [{ field: 'kind', direction: 'asc' }, { field: 'status', direction: 'asc' }] });
    await docs.ensureIndex(SUBJECTS, { name: 'subjects_name', fields: [{ field: 'displayName', direction: 'asc' }] });
    // GET /subjects pages by registration time, each filter with its own index.
    await docs.ensureIndex(SUBJECTS, { name: 'subjects_registered', fields: [{ field: 'registeredAt', direction: 'desc' }] });
    await docs.ensureIndex(SUBJECTS, { name: 'subjects_kind_registered', fields: [{ field: 'kind', direction: 'asc' }, { field: 'registeredAt', direction: 'desc' }] });
    await docs.ensureIndex(SUBJECTS, { name: 'subjects_status_registered', fields: [{ field: 'status', direction: 'asc' }, { field: 'registeredAt', direction: 'desc' }] });
  },
  async apply(event, { docs }) {
    const subjectId = String(event.data.subjectId);
    const at = String(event.metadata.occurredAt);
    await writeDocument(docs, SUBJECTS, subjectId, event.position, (current) => {
      // Capabilities are stored as a list: their names are dotted (nlp.summarize) and would read as paths.
      const state = current ? subjectFromDocument(withoutBookkeeping(current)) : null;
      const next = evolveSubject(state, { type: event.type, data: event.data } as SubjectEvent);
      if (next === null) return null;
      return { ...toDocument(next), registeredAt: current?.registeredAt ?? at, updatedAt: at };
    });
  },
};

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
  const list = Array.isArray(capabilities) ? (capabilities as unknown as Array<Omit<Capability, 'verifiedIn'> & { name: string; verifiedIn: CapabilityVerification[] }>) : [];
  return {
    ...(rest as unknown as Subject),
    capabilities: Object.fromEntries(
      list.map(({ name, verifiedIn, ...capability }) => [name, { ...capability, verifiedIn: Object.fromEntries(verifiedIn.map((item) => [item.orgId, item])) }]),
    ),
  };
}
