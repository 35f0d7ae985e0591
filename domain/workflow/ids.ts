import { v5 as uuidv5 } from 'uuid';

/** The namespace of workflow ids; changing it would give every (org, name) a new stream. */
export const WORKFLOW_ID_NAMESPACE = '3c9e7b52-1f0a-5d84-a6b3-9e2d7c4f1a08';

/** One stream per (org, name): its id is derived, so publishing by name needs no lookup and two names never share one. */
export function workflowIdFor(orgId: string, name: string): string {
  return uuidv5(`${orgId.toLowerCase()}\u0000${name}`, WORKFLOW_ID_NAMESPACE).toLowerCase();
}

export const workflowStream = (orgId: string, name: string) => `workflow-${workflowIdFor(orgId, name)}`;
