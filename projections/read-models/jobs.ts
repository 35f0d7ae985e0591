import { jobDecider } from '../../domain/job/decider.ts';
import { jobEventDefinitions } from '../../domain/job/events.ts';
import { isOpenJobStatus, jobStatusSchema, type Job, type JobDelivery, type JobStatus } from '../../domain/job/state.ts';
import type { DocumentStore, JsonDocument } from '../../infra/documents/port.ts';
import { evolvingReadModel } from '../evolving-read-model.ts';
import { POSITION_FIELD, json, withoutBookkeeping } from '../read-model-writes.ts';
import type { JsonObject, JsonValue } from '../../domain/shared/json-value.ts';
import type { Stored } from './stored.ts';
import { countOnceCaughtUp, type CaughtUpCountDeps } from './caught-up-count.ts';
import { asc, desc, index } from './index-fields.ts';

export const JOBS = 'jobs';

export const JOBS_PROJECTION = 'jobs';

/**
 * A job's document: the job, its assignment flat, its free JSON as JSON text, `open`, the stream's `revision`,
 * `updatedAt` and `closedAt`.
 */
export type JobDocument = Stored<
  Omit<Job, 'assignment' | 'outputTemplate' | 'delivery'> & {
    assigneeSubjectId: string | null;
    contractId: string | null;
    outputTemplateJson: string | null;
    delivery: (Omit<JobDelivery, 'deliverable'> & { deliverableJson: string }) | null;
    open: boolean;
    revision: number;
    updatedAt: string;
    closedAt: string | null;
  }
>;

/** The statuses a job counts against its org's open-jobs quota in (everything but the final ones). */
export const openJobStatuses: readonly JobStatus[] = jobStatusSchema.options.filter(isOpenJobStatus);

/**
 * One document per job (`_id` = jobId): its current state, as the domain's own evolve folds it, with the assignment
 * flattened (`assigneeSubjectId`, `contractId`, null until assigned) so lists filter and index on it, the job
 * stream's `revision` (the ETag the command routes take as If-Match), `updatedAt` and `closedAt` (when it reached a
 * final status).
 *
 * Free JSON (the output template, the deliverable) is stored as JSON text (`outputTemplateJson`,
 * `delivery.deliverableJson`): its keys are user input (a `.` or `$` in one is not a storable document key).
 */
export const jobsProjection = evolvingReadModel({
  name: JOBS_PROJECTION,
  version: 1,
  collection: JOBS,
  // Every job event: the document is the domain's own fold, so whatever changes a job changes its document.
  events: jobEventDefinitions,
  decider: jobDecider,
  idOf: (event) => event.data.jobId,
  fromDocument: jobFromDocument,
  toDocument: jobToDocument,
  stamps: { revision: true, final: (job) => !isOpenJobStatus(job.status) },
  indexes: [
    index('jobs_org_submitted', asc('orgId'), desc('submittedAt')),
    index('jobs_org_status', asc('orgId'), asc('status')),
    index('jobs_org_assignee', asc('orgId'), asc('assigneeSubjectId'), asc('status')),
  ],
});

function jobToDocument(job: Job): Record<string, JsonValue> {
  const { assignment, outputTemplate, delivery, ...rest } = job;
  return {
    ...(json(rest) as Record<string, JsonValue>),
    assigneeSubjectId: assignment?.assigneeSubjectId ?? null,
    contractId: assignment?.contractId ?? null,
    outputTemplateJson: outputTemplate === null ? null : JSON.stringify(outputTemplate),
    delivery:
      delivery === null
        ? null
        : {
            deliverableJson: JSON.stringify(delivery.deliverable),
            note: delivery.note,
            deliveredBy: json(delivery.deliveredBy),
            deliveredAt: delivery.deliveredAt,
          },
    open: isOpenJobStatus(job.status),
  };
}

const text = (value: JsonValue | undefined): string | null => (typeof value === 'string' ? value : null);
const record = (value: JsonValue | undefined): Record<string, JsonValue> | null =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? value : null;

/** The job a stored document holds (the inverse of the projection's write). */
export function jobFromDocument(document: Record<string, JsonValue>): Job {
  const {
    assigneeSubjectId,
    contractId,
    outputTemplateJson,
    delivery,
    open: _open,
    revision: _revision,
    updatedAt: _updatedAt,
    closedAt: _closedAt,
    ...rest
  } = document;
  const assignee = text(assigneeSubjectId);
  const contract = text(contractId);
  const templateText = text(outputTemplateJson);
  const stored = record(delivery);
  const deliverableText = stored ? text(stored.deliverableJson) : null;
  return {
    ...(rest as unknown as Omit<Job, 'assignment' | 'outputTemplate' | 'delivery'>),
    assignment: assignee !== null && contract !== null ? { assigneeSubjectId: assignee, contractId: contract } : null,
    outputTemplate: templateText === null ? null : (JSON.parse(templateText) as JsonObject),
    delivery:
      stored === null || deliverableText === null
        ? null
        : {
            deliverable: JSON.parse(deliverableText) as JsonValue,
            note: text(stored.note),
            deliveredBy: stored.deliveredBy as unknown as Job['submittedBy'],
            deliveredAt: text(stored.deliveredAt) ?? '',
          },
  };
}

/** A job as the read APIs answer it: the free JSON parsed back, the assignment flat, the revision and position. */
export function jobView(document: JsonDocument) {
  const job = jobFromDocument(withoutBookkeeping(document));
  const { assignment, ...rest } = job;
  return {
    ...rest,
    assigneeSubjectId: assignment?.assigneeSubjectId ?? null,
    contractId: assignment?.contractId ?? null,
    revision: typeof document.revision === 'number' ? document.revision : 0,
    updatedAt: text(document.updatedAt) ?? job.submittedAt,
    closedAt: text(document.closedAt),
    position: typeof document[POSITION_FIELD] === 'string' ? document[POSITION_FIELD] : '0',
  };
}
export type JobView = ReturnType<typeof jobView>;

/** How many of the org's jobs the read model holds as open (submitted and not verified, rejected, failed or cancelled). */
export function countOpenJobs(docs: DocumentStore, orgId: string): Promise<number> {
  return docs.count(JOBS, {
    and: [
      { field: 'orgId', op: 'eq', value: orgId },
      { field: 'status', op: 'in', value: [...openJobStatuses] },
    ],
  });
}

/** How long a submission waits for the jobs read model to reach the head of the log before it gives up on counting. */
export const OPEN_JOBS_WAIT_MS = 5000;

/**
 * The open-jobs count SubmitJob's quota check uses (`createJobAggregate({ openJobsOf })`): the jobs read model, once
 * its projection has applied everything in the log when the count is asked for, so a job submitted or ended just
 * before is counted as it is now. Not reached within `timeoutMs` (the projection lags or has failed): null, and the
 * submission is refused QUOTA_UNKNOWN (503), never waved through. Only the jobs projection is awaited: another read
 * model lagging does not stop submissions.
 *
 * Submissions racing each other can still both see room for one more (the count is read before the decision; see
 * domain/job/README.md).
 */
export function openJobsFromReadModel(deps: CaughtUpCountDeps, timeoutMs = OPEN_JOBS_WAIT_MS): (orgId: string) => Promise<number | null> {
  return countOnceCaughtUp(deps, JOBS_PROJECTION, countOpenJobs, timeoutMs);
}
