import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { pageInfoReply, pageQueryFields, pageWindow } from './page-query.ts';
import { equalityFilter, filtersRead, storePage } from './list-page.ts';
import { roundFailureSchema } from '../../domain/assignment/fields.ts';
import { breachKindSchema, contractPartySchema } from '../../domain/contract/fields.ts';
import { contractStatusSchema } from '../../domain/contract/state.ts';
import { assignmentStrategySchema, escalationResolutionSchema } from '../../domain/job/fields.ts';
import { jobStatusSchema } from '../../domain/job/state.ts';
import { roleNameSchema } from '../../domain/roster/fields.ts';
import { appError, isAppError } from '../../domain/shared/app-error.ts';
import { uuidSchema } from '../../domain/shared/ids.ts';
import { reviewVerdictSchema } from '../../domain/task/fields.ts';
import { taskStatusSchema } from '../../domain/task/state.ts';
import { ASSIGNMENTS, ASSIGNMENTS_PROJECTION, assignmentView } from '../../projections/read-models/assignments.ts';
import { BIDS, BIDS_PROJECTION, bidView } from '../../projections/read-models/bids.ts';
import { CONTRACTS, CONTRACTS_PROJECTION, contractView } from '../../projections/read-models/contracts.ts';
import { ESCALATIONS, ESCALATIONS_PROJECTION, escalationView } from '../../projections/read-models/escalations.ts';
import { TASKS, TASKS_PROJECTION, taskView } from '../../projections/read-models/tasks.ts';
import type { Platform } from '../platform.ts';
import { orgIdParam } from './orgs.ts';
import { principalReply } from '../openapi/responses.ts';
import type { JsonDocument } from '../../infra/documents/port.ts';
import { orgReadRoute } from '../routing/org-read-route.ts';
import { orgDocumentReply } from './org-document.ts';

/**
 * Reads of an org's work from the read models: a contract, a task, a job's assignment with its bids, the org's
 * escalations. Every one is the org's `job.read` (what the jobs are read with: the default policy lets the org's
 * members), with its own query name (`ReadContract`, `ReadTask`, `ReadAssignment`, `ReadEscalations`) and parameters
 * as `command.data`, as GraphQL decides the same reads. Each waits (at most 5 s) for its read models to reach the
 * head of the log (503 READ_MODEL_BEHIND otherwise), so what was just done reads as done.
 */

/** Bids answered with an assignment (by round, then as received); more are in GraphQL's `bids` connection. */
const MAX_BIDS = 1000;

const jobParams = { ...orgIdParam, jobId: uuidSchema.describe('the job id') };

export const escalationsQuery = z.strictObject({
  open: z
    .enum(['true', 'false'])
    .transform((value) => value === 'true')
    .optional()
    .describe('only unresolved escalations (true) or only ended ones (false)'),
  escalateTo: roleNameSchema.optional().describe('only escalations that go to this role now'),
  jobId: uuidSchema.optional().describe("only this job's escalations"),
  ...pageQueryFields('escalation time'),
});

/** The filters of the escalations list: what the policy sees of the read and what the store filters on. */
const escalationFilters = ['open', 'escalateTo', 'jobId'] as const;

const position = z.string().describe('global log position of the last event reflected');

export const contractReply = z.object({
  contractId: z.uuid(),
  orgId: z.uuid(),
  jobId: z.uuid(),
  assigneeSubjectId: z.uuid(),
  verifierSubjectIds: z.array(z.uuid()),
  status: contractStatusSchema,
  permittedActions: z.array(z.string()),
  permittedTools: z.array(z.string()),
  deliverables: z.array(z.string()),
  obligations: z.array(z.object({ obligationId: z.string(), description: z.string(), dueAt: z.string() })),
  escalateTo: z.string().nullable(),
  reviewRequired: z.boolean(),
  review: z.object({ approved: z.boolean(), note: z.string().nullable(), reviewedBy: principalReply, reviewedAt: z.string() }).nullable(),
  signatures: z.object({
    org: z.object({ signedBy: principalReply, signedAt: z.string() }).nullable(),
    assignee: z.object({ signedBy: principalReply, signedAt: z.string() }).nullable(),
  }),
  breaches: z
    .array(
      z.object({ breachId: z.string(), kind: breachKindSchema, clause: z.string(), details: z.string(), recordedBy: principalReply, recordedAt: z.string() }),
    )
    .describe('the latest 50 breaches'),
  breachCount: z.int().describe('every breach recorded'),
  rejection: z.object({ party: contractPartySchema, reason: z.string(), rejectedBy: principalReply, rejectedAt: z.string() }).nullable(),
  statusReason: z.string().nullable(),
  draftedBy: principalReply,
  draftedAt: z.string(),
  activatedAt: z.string().nullable(),
  endedAt: z.string().nullable(),
  revision: z.int().describe('the contract stream revision (also the ETag; If-Match of the contract commands)'),
  updatedAt: z.string(),
  position,
});

export const taskReply = z.object({
  taskId: z.uuid(),
  orgId: z.uuid(),
  jobId: z.uuid(),
  parentTaskId: z.uuid().nullable(),
  contractId: z.uuid().nullable(),
  title: z.string(),
  input: z.unknown(),
  assigneeSubjectId: z.uuid(),
  heartbeatTimeoutMs: z.int(),
  maxAttempts: z.int(),
  status: taskStatusSchema,
  attempt: z.int(),
  progress: z.number().nullable(),
  lastHeartbeatAt: z.string().nullable(),
  lastFailure: z.object({ attempt: z.int(), reason: z.string(), failedBy: principalReply, failedAt: z.string() }).nullable(),
  completion: z.object({ outputs: z.unknown(), attempt: z.int(), completedBy: principalReply, completedAt: z.string() }).nullable(),
  outputs: z.unknown().describe("the completion's outputs (null until completed)"),
  review: z.object({ verdict: reviewVerdictSchema, note: z.string().nullable(), reviewedBy: principalReply, reviewedAt: z.string() }).nullable(),
  statusReason: z.string().nullable(),
  createdBy: principalReply,
  createdAt: z.string(),
  closedAt: z.string().nullable(),
  revision: z.int(),
  updatedAt: z.string(),
  position,
});

const bidReply = z.object({
  bidId: z.uuid(),
  orgId: z.uuid(),
  jobId: z.uuid(),
  round: z.int(),
  subjectId: z.uuid(),
  price: z.number(),
  etaSeconds: z.int().nullable(),
  note: z.string().nullable(),
  valid: z.boolean(),
  reasons: z.array(z.string()).describe('why it was refused; empty when valid'),
  receivedAt: z.string(),
  position,
});

const assignmentReply = z.object({
  assignment: z.object({
    jobId: z.uuid(),
    orgId: z.uuid(),
    strategy: assignmentStrategySchema,
    maxRounds: z.int(),
    round: z.int(),
    phase: z.enum(['assessing', 'bidding', 'awarded', 'completed', 'escalated', 'cancelled']),
    closesAt: z.string().nullable(),
    assessedCount: z.int().nullable(),
    eligibleCount: z.int().nullable(),
    invitedCount: z.int().nullable(),
    validBidCount: z.int(),
    bidCount: z.int(),
    award: z.object({ round: z.int(), subjectId: z.uuid(), contractId: z.uuid(), basis: z.string(), declined: z.array(z.uuid()) }).nullable(),
    failedRounds: z.int(),
    roundFailures: z.array(z.object({ round: z.int(), reason: roundFailureSchema, detail: z.string(), failedAt: z.string() })),
    excluded: z.array(z.uuid()),
    escalation: z.object({ reason: z.string(), rounds: z.int(), escalatedAt: z.string() }).nullable(),
    cancellation: z.object({ reason: z.string(), cancelledAt: z.string() }).nullable(),
    restarts: z.int(),
    startedAt: z.string(),
    completedAt: z.string().nullable(),
    updatedAt: z.string(),
    position,
  }),
  bids: z.array(bidReply).describe(`every bid recorded, by round then as received (at most ${MAX_BIDS})`),
  bidsTruncated: z.boolean().describe(`more than ${MAX_BIDS} bids were recorded`),
});

const escalationReply = z.object({
  escalationId: z.string().describe('`<jobId>:<revision of its JobEscalated>`'),
  orgId: z.uuid(),
  jobId: z.uuid(),
  reason: z.string(),
  escalateTo: z.string().describe('the role it goes to now'),
  from: jobStatusSchema,
  escalatedBy: principalReply,
  escalatedAt: z.string(),
  raises: z.array(z.object({ escalateTo: z.string(), previousEscalateTo: z.string(), reason: z.string(), raisedBy: principalReply, raisedAt: z.string() })),
  open: z.boolean(),
  resolution: escalationResolutionSchema.nullable(),
  note: z.string().nullable(),
  resolvedBy: principalReply.nullable(),
  resolvedAt: z.string().nullable(),
  statusAfter: jobStatusSchema.nullable(),
  deadline: z.string().nullable(),
  updatedAt: z.string(),
  position,
});
const escalationsReply = z.object({
  orgId: z.uuid(),
  escalations: z.array(escalationReply),
  pageInfo: pageInfoReply,
});

const access = "Action `job.read` (default policy: the org's members; platform admins)";

/** The path of a document read: the org's id and the document's (`idName`), both parsed as UUIDs. */
function documentParams(one: DocumentRead): z.ZodType<{ orgId: string } & Record<string, string>> {
  return z.object({ ...orgIdParam, [one.idName]: uuidSchema.describe(`the ${one.name} id`) });
}

interface DocumentRead {
  name: string;
  /** Its list's path segment and tag, plural. */
  tag: string;
  idName: string;
  reply: z.ZodType;
  projection: string;
  collection: string;
  view(document: JsonDocument): { revision: number };
}

/** The reads of one document of the org's work by its id (`/orgs/:orgId/<tag>/:<idName>`), answered with its ETag. */
const documentReads: readonly DocumentRead[] = [
  {
    name: 'contract',
    tag: 'contracts',
    idName: 'contractId',
    reply: contractReply,
    projection: CONTRACTS_PROJECTION,
    collection: CONTRACTS,
    view: contractView,
  },
  { name: 'task', tag: 'tasks', idName: 'taskId', reply: taskReply, projection: TASKS_PROJECTION, collection: TASKS, view: taskView },
];

export async function workReadRoutes(app: FastifyInstance, platform: Platform): Promise<void> {
  for (const one of documentReads) {
    const readName = `Read${one.name[0]?.toUpperCase()}${one.name.slice(1)}`;
    orgReadRoute(app, platform, {
      url: `/orgs/:orgId/${one.tag}/:${one.idName}`,
      summary: `Read a ${one.name}`,
      description: `${access}, query \`${readName}\`, from the ${one.tag} read model once it has reached the head of the log. 404 ${one.name.toUpperCase()}_NOT_FOUND when the org has no such ${one.name}. ETag = ${one.name} stream revision.`,
      tags: [one.tag],
      params: documentParams(one),
      reply: [`The ${one.name}`, one.reply],
      action: 'job.read',
      read: ({ params }) => ({ type: readName, data: { [one.idName]: params[one.idName] } }),
      readModels: [one.projection],
      answer: ({ orgId, params }, reply) => {
        const id = params[one.idName] ?? '';
        return orgDocumentReply(platform, reply, {
          collection: one.collection,
          id,
          orgId,
          view: one.view,
          notFound: () => appError('not_found', `${one.name.toUpperCase()}_NOT_FOUND`, `org ${orgId} has no ${one.name} ${id}`, { orgId, [one.idName]: id }),
        });
      },
    });
  }

  orgReadRoute(app, platform, {
    url: '/orgs/:orgId/jobs/:jobId/assignment',
    summary: "Read a job's assignment and its bids",
    description: `${access}, query \`ReadAssignment\`, from the assignments and bids read models once they have reached the head of the log: rounds, phase, award with its basis, failed rounds, and every bid recorded (refused ones with their reasons). 404 ASSIGNMENT_NOT_FOUND when the job has none (not submitted to this org, or not taken up yet).`,
    tags: ['jobs'],
    params: z.object(jobParams),
    reply: ['The assignment and its bids', assignmentReply],
    action: 'job.read',
    read: ({ params }) => ({ type: 'ReadAssignment', data: { jobId: params.jobId } }),
    readModels: [ASSIGNMENTS_PROJECTION, BIDS_PROJECTION],
    answer: async ({ orgId, params: { jobId } }) => {
      const document = await platform.docs.get(ASSIGNMENTS, jobId);
      if (!document || document.orgId !== orgId)
        return appError('not_found', 'ASSIGNMENT_NOT_FOUND', `org ${orgId} has no assignment of job ${jobId}`, { orgId, jobId });
      const bids = await platform.docs.find(BIDS, {
        filter: {
          and: [
            { field: 'orgId', op: 'eq', value: orgId },
            { field: 'jobId', op: 'eq', value: jobId },
          ],
        },
        sort: [
          { field: 'round', direction: 'asc' },
          { field: 'receivedAt', direction: 'asc' },
        ],
        limit: MAX_BIDS,
      });
      return { assignment: assignmentView(document), bids: bids.items.map(bidView), bidsTruncated: bids.hasMore };
    },
  });

  orgReadRoute(app, platform, {
    url: '/orgs/:orgId/escalations',
    summary: "An org's job escalations",
    description: `${access}, query \`ReadEscalations\` (with the filters), from the escalations read model once it has reached the head of the log. One entry per escalation of a job, open until resolved (or the job cancelled); \`open=true&escalateTo=<role>\` is a role's inbox. Pages follow \`pageInfo.endCursor\` (400 INVALID_CURSOR for a cursor of another list or order).`,
    tags: ['jobs'],
    querystring: escalationsQuery,
    reply: ['The escalations', escalationsReply],
    action: 'job.read',
    read: ({ query }) => ({ type: 'ReadEscalations', data: filtersRead(query, escalationFilters) }),
    readModels: [ESCALATIONS_PROJECTION],
    answer: async ({ orgId, query }) => {
      const page = await storePage(platform.docs, ESCALATIONS, {
        filter: equalityFilter({ field: 'orgId', op: 'eq', value: orgId }, query, escalationFilters),
        ...pageWindow(query, 'escalatedAt'),
      });
      return isAppError(page) ? page : { orgId, escalations: page.items.map(escalationView), pageInfo: page.pageInfo };
    },
  });
}
