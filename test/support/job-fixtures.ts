import type { JobCommand, JobCommandType } from '../../domain/job/commands.ts';
import type { JobDecisionContext } from '../../domain/job/decide.ts';
import { jobDecider } from '../../domain/job/decider.ts';
import type { JobEvent } from '../../domain/job/events.ts';
import type { EscalatableJobStatus, JobStatus } from '../../domain/job/state.ts';
import { deciderSpec } from './decider-spec.ts';
import { admin, assignee, assigneeId, contractId, jobId, now, orgId, verifier, verifierId } from './work-identities.ts';

export * from './work-identities.ts';

export const later = '2026-12-27T10:00:00.000Z';

export const jobContext: JobDecisionContext = {
  now,
  principal: admin,
  commandId: 'cmd-00000001',
  orgStatus: 'active',
  openJobs: 0,
  maxOpenJobs: 100,
};
export const jobSpec = deciderSpec(jobDecider, jobContext);

type SubmitData = Extract<JobCommand, { type: 'SubmitJob' }>['data'];
type EventData<Type extends JobEvent['type']> = Extract<JobEvent, { type: Type }>['data'];

/** What the job's SubmitJob asks for, and so what its JobSubmitted records (fresh each time: tests may change it). */
function submission() {
  return {
    jobId,
    orgId,
    goal: 'Summarise the quarterly report',
    objectives: ['one page', 'plain English'],
    priority: 'normal',
    completionMode: 'verified',
    requiredCapabilities: [{ name: 'nlp.summarize', level: 5 }],
    requiredRoles: ['writer'],
    verifierSubjectIds: [verifierId],
  } satisfies Partial<SubmitData>;
}

/** A SubmitJob as it looks after parsing (defaults applied). */
export function submitJob(overrides: Partial<SubmitData> = {}): JobCommand {
  return { type: 'SubmitJob', data: { ...submission(), ...overrides } };
}

export function jobSubmitted(overrides: Partial<EventData<'JobSubmitted'>> = {}): JobEvent {
  return {
    type: 'JobSubmitted',
    data: {
      ...submission(),
      deadline: null,
      outputTemplate: null,
      budget: null,
      assignmentStrategy: null,
      directAssignee: null,
      submittedBy: admin,
      submittedAt: now,
      ...overrides,
    },
  };
}

export const contractingStarted: JobEvent = { type: 'JobContractingStarted', data: { jobId, orgId } };
export const jobAssigned: JobEvent = { type: 'JobAssigned', data: { jobId, orgId, assigneeSubjectId: assigneeId, contractId } };
export const workStarted: JobEvent = { type: 'JobWorkStarted', data: { jobId, orgId } };
export const deliverable = { summary: 'Revenue grew; costs fell.', pages: 1 };
export const jobDelivered: JobEvent = {
  type: 'JobDelivered',
  data: { jobId, orgId, deliverable, note: null, deliveredBy: assignee, deliveredAt: now },
};
export const jobVerified: JobEvent = { type: 'JobVerified', data: { jobId, orgId, note: null, verifiedBy: verifier, verifiedAt: now } };
export const deliveryRejected: JobEvent = {
  type: 'JobDeliveryRejected',
  data: { jobId, orgId, reason: 'too long', rejectedBy: verifier, rejectedAt: now },
};
export const jobFailed: JobEvent = { type: 'JobFailed', data: { jobId, orgId, reason: 'agent crashed' } };
export const jobCancelled: JobEvent = { type: 'JobCancelled', data: { jobId, orgId, reason: 'no longer needed' } };
export const jobEscalated = (from: EscalatableJobStatus): JobEvent => ({
  type: 'JobEscalated',
  data: { jobId, orgId, reason: 'stuck', escalateTo: 'board', from, escalatedBy: admin, escalatedAt: now },
});

/** The events that bring a job (in the default, verified completion mode) into each status. */
export const historyTo: Record<JobStatus, readonly JobEvent[]> = {
  submitted: [jobSubmitted()],
  contracting: [jobSubmitted(), contractingStarted],
  assigned: [jobSubmitted(), contractingStarted, jobAssigned],
  in_progress: [jobSubmitted(), contractingStarted, jobAssigned, workStarted],
  delivered: [jobSubmitted(), contractingStarted, jobAssigned, workStarted, jobDelivered],
  verified: [jobSubmitted(), contractingStarted, jobAssigned, workStarted, jobDelivered, jobVerified],
  rejected: [jobSubmitted(), contractingStarted, jobAssigned, workStarted, jobDelivered, deliveryRejected],
  failed: [jobSubmitted(), contractingStarted, jobAssigned, workStarted, jobFailed],
  cancelled: [jobSubmitted(), jobCancelled],
  escalated: [jobSubmitted(), contractingStarted, jobAssigned, workStarted, jobEscalated('in_progress')],
};

export const allJobStatuses = Object.keys(historyTo) as JobStatus[];

/** A command on a job that exists: every type but SubmitJob. */
export type JobCommandOnAJob = Exclude<JobCommand, { type: 'SubmitJob' }>;

/** One well-formed command of every type but SubmitJob, for table-driven checks. */
export const commandsOnAJob: { [Type in Exclude<JobCommandType, 'SubmitJob'>]: Extract<JobCommandOnAJob, { type: Type }> } = {
  StartContracting: { type: 'StartContracting', data: { jobId, orgId } },
  AssignJob: { type: 'AssignJob', data: { jobId, orgId, assigneeSubjectId: assigneeId, contractId } },
  StartWork: { type: 'StartWork', data: { jobId, orgId } },
  DeliverJob: { type: 'DeliverJob', data: { jobId, orgId, deliverable } },
  VerifyJob: { type: 'VerifyJob', data: { jobId, orgId } },
  RejectDelivery: { type: 'RejectDelivery', data: { jobId, orgId, reason: 'too long' } },
  FailJob: { type: 'FailJob', data: { jobId, orgId, reason: 'agent crashed' } },
  CancelJob: { type: 'CancelJob', data: { jobId, orgId, reason: 'no longer needed' } },
  EscalateJob: { type: 'EscalateJob', data: { jobId, orgId, reason: 'stuck', escalateTo: 'board' } },
  RaiseEscalation: { type: 'RaiseEscalation', data: { jobId, orgId, reason: 'nobody answered', escalateTo: 'owner' } },
  ResolveEscalation: { type: 'ResolveEscalation', data: { jobId, orgId, resolution: 'resume' } },
};

/** The state after `events`. */
export const jobStateAfter = (events: readonly JobEvent[]) => events.reduce(jobDecider.evolve, jobDecider.initialState);
