import { appError } from '../../domain/shared/app-error.ts';
import { StepUnavailableError } from '../saga-runner.ts';
import type { DocumentStore } from '../../infra/documents/port.ts';
import type { EventStore } from '../../infra/eventstore/port.ts';
import type { ProjectionRunner } from '../../projections/runner.ts';
import { WORKLOADS } from '../../projections/read-models/workloads.ts';
import type { WorkloadsOf } from './candidates.ts';

/**
 * Open assignments per subject of an org, from the workloads read model, after the projection has caught up with the
 * log's head (bounded wait: a lagging read model gives the counts it has, so assignment never stalls on it).
 */
export function workloadsFromReadModel(deps: {
  store: Pick<EventStore, 'headPosition'>;
  docs: DocumentStore;
  projections: Pick<ProjectionRunner, 'waitFor'>;
}): WorkloadsOf {
  return async (orgId) => {
    await deps.projections.waitFor(await deps.store.headPosition(), 2_000, 'workloads');
    const counts = new Map<string, number>();
    let after: string | null = null;
    for (;;) {
      const page = await deps.docs.find(WORKLOADS, {
        filter: {
          and: [
            { field: 'orgId', op: 'eq', value: orgId },
            { field: 'openAssignments', op: 'gt', value: 0 },
          ],
        },
        limit: 1000,
        after,
      });
      for (const item of page.items)
        if (typeof item.subjectId === 'string' && typeof item.openAssignments === 'number') counts.set(item.subjectId, item.openAssignments);
      if (!page.hasMore || page.endCursor === null) return counts;
      after = page.endCursor;
    }
  };
}

/** The open jobs a subject holds (in every org), once the read model has caught up with `position`. */
export type OpenJobsHeldBy = (subjectId: string, position: bigint) => Promise<Array<{ orgId: string; jobId: string }>>;

export function openJobsHeldFromReadModel(deps: { docs: DocumentStore; projections: Pick<ProjectionRunner, 'waitFor'> }): OpenJobsHeldBy {
  return async (subjectId, position) => {
    // A read model behind the event would miss jobs: the step is retried until it has caught up.
    if (!(await deps.projections.waitFor(position, 5_000, 'workloads'))) {
      throw new StepUnavailableError(appError('unavailable', 'READ_MODEL_BEHIND', 'the workloads read model has not caught up yet'));
    }
    const held: Array<{ orgId: string; jobId: string }> = [];
    let after: string | null = null;
    for (;;) {
      const page = await deps.docs.find(WORKLOADS, { filter: { field: 'subjectId', op: 'eq', value: subjectId }, limit: 1000, after });
      for (const item of page.items) {
        const jobIds = Array.isArray(item.openJobIds) ? item.openJobIds : [];
        for (const jobId of jobIds) if (typeof jobId === 'string' && typeof item.orgId === 'string') held.push({ orgId: item.orgId, jobId });
      }
      if (!page.hasMore || page.endCursor === null) return held;
      after = page.endCursor;
    }
  };
}
