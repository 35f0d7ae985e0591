import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { appError, isAppError, type AppError } from '../../domain/shared/app-error.ts';
import { uuidSchema } from '../../domain/shared/ids.ts';
import { workflowDecider } from '../../domain/workflow/decider.ts';
import { workflowNameSchema } from '../../domain/workflow/fields.ts';
import { workflowIdFor, workflowStream } from '../../domain/workflow/ids.ts';
import { dagToMermaid } from '../../domain/workflow/mermaid.ts';
import type { WorkflowState, WorkflowVersion } from '../../domain/workflow/state.ts';
import { WORKFLOWS, WORKFLOWS_PROJECTION, workflowView } from '../../projections/read-models/workflows.ts';
import type { Platform } from '../platform.ts';
import { orgReadRoute } from '../routing/org-read-route.ts';
import { equalities, listPage } from './list-page.ts';
import { pageInfoReply, pageQueryFields, pageWindow } from './page-query.ts';

const tags = ['workflows'];
const nameParams = z.object({ orgId: uuidSchema.describe('the org id'), name: workflowNameSchema.describe("the workflow's name") });
const versionParams = nameParams.extend({ version: z.coerce.number().int().positive().max(1_000_000_000).describe('the version') });

const workflowStatus = z.enum(['active', 'retired']);
/** What every answer about one workflow starts with. */
const workflowIdentity = { orgId: z.uuid(), workflowId: z.uuid(), name: z.string(), status: workflowStatus };

const listQuery = z.strictObject({
  status: workflowStatus.optional().describe('only workflows with this status'),
  ...pageQueryFields('first publication'),
});
const listItem = z.object({
  ...workflowIdentity,
  version: z.int().describe('the newest version'),
  hash: z.string(),
  description: z.string(),
  steps: z.int(),
  createdAt: z.string().describe('first published'),
  publishedAt: z.string().describe('newest version published'),
  retiredAt: z.string().nullable(),
  position: z.string(),
});

const workflowReply = z.object({
  ...workflowIdentity,
  revision: z.int().describe('the workflow stream revision'),
  newest: z.int(),
  versions: z.array(z.object({ version: z.int(), hash: z.string(), description: z.string(), publishedAt: z.string() })),
});
const versionReply = z.object({
  name: z.string(),
  version: z.int(),
  hash: z.string(),
  publishedAt: z.string(),
  definition: z.record(z.string(), z.unknown()).describe('the definition as published (defaults applied)'),
  dag: z.record(z.string(), z.unknown()).describe('the DAG it compiled to: nodes in topological order, and the compensation steps'),
});

/**
 * A workflow and its versions, read from its stream (one per org and name) once `workflow.read` is decided: the
 * workflow, a version's definition and DAG, and the DAG as Mermaid text.
 */
export async function workflowReadRoutes(app: FastifyInstance, platform: Platform): Promise<void> {
  async function load(orgId: string, name: string): Promise<{ state: NonNullable<WorkflowState>; revision: bigint } | AppError> {
    const { state, revision } = await platform.loader.load(workflowDecider, workflowStream(orgId, name));
    return state === null ? appError('not_found', 'WORKFLOW_NOT_FOUND', `org ${orgId} has no workflow '${name}'`, { orgId, name }) : { state, revision };
  }

  async function loadVersion(params: { orgId: string; name: string; version: number }): Promise<WorkflowVersion | AppError> {
    const loaded = await load(params.orgId, params.name);
    if (isAppError(loaded)) return loaded;
    const found = loaded.state.versions.get(params.version);
    return found ?? appError('not_found', 'WORKFLOW_VERSION_NOT_FOUND', `workflow '${params.name}' has no version ${params.version}`, { ...params });
  }

  orgReadRoute(app, platform, {
    url: '/orgs/:orgId/workflows',
    summary: "An org's workflows",
    description:
      "Action `workflow.read` (default policy: the org's members), query `ReadWorkflows`, from the workflows read model once it has reached the head of the log (503 READ_MODEL_BEHIND otherwise). Each with its newest version in brief. Newest first by default; pages follow `pageInfo.endCursor`.",
    tags,
    querystring: listQuery,
    reply: ["A page of the org's workflows", z.object({ orgId: z.uuid(), workflows: z.array(listItem), pageInfo: pageInfoReply })],
    action: 'workflow.read',
    read: () => ({ type: 'ReadWorkflows', data: {} }),
    readModels: [WORKFLOWS_PROJECTION],
    answer: async ({ orgId, query }) => {
      const page = await listPage(platform.docs, {
        collection: WORKFLOWS,
        scope: { field: 'orgId', op: 'eq', value: orgId },
        filters: equalities(query, ['status']),
        ...pageWindow(query, 'createdAt'),
      });
      return isAppError(page) ? page : { orgId, workflows: page.items.map(workflowView), pageInfo: page.pageInfo };
    },
  });

  orgReadRoute(app, platform, {
    url: '/orgs/:orgId/workflows/:name',
    summary: 'Read a workflow',
    description: "Action `workflow.read` (default policy: the org's members). Its status and every version published.",
    tags,
    params: nameParams,
    reply: ['The workflow', workflowReply],
    action: 'workflow.read',
    read: ({ params }) => ({ type: 'ReadWorkflow', data: { name: params.name } }),
    answer: async ({ orgId, params: { name } }, reply) => {
      const loaded = await load(orgId, name);
      if (isAppError(loaded)) return loaded;
      const versions = [...loaded.state.versions.values()];
      reply.header('etag', `"${loaded.revision}"`);
      return {
        orgId,
        name,
        workflowId: workflowIdFor(orgId, name),
        status: loaded.state.status,
        revision: Number(loaded.revision),
        newest: versions.at(-1)?.version ?? 0,
        versions: versions.map(({ version, hash, definition, publishedAt }) => ({ version, hash, description: definition.description, publishedAt })),
      };
    },
  });

  orgReadRoute(app, platform, {
    url: '/orgs/:orgId/workflows/:name/versions/:version',
    summary: 'Read a workflow version',
    description: 'Action `workflow.read`. The definition as published and the DAG it compiled to (what a run of this version runs).',
    tags,
    params: versionParams,
    reply: ['The version', versionReply],
    action: 'workflow.read',
    read: ({ params }) => ({ type: 'ReadWorkflowVersion', data: { name: params.name, version: params.version } }),
    answer: async ({ params }) => {
      const found = await loadVersion(params);
      if (isAppError(found)) return found;
      const { version, hash, publishedAt, definition, dag } = found;
      return { name: params.name, version, hash, publishedAt, definition, dag };
    },
  });

  orgReadRoute(app, platform, {
    url: '/orgs/:orgId/workflows/:name/versions/:version/mermaid',
    summary: "A workflow version's DAG as Mermaid",
    description:
      'Action `workflow.read`. A Mermaid flowchart (text/plain): one node per step, shaped by kind; guards and fan-outs under the step id; compensations on dotted edges.',
    tags,
    params: versionParams,
    reply: ['Mermaid flowchart text (text/plain)', z.string()],
    action: 'workflow.read',
    read: ({ params }) => ({ type: 'ReadWorkflowVersion', data: { name: params.name, version: params.version } }),
    answer: async ({ params }, reply) => {
      const found = await loadVersion(params);
      if (isAppError(found)) return found;
      return reply.type('text/plain; charset=utf-8').send(dagToMermaid(found.dag));
    },
  });
}
