import type { DocumentStore } from '../../infra/documents/port.ts';
import type { EventStore } from '../../infra/eventstore/port.ts';
import type { ProjectionRunner } from '../runner.ts';

/** What a count from a read model reads: the head of the log, the projection's progress, the documents. */
export interface CaughtUpCountDeps {
  store: Pick<EventStore, 'headPosition'>;
  docs: DocumentStore;
  projections: Pick<ProjectionRunner, 'waitFor'>;
}

/**
 * An org's count from a read model for a decision's cap (open jobs, tools), once `projection` has applied everything
 * in the log when the count is asked for, so what the command before changed is counted. Not reached within
 * `timeoutMs` (the projection lags or has failed): null, and the decision refuses rather than wave the command through.
 */
export function countOnceCaughtUp(
  deps: CaughtUpCountDeps,
  projection: string,
  count: (docs: DocumentStore, orgId: string) => Promise<number>,
  timeoutMs: number,
): (orgId: string) => Promise<number | null> {
  return async (orgId) => {
    const head = await deps.store.headPosition();
    if (!(await deps.projections.waitFor(head, timeoutMs, projection))) return null;
    return count(deps.docs, orgId);
  };
}
