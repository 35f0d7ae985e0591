import type { WorkflowDag } from './dag.ts';
import type { WorkflowDefinition } from './definition.ts';

export interface WorkflowVersion {
  version: number;
  hash: string;
  definition: WorkflowDefinition;
  dag: WorkflowDag;
  publishedAt: string;
}

/**
 * One workflow of an org: every version ever published (immutable: a run pins one), and whether new runs may start
 * (`retired`: none may, until a new version is published; runs in flight keep their version).
 */
export type WorkflowState = { versions: ReadonlyMap<number, WorkflowVersion>; status: 'active' | 'retired' } | null;

export const initialWorkflowState: WorkflowState = null;

export function newestVersion(state: WorkflowState): WorkflowVersion | null {
  return state === null ? null : ([...state.versions.values()].at(-1) ?? null);
}
