import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { pageInfoReply, pageQueryFields, pageWindow } from './page-query.ts';
import { equalityFilter, filtersRead, storePage } from './list-page.ts';
import { jobCommandSchema } from '../../domain/job/commands.ts';
import { assignmentStrategySchema, completionModeSchema, jobPrioritySchema } from '../../domain/job/fields.ts';
import { escalatableJobStatusSchema, jobStatusSchema } from '../../domain/job/state.ts';
import { appError, isAppError } from '../../domain/shared/app-error.ts';
import { uuidSchema } from '../../domain/shared/ids.ts';
import type { JobCommandType } from '../../domain/job/commands.ts';
import { JOBS, JOBS_PROJECTION, jobView } from '../../projections/read-models/jobs.ts';
import type { Platform } from '../platform.ts';
import { orgIdParam } from './orgs.ts';
import { commandErrors, commandReply, principalReply } from '../openapi/responses.ts';
import { commandBody, type CommandRouteSchema, bodyWithPath, commandRoute } from './command-route.ts';
import { orgReadRoute } from '../routing/org-read-route.ts';
import { orgDocumentReply } from './org-document.ts';

const tags = ['jobs'];
const jobParams = { ...orgIdParam, jobId: uuidSchema.describe('the job id') };

/** The lifecycle commands on an existing job: path segment, command, action, summary. */
const transitions: ReadonlyArray<readonly [string, Exclude<JobCommandType, 'SubmitJob'>, string, string]> = [
  ['start-contracting', 'StartContracting', 'job.contracting.start', 'Start contracting for a job'],
  ['assign', 'AssignJob', 'job.assign', 'Assign a job'],
  ['start', 'StartWork', 'job.start', 'Start work on a job'],
  ['deliver', 'DeliverJob', 'job.deliver', 'Deliver a job'],
  ['verify', 'VerifyJob', 'job.verify', "Verify a job's delivery"],
  ['reject', 'RejectDelivery', 'job.reject', "Reject a job's delivery"],
  ['fail', 'FailJob', 'job.fail', 'Fail a job'],
  ['cancel', 'CancelJob', 'job.cancel', 'Cancel a job'],
  ['escalate', 'EscalateJob', 'job.escalate', 'Escalate a job'],
  ['raise-escalation', 'RaiseEscalation', 'job.escalation.raise', "Raise a job's open escalation to another role"],
  ['resolve-escalation', 'ResolveEscalation', 'job.escalation.resolve', "Resolve a job's escalation"],
];

const notes: Partial<Record<JobCommandType, string>> = {
  AssignJob: " Refuses one of the job's verifiers (409 ASSIGNEE_IS_VERIFIER).",
  StartWork: ' Only the assignee (or an admin / the system for it): 403 NOT_THE_ASSIGNEE.',
  DeliverJob: ' Only the assignee (or an admin / the system for it): 403 NOT_THE_ASSIGNEE.',
  VerifyJob: ' Only a verifier (or an admin / the system): 403 NOT_THE_VERIFIER.',
  RejectDelivery: ' Only a verifier (or an admin / the system): 403 NOT_THE_VERIFIER. Final: rework is a new job.',
  ResolveEscalation: ' `resume` returns the job where it was, `cancel` cancels it, `reassign` sends it back to contracting.',
};

const jobReply = z.object({
  jobId: z.uuid(),
  orgId: z.uuid(),
  status: jobStatusSchema,
  goal: z.string(),
  objectives: z.array(z.string()),
  priority: jobPrioritySchema,
  completionMode: completionModeSchema,
  deadline: z.string().nullable(),
  requiredCapabilities: z.array(z.object({ name: z.string(), level: z.int() })),
  requiredRoles: z.array(z.string()),
  outputTemplate: z.record(z.string(), z.unknown()).nullable(),
  verifierSubjectIds: z.array(z.uuid()),
  budget: z.object({ amount: z.number(), currency: z.string() }).nullable(),
  assignmentStrategy: assignmentStrategySchema.nullable().describe("null: the org's configured strategy"),
  directAssignee: z.uuid().nullable(),
  submittedBy: principalReply,
  submittedAt: z.string(),
  assigneeSubjectId: z.uuid().nullable().describe('null until assigned, and again after a reassignment'),
  contractId: z.uuid().nullable(),
  delivery: z.object({ deliverable: z.unknown(), note: z.string().nullable(), deliveredBy: principalReply, deliveredAt: z.string() }).nullable(),
  verification: z.object({ verifiedBy: principalReply, note: z.string().nullable(), verifiedAt: z.string() }).nullable(),
  escalation: z
    .object({ reason: z.string(), escalateTo: z.string(), from: escalatableJobStatusSchema, escalatedBy: principalReply, escalatedAt: z.string() })
    .nullable()
    .describe('the open escalation while escalated'),
  statusReason: z.string().nullable().describe('why the job was rejected, failed or cancelled'),
  revision: z.int().describe('the job stream revision (also the ETag; If-Match of the commands)'),
  updatedAt: z.string(),
  closedAt: z.string().nullable().describe('when the job reached a final status'),
  position: z.string().describe('global log position of the last event reflected'),
});

export const jobsQuery = z.strictObject({
  status: jobStatusSchema.optional().describe('only jobs in this status'),
  priority: jobPrioritySchema.optional().describe('only jobs of this priority'),
  assigneeSubjectId: uuidSchema.optional().describe('only jobs assigned to this subject'),
  ...pageQueryFields('submission time'),
});
type JobsQuery = z.infer<typeof jobsQuery>;
/** The filters of the jobs list: what the policy sees of the read and what the store filters on. */
const jobFilters = ['status', 'priority', 'assigneeSubjectId'] as const;

const jobsReply = z.object({
  orgId: z.uuid(),
  jobs: z.array(jobReply),
  pageInfo: pageInfoReply,
});

function transitionDoc(type: JobCommandType, action: string, summary: string): CommandRouteSchema {
  return {
    summary,
    description: `${type} (action \`${action}\`). Lifecycle: domain/job/README.md; a command its status does not accept is 409 ILLEGAL_TRANSITION.${notes[type] ?? ''}`,
    tags,
    params: z.object(jobParams),
    body: commandBody(jobCommandSchema, type, { fromPath: ['orgId', 'jobId'] }),
    response: { '200': commandReply('Done', { jobId: z.uuid() }), ...commandErrors },
  };
}

const jobIdOf = (streamId: string) => streamId.slice('job-'.length);

/** Jobs: submission and lifecycle commands (through `platform.jobs`, quota counted from the read model), and reads. */
export async function jobRoutes(app: FastifyInstance, platform: Platform): Promise<void> {
  commandRoute(app, platform, {
    url: '/orgs/:orgId/jobs',
    aggregate: platform.jobs,
    status: 201,
    schema: {
      summary: 'Submit a job',
      description:
        'SubmitJob (action `job.submit`). The org must be active (409 ORG_NOT_ACTIVE) and below its open-jobs quota (org metadata `quota.maxOpenJobs`, default 100: 409 QUOTA_EXCEEDED; 503 QUOTA_UNKNOWN when the jobs read model cannot count them in time). `jobId` derives from the command id when absent, so a retry with the same Idempotency-Key submits the same job.',
      tags,
      params: z.object(orgIdParam),
      body: commandBody(jobCommandSchema, 'SubmitJob', { fromPath: ['orgId'], optional: ['jobId'] }),
      response: { '201': commandReply('The job is submitted', { jobId: z.uuid() }), ...commandErrors },
    },
    build: bodyWithPath('SubmitJob', ['orgId'], { jobId: 'job' }),
    reply: (result) => ({ jobId: jobIdOf(result.streamId) }),
  });

  for (const [path, type, action, summary] of transitions) {
    commandRoute(app, platform, {
      url: `/orgs/:orgId/jobs/:jobId/${path}`,
      aggregate: platform.jobs,
      schema: transitionDoc(type, action, summary),
      build: bodyWithPath(type, ['orgId', 'jobId']),
      reply: (result) => ({ jobId: jobIdOf(result.streamId) }),
    });
  }

  orgReadRoute(app, platform, {
    url: '/orgs/:orgId/jobs',
    summary: "An org's jobs",
    description:
      "Action `job.read` (default policy: the org's members; platform admins), from the jobs read model once it has reached the head of the log (503 READ_MODEL_BEHIND otherwise). Filters are typed and AND-ed; pages follow `pageInfo.endCursor` (400 INVALID_CURSOR for a cursor of another list or order).",
    tags,
    querystring: jobsQuery,
    reply: ['The jobs', jobsReply],
    action: 'job.read',
    read: ({ query }) => ({ type: 'ReadJobs', data: filtersRead(query, jobFilters) }),
    readModels: [JOBS_PROJECTION],
    answer: async ({ orgId, query }) => {
      const page = await listJobs(platform, orgId, query);
      return isAppError(page) ? page : { orgId, ...page };
    },
  });

  orgReadRoute(app, platform, {
    url: '/orgs/:orgId/jobs/:jobId',
    summary: 'Read a job',
    description:
      "Action `job.read` (default policy: the org's members; platform admins), from the jobs read model once it has reached the head of the log. 404 JOB_NOT_FOUND when the org has no such job. ETag = job stream revision.",
    tags,
    params: z.object(jobParams),
    reply: ['The job', jobReply],
    action: 'job.read',
    read: ({ params }) => ({ type: 'ReadJob', data: { jobId: params.jobId } }),
    readModels: [JOBS_PROJECTION],
    answer: ({ orgId, params: { jobId } }, reply) =>
      orgDocumentReply(platform, reply, {
        collection: JOBS,
        id: jobId,
        orgId,
        view: jobView,
        notFound: () => appError('not_found', 'JOB_NOT_FOUND', `org ${orgId} has no job ${jobId}`, { orgId, jobId }),
      }),
  });
}

async function listJobs(platform: Platform, orgId: string, query: JobsQuery) {
  const page = await storePage(platform.docs, JOBS, {
    filter: equalityFilter({ field: 'orgId', op: 'eq', value: orgId }, query, jobFilters),
    ...pageWindow(query, 'submittedAt'),
  });
  return isAppError(page) ? page : { jobs: page.items.map(jobView), pageInfo: page.pageInfo };
}
