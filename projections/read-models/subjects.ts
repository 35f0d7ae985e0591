import type { SubjectEvent } from '../../domain/subject/events.ts';
import { evolveSubject } from '../../domain/subject/evolve.ts';
import type { SubjectState } from '../../domain/subject/state.ts';
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
  version: 1,
  eventTypes: types,
  collections: [SUBJECTS],
  async setup({ docs }) {
    await docs.ensureIndex(SUBJECTS, { name: 'subjects_kind_status', fields: [{ field: 'kind', direction: 'asc' }, { field: 'status', direction: 'asc' }] });
    await docs.ensureIndex(SUBJECTS, { name: 'subjects_name', fields: [{ field: 'displayName', direction: 'asc' }] });
  },
  async apply(event, { docs }) {
    const subjectId = String(event.data.subjectId);
    const at = String(event.metadata.occurredAt);
    await writeDocument(docs, SUBJECTS, subjectId, event.position, (current) => {
      const state = current ? (withoutBookkeeping(current) as unknown as SubjectState) : null;
      const next = evolveSubject(state, { type: event.type, data: event.data } as SubjectEvent);
      if (next === null) return null;
      return { ...(json(next) as Record<string, never>), registeredAt: current?.registeredAt ?? at, updatedAt: at };
    });
  },
};
