import type { JsonDocument } from '../../infra/documents/port.ts';
import { defineProjection } from '../projection.ts';
import { POSITION_FIELD, json, withoutBookkeeping, writeDocument } from '../read-model-writes.ts';
import type { JsonValue } from '../../domain/shared/json-value.ts';
import type { EventDataOf, Stored } from './stored.ts';
import { asc, desc } from './index-fields.ts';

export const ESCALATIONS = 'escalations';

export const ESCALATIONS_PROJECTION = 'escalations';

type Resolved = EventDataOf<'JobEscalationResolved'>;

/** An escalation episode's document: where it went (`raises`) and, once over, how it was resolved. */
export type EscalationDocument = Stored<
  Pick<EventDataOf<'JobEscalated'>, 'orgId' | 'jobId' | 'reason' | 'escalateTo' | 'from' | 'escalatedBy' | 'escalatedAt'> & {
    escalationId: string;
    raises: Array<Pick<EventDataOf<'JobEscalationRaised'>, 'escalateTo' | 'previousEscalateTo' | 'reason' | 'raisedBy' | 'raisedAt'>>;
    open: boolean;
    resolution: Resolved['resolution'] | null;
    note: string | null;
    resolvedBy: Resolved['resolvedBy'] | null;
    resolvedAt: string | null;
    statusAfter: Resolved['status'] | null;
    deadline: string | null;
    updatedAt: string;
  }
>;

/** Raises a document keeps (an escalation is raised to the owner once; a bound all the same). */
const KEPT_RAISES = 20;

/** The id of the escalation a JobEscalated starts: its job and its revision in the job stream. */
export const escalationId = (jobId: string, revision: bigint | number) => `${jobId}:${revision.toString()}`;

/**
 * One document per escalation episode of a job (`_id` = `<jobId>:<revision of its JobEscalated>`): the reason, where
 * it went (`escalateTo`, moved by each JobEscalationRaised, kept in `raises`), the status the job was escalated
 * `from`, who escalated it and when, and, once it is over, `resolution` (`resume`, `extend` with the new `deadline`,
 * `cancel`, `reassign`), `note`, `resolvedBy`, `resolvedAt` and the job status it left (`statusAfter`); `open` until
 * then. Cancelling an escalated job (CancelJob, not a resolution) ends its escalation too, recorded as a `cancel` with
 * the cancellation's reason as the note and its principal (from the event's metadata) as `resolvedBy`.
 *
 * Idempotent: an episode's events find it as the job's open episode, and every document carries the position of the
 * last event applied to it. A replayed event of an earlier episode finds either no open one (skipped) or a later one
 * whose position is past it (skipped by writeDocument).
 */
export const escalationsProjection = defineProjection({
  name: ESCALATIONS_PROJECTION,
  version: 1,
  eventTypes: ['JobEscalated', 'JobEscalationRaised', 'JobEscalationResolved', 'JobCancelled'],
  collections: [ESCALATIONS],
  async setup({ docs }) {
    await docs.ensureIndex(ESCALATIONS, { name: 'escalations_org_open', fields: [asc('orgId'), asc('open'), asc('escalateTo'), desc('escalatedAt')] });
    await docs.ensureIndex(ESCALATIONS, { name: 'escalations_org_escalated', fields: [asc('orgId'), desc('escalatedAt')] });
    await docs.ensureIndex(ESCALATIONS, { name: 'escalations_job', fields: [asc('jobId'), asc('open')] });
  },
  async apply(event, { docs }) {
    const { jobId } = event.data;
    const at = String(event.metadata.occurredAt);
    if (event.type === 'JobEscalated') {
      const { data } = event;
      const id = escalationId(jobId, event.revision);
      await writeDocument(docs, ESCALATIONS, id, event.position, () => ({
        escalationId: id,
        orgId: data.orgId,
        jobId,
        reason: data.reason,
        escalateTo: data.escalateTo,
        from: data.from,
        escalatedBy: json(data.escalatedBy),
        escalatedAt: data.escalatedAt,
        raises: [],
        open: true,
        resolution: null,
        note: null,
        resolvedBy: null,
        resolvedAt: null,
        statusAfter: null,
        deadline: null,
        updatedAt: at,
      }));
      return;
    }
    const page = await docs.find(ESCALATIONS, {
      filter: {
        and: [
          { field: 'jobId', op: 'eq', value: jobId },
          { field: 'open', op: 'eq', value: true },
        ],
      },
      limit: 1,
    });
    const episode = page.items[0];
    if (!episode) return;
    await writeDocument(docs, ESCALATIONS, episode._id, event.position, (current) => {
      const stored = withoutBookkeeping(current ?? episode);
      switch (event.type) {
        case 'JobEscalationRaised': {
          const raises = Array.isArray(stored.raises) ? stored.raises : [];
          const { escalateTo, previousEscalateTo, reason, raisedBy, raisedAt } = event.data;
          const raise = json({ escalateTo, previousEscalateTo, reason, raisedBy, raisedAt });
          return { ...stored, escalateTo, raises: [...raises, raise].slice(-KEPT_RAISES), updatedAt: at };
        }
        case 'JobEscalationResolved': {
          const { data } = event;
          return {
            ...stored,
            open: false,
            resolution: data.resolution,
            note: data.note,
            resolvedBy: json(data.resolvedBy),
            resolvedAt: data.resolvedAt,
            statusAfter: data.status,
            deadline: data.deadline ?? null,
            updatedAt: at,
          };
        }
        case 'JobCancelled':
          // The job was cancelled while escalated.
          return {
            ...stored,
            open: false,
            resolution: 'cancel',
            note: event.data.reason,
            resolvedBy: json(event.metadata.principal ?? null),
            resolvedAt: at,
            statusAfter: 'cancelled',
            updatedAt: at,
          };
      }
    });
  },
});

/** An escalation as the read APIs answer it. */
export function escalationView(document: JsonDocument): Record<string, JsonValue> {
  return {
    ...withoutBookkeeping(document),
    escalationId: document._id,
    position: typeof document[POSITION_FIELD] === 'string' ? document[POSITION_FIELD] : '0',
  };
}
