import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { contractStatusSchema } from '../../domain/contract/state.ts';
import { isAppError } from '../../domain/shared/app-error.ts';
import { uuidSchema } from '../../domain/shared/ids.ts';
import { taskStatusSchema } from '../../domain/task/state.ts';
import type { JsonDocument } from '../../infra/documents/port.ts';
import { CONTRACTS, CONTRACTS_PROJECTION, contractView } from '../../projections/read-models/contracts.ts';
import { TASKS, TASKS_PROJECTION, taskView } from '../../projections/read-models/tasks.ts';
import { sendError } from '../command-reply.ts';
import { RequestAccess } from '../graphql/access.ts';
import { workListAccess } from '../list-scope.ts';
import type { Platform } from '../platform.ts';
import { equalities, listPage } from './list-page.ts';
import { orgIdParam } from './orgs.ts';
import { pageInfoReply, pageQueryFields, pageWindow } from './page-query.ts';
import { readModelsBehind } from './read-models-behind.ts';
import { contractReply, taskReply } from './work-reads.ts';
import { readErrors, readReply } from '../openapi/responses.ts';
import type { ZodRequestTypes } from '../routing/request-schemas.ts';

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
 * Lists of an org's work from the read models, decided as GraphQL's `contracts` and `tasks` are (api/list-scope.ts):
 * the org's `job.read` (default policy: its members), an outsider told ORG_NOT_FOUND as if the org did not exist.
 */
export async function workListRoutes(app: FastifyInstance, platform: Platform): Promise<void> {
  const routes = app.withTypeProvider<ZodRequestTypes>();
  for (const list of lists) {
    routes.get(
      list.url,
      {
        schema: {
          summary: list.summary,
          description: `Action \`job.read\` (default policy: the org's members; platform admins), query \`${list.read}\`, from the ${list.key} read model once it has reached the head of the log (503 READ_MODEL_BEHIND otherwise). Newest first by default; filters are AND-ed; pages follow \`pageInfo.endCursor\` (400 INVALID_CURSOR for a cursor of another list or order).`,
          tags: ['jobs'],
          params: z.object(orgIdParam),
          querystring: list.query,
          response: {
            '200': readReply(`A page of the org's ${list.key}`, z.object({ orgId: z.uuid(), [list.key]: z.array(list.item), pageInfo: pageInfoReply })),
            ...readErrors,
          },
        },
      },
      (request, reply) => answer(platform, list, request.params.orgId, request.query, request.principal, reply),
    );
  }
}

async function answer(
  platform: Platform,
  list: WorkList,
  orgId: string,
  query: z.output<WorkList['query']>,
  principal: FastifyRequest['principal'],
  reply: FastifyReply,
) {
  const access = new RequestAccess(platform.loader, principal, new Date().toISOString());
  const allowed = await workListAccess(access, orgId, list.read);
  if (isAppError(allowed)) return sendError(reply, allowed);
  const behind = await readModelsBehind(platform, [list.projection]);
  if (behind) return sendError(reply, behind);
  const page = await listPage(platform.docs, {
    collection: list.collection,
    scope: { field: 'orgId', op: 'eq', value: orgId },
    // Most selective first: a job has few contracts or tasks, a subject some, a status many.
    filters: equalities(query, ['jobId', 'assigneeSubjectId', 'status']),
    ...pageWindow(query, list.sortField),
  });
  if (isAppError(page)) return sendError(reply, page);
  return { orgId, [list.key]: page.items.map(list.view), pageInfo: page.pageInfo };
}
