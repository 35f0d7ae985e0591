import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { contractStatusSchema } from '../../domain/contract/state.ts';
import { isAppError } from '../../domain/shared/app-error.ts';
import { uuidSchema } from '../../domain/shared/ids.ts';
import { taskStatusSchema } from '../../domain/task/state.ts';
import type { JsonDocument } from '../../infra/documents/port.ts';
import { CONTRACTS, CONTRACTS_PROJECTION, contractView } from '../../projections/read-models/contracts.ts';
import { TASKS, TASKS_PROJECTION, taskView } from '../../projections/read-models/tasks.ts';
import type { Platform } from '../platform.ts';
import { equalities, listPage } from './list-page.ts';
import { pageInfoReply, pageQueryFields, pageWindow } from './page-query.ts';
import { contractReply, taskReply } from './work-reads.ts';
import { orgReadRoute } from '../routing/org-read-route.ts';

export const contractsQuery = z.strictObject({
  status: contractStatusSchema.optional().describe('only contracts with this status'),
  assigneeSubjectId: uuidSchema.optional().describe("only this subject's contracts"),
  jobId: uuidSchema.optional().describe("only this job's contracts"),
  ...pageQueryFields('drafting time'),
});

export const tasksQuery = z.strictObject({
  status: taskStatusSchema.optional().describe('only tasks with this status'),
  assigneeSubjectId: uuidSchema.optional().describe("only this subject's tasks"),
  jobId: uuidSchema.optional().describe("only this job's tasks"),
  ...pageQueryFields('creation time'),
});

interface WorkList {
  url: string;
  summary: string;
  /** The read's name, as GraphQL's `contracts` / `tasks` decide it (`job.read` with `command.type` this). */
  read: string;
  query: typeof contractsQuery | typeof tasksQuery;
  collection: string;
  projection: string;
  sortField: string;
  key: string;
  item: z.ZodType;
  view: (document: JsonDocument) => unknown;
}

const lists: readonly WorkList[] = [
  {
    url: '/orgs/:orgId/contracts',
    summary: "An org's contracts",
    read: 'ReadContracts',
    query: contractsQuery,
    collection: CONTRACTS,
    projection: CONTRACTS_PROJECTION,
    sortField: 'draftedAt',
    key: 'contracts',
    item: contractReply,
    view: contractView,
  },
  {
    url: '/orgs/:orgId/tasks',
    summary: "An org's tasks",
    read: 'ReadTasks',
    query: tasksQuery,
    collection: TASKS,
    projection: TASKS_PROJECTION,
    sortField: 'createdAt',
    key: 'tasks',
    item: taskReply,
    view: taskView,
  },
];

/**
 * Lists of an org's work from the read models, decided as GraphQL's `contracts` and `tasks` are (workListAccess in
 * api/list-scope.ts): the org's `job.read` with the list's read name (default policy: its members), an outsider told
 * ORG_NOT_FOUND as if the org did not exist.
 */
export async function workListRoutes(app: FastifyInstance, platform: Platform): Promise<void> {
  for (const list of lists) {
    orgReadRoute(app, platform, {
      url: list.url,
      summary: list.summary,
      description: `Action \`job.read\` (default policy: the org's members; platform admins), query \`${list.read}\`, from the ${list.key} read model once it has reached the head of the log (503 READ_MODEL_BEHIND otherwise). Newest first by default; filters are AND-ed; pages follow \`pageInfo.endCursor\` (400 INVALID_CURSOR for a cursor of another list or order).`,
      tags: ['jobs'],
      querystring: list.query,
      reply: [`A page of the org's ${list.key}`, z.object({ orgId: z.uuid(), [list.key]: z.array(list.item), pageInfo: pageInfoReply })],
      action: 'job.read',
      read: () => ({ type: list.read, data: {} }),
      readModels: [list.projection],
      answer: async ({ orgId, query }) => {
        const page = await listPage(platform.docs, {
          collection: list.collection,
          scope: { field: 'orgId', op: 'eq', value: orgId },
          // Most selective first: a job has few contracts or tasks, a subject some, a status many.
          filters: equalities(query, ['jobId', 'assigneeSubjectId', 'status']),
          ...pageWindow(query, list.sortField),
        });
        return isAppError(page) ? page : { orgId, [list.key]: page.items.map(list.view), pageInfo: page.pageInfo };
      },
    });
  }
}
