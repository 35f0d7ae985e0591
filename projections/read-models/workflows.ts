import type { JsonDocument } from '../../infra/documents/port.ts';
import { defineProjection } from '../projection.ts';
import { amend, occurredAt, writeDocument } from '../read-model-writes.ts';
import { asc, desc, ensureIndexes, index } from './index-fields.ts';
import type { Stored } from './stored.ts';

export const WORKFLOWS = 'workflows';
export const WORKFLOWS_PROJECTION = 'workflows';

/** A workflow's document: what a list shows of it (its newest version in brief); the versions themselves are in its stream. */
export type WorkflowDocument = Stored<{
  orgId: string;
  workflowId: string;
  name: string;
  status: 'active' | 'retired';
  version: number;
  hash: string;
  description: string;
  steps: number;
  createdAt: string;
  publishedAt: string;
  retiredAt: string | null;
}>;

const indexes = [
  index('workflows_org_created', asc('orgId'), desc('createdAt')),
  // GET /orgs/:orgId/workflows?status=: the filter with the order, so a filtered page is a seek too.
  index('workflows_org_status_created', asc('orgId'), asc('status'), desc('createdAt')),
];

/**
 * One document per workflow (`_id` = workflowId): its newest version, status, how many steps, when it was first
 * published (`createdAt`, the list's order), last published and retired. Small whatever the definitions hold: a
 * version's definition and DAG are read from the workflow's stream.
 */
export const workflowsProjection = defineProjection({
  name: WORKFLOWS_PROJECTION,
  version: 1,
  eventTypes: ['WorkflowPublished', 'WorkflowRetired'],
  collections: [WORKFLOWS],
  setup: ({ docs }) => ensureIndexes(docs, WORKFLOWS, indexes),
  async apply(event, { docs }) {
    const at = occurredAt(event);
    const { orgId, workflowId, name, version } = event.data;
    if (event.type === 'WorkflowRetired') {
      await writeDocument(docs, WORKFLOWS, workflowId, event.position, amend({ status: 'retired', retiredAt: at }));
      return;
    }
    const { hash, definition } = event.data;
    await writeDocument(docs, WORKFLOWS, workflowId, event.position, (current) => ({
      orgId,
      workflowId,
      name,
      status: 'active',
      version,
      hash,
      description: definition.description,
      steps: Object.keys(definition.steps).length,
      createdAt: typeof current?.createdAt === 'string' ? current.createdAt : at,
      publishedAt: at,
      retiredAt: null,
    }));
  },
});

/** A workflow as the list answers it. */
export function workflowView(document: JsonDocument) {
  const { _id, _position, ...workflow } = document as WorkflowDocument;
  return { ...workflow, position: _position };
}
