import { isOpenJobStatus } from '../../domain/job/state.ts';
import type { DocumentStore, JsonDocument } from '../../infra/documents/port.ts';
import { defineProjection, type ProjectedEvent } from '../projection.ts';
import { POSITION_FIELD, writeDocument } from '../read-model-writes.ts';
import type { JsonValue } from '../../domain/shared/json-value.ts';
import type { Stored } from './stored.ts';
import { asc, desc } from './index-fields.ts';

export const WORKLOADS = 'workloads';
/** The projection's own memory of each job: who holds it and whether it is open (the events that end a job do not say). */
export const WORKLOAD_JOBS = 'workload_jobs';

export const workloadId = (orgId: string, subjectId: string) => `${orgId}:${subjectId}`;

/** A subject's workload in an org: the open jobs it holds. */
export type WorkloadDocument = Stored<{ orgId: string; subjectId: string; openJobIds: string[]; openAssignments: number; updatedAt: string }>;

const types = ['JobSubmitted', 'JobAssigned', 'JobVerified', 'JobDeliveryRejected', 'JobFailed', 'JobCancelled', 'JobEscalationResolved'] as const;

interface Holding {
  orgId: string;
  assigneeSubjectId: string | null;
  open: boolean;
}

/**
 * Per org and subject (`_id` = `<orgId>:<subjectId>`): the jobs assigned to the subject that are not in a final
 * status (`openJobIds`, and their number, `openAssignments`). An escalated job still counts: it is on hold, not
 * over. A subject whose last open job ended keeps its document with 0.
 *
 * Idempotent across its two collections: for each event the workload documents are written before the job's own
 * entry in `workload_jobs`, each with the event's position, and an event the job's entry already reflects is
 * skipped; so an event replayed after a crash between the two writes recomputes the same change from the same
 * earlier entry, and the workload documents (already at that position) ignore it.
 */
export const workloadsProjection = defineProjection({
  name: 'workloads',
  version: 1,
  eventTypes: types,
  collections: [WORKLOADS, WORKLOAD_JOBS],
  async setup({ docs }) {
    await docs.ensureIndex(WORKLOADS, { name: 'workloads_org_subject', fields: [asc('orgId'), asc('subjectId')] });
    await docs.ensureIndex(WORKLOADS, { name: 'workloads_org_load', fields: [asc('orgId'), desc('openAssignments')] });
    await docs.ensureIndex(WORKLOADS, { name: 'workloads_subject', fields: [asc('subjectId')] });
  },
  async apply(event, { docs }) {
    const { jobId, orgId } = event.data;
    const tracked = await docs.get(WORKLOAD_JOBS, jobId);
    if (appliedAt(tracked) >= event.position) return;
    const before = holdingOf(tracked, orgId);
    const after = next(before, event);
    const heldBefore = before.open ? before.assigneeSubjectId : null;
    const heldAfter = after.open ? after.assigneeSubjectId : null;
    const at = String(event.metadata.occurredAt);
    if (heldBefore !== heldAfter) {
      if (heldBefore !== null) await adjust(docs, orgId, heldBefore, jobId, 'remove', event.position, at);
      if (heldAfter !== null) await adjust(docs, orgId, heldAfter, jobId, 'add', event.position, at);
    }
    await writeDocument(docs, WORKLOAD_JOBS, jobId, event.position, () => ({
      orgId: after.orgId,
      assigneeSubjectId: after.assigneeSubjectId,
      open: after.open,
    }));
  },
});

function appliedAt(document: JsonDocument | undefined): bigint {
  const value = document?.[POSITION_FIELD];
  return typeof value === 'string' ? BigInt(value) : -1n;
}

function holdingOf(document: JsonDocument | undefined, orgId: string): Holding {
  if (!document) return { orgId, assigneeSubjectId: null, open: false };
  return {
    orgId,
    assigneeSubjectId: typeof document.assigneeSubjectId === 'string' ? document.assigneeSubjectId : null,
    open: document.open === true,
  };
}

/** Who holds the job after the event, and whether it is still open (a fold of the job's events, as evolve does). */
function next(holding: Holding, event: ProjectedEvent<(typeof types)[number]>): Holding {
  switch (event.type) {
    case 'JobSubmitted':
      return { ...holding, assigneeSubjectId: null, open: true };
    case 'JobAssigned':
      return { ...holding, assigneeSubjectId: event.data.assigneeSubjectId };
    case 'JobVerified':
    case 'JobDeliveryRejected':
    case 'JobFailed':
    case 'JobCancelled':
      return { ...holding, open: false };
    case 'JobEscalationResolved': {
      const { status } = event.data;
      // Reassigning sends the job back to contracting: whoever held it no longer does.
      return { ...holding, assigneeSubjectId: status === 'contracting' ? null : holding.assigneeSubjectId, open: isOpenJobStatus(status) };
    }
  }
}

async function adjust(
  docs: DocumentStore,
  orgId: string,
  subjectId: string,
  jobId: string,
  change: 'add' | 'remove',
  position: bigint,
  at: string,
): Promise<void> {
  await writeDocument(docs, WORKLOADS, workloadId(orgId, subjectId), position, (current) => {
    const held = Array.isArray(current?.openJobIds) ? current.openJobIds.filter((id): id is string => typeof id === 'string') : [];
    const openJobIds = change === 'add' ? [...new Set([...held, jobId])] : held.filter((id) => id !== jobId);
    const document: Record<string, JsonValue> = { orgId, subjectId, openJobIds, openAssignments: openJobIds.length, updatedAt: at };
    return document;
  });
}
