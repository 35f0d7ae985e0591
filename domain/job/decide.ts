import type { OrgStatus } from '../org/state.ts';
import { appError, type AppError } from '../shared/app-error.ts';
import type { DecisionContext } from '../shared/decider.ts';
import { actsForThePlatform, isSubject, type Principal } from '../shared/principal.ts';
import type { JobCommand } from './commands.ts';
import type { JobEvent } from './events.ts';
import { isEscalatableJobStatus, type Job, type JobState } from './state.ts';
import { jobTransitions, resolutionTarget } from './transitions.ts';
import { orgNotFound } from '../org/not-found.ts';
import { illegalTransition } from '../shared/illegal-transition.ts';

/**
 * What a submission needs beyond the job's own stream; the handler loads it for SubmitJob only (the other commands
 * decide from the job's stream alone). A SubmitJob decided without it is refused, never waved through.
 */
export interface JobDecisionContext extends DecisionContext {
  /** The org's lifecycle status; null when the org does not exist. Jobs are submitted to active orgs only. */
  orgStatus?: OrgStatus | null;
  /** How many of the org's jobs are open (not verified, rejected, failed or cancelled) right now. */
  openJobs?: number;
  /** The org's quota of open jobs (see quota.ts for where it comes from). */
  maxOpenJobs?: number;
}

export function decideJob(command: JobCommand, state: JobState, context: JobDecisionContext): readonly JobEvent[] | AppError {
  const { jobId, orgId } = command.data;
  if (command.type === 'SubmitJob') {
    const { data } = command;
    if (state !== null) return appError('conflict', 'JOB_ALREADY_EXISTS', `job ${jobId} already exists`, { jobId });
    if (context.orgStatus === undefined || context.orgStatus === null) {
      return orgNotFound(orgId);
    }
    if (context.orgStatus !== 'active') {
      return appError('conflict', 'ORG_NOT_ACTIVE', `org ${orgId} is ${context.orgStatus}; it accepts no jobs`, { orgId, status: context.orgStatus });
    }
    if (data.deadline !== undefined && !(Date.parse(data.deadline) > Date.parse(context.now))) {
      return appError('unprocessable', 'DEADLINE_IN_PAST', `the deadline ${data.deadline} is not in the future`, { deadline: data.deadline, now: context.now });
    }
    const { openJobs, maxOpenJobs } = context;
    if (openJobs === undefined || maxOpenJobs === undefined) {
      return appError('unavailable', 'QUOTA_UNKNOWN', `the open jobs of org ${orgId} could not be counted; retry later`, { orgId });
    }
    if (openJobs >= maxOpenJobs) {
      return appError('conflict', 'QUOTA_EXCEEDED', `org ${orgId} already has ${openJobs} open jobs (its quota is ${maxOpenJobs})`, {
        orgId,
        openJobs,
        maxOpenJobs,
      });
    }
    return [
      {
        type: 'JobSubmitted',
        data: {
          jobId,
          orgId,
          goal: data.goal,
          objectives: data.objectives,
          priority: data.priority,
          completionMode: data.completionMode,
          deadline: data.deadline ?? null,
          requiredCapabilities: data.requiredCapabilities,
          requiredRoles: data.requiredRoles,
          outputTemplate: data.outputTemplate ?? null,
          verifierSubjectIds: data.verifierSubjectIds,
          budget: data.budget ?? null,
          assignmentStrategy: data.assignmentStrategy ?? null,
          directAssignee: data.directAssignee ?? null,
          submittedBy: context.principal,
          submittedAt: context.now,
        },
      },
    ];
  }

  // A job of another org is as absent as one that does not exist: naming the wrong org reveals nothing.
  if (state === null || state.orgId !== orgId) {
    return appError('not_found', 'JOB_NOT_FOUND', `org ${orgId} has no job ${jobId}`, { jobId, orgId });
  }
  if (jobTransitions[state.status][command.type] === undefined) return illegal(state, command.type);

  const { principal, now } = context;
  switch (command.type) {
    case 'StartContracting':
      return [{ type: 'JobContractingStarted', data: { jobId, orgId } }];
    case 'AssignJob': {
      const { assigneeSubjectId, contractId } = command.data;
      // Separation of duties: no one verifies their own work.
      if (state.verifierSubjectIds.includes(assigneeSubjectId)) {
        return appError('conflict', 'ASSIGNEE_IS_VERIFIER', `subject ${assigneeSubjectId} verifies job ${jobId}, so it cannot do it`, {
          jobId,
          assigneeSubjectId,
        });
      }
      return [{ type: 'JobAssigned', data: { jobId, orgId, assigneeSubjectId, contractId } }];
    }
    case 'StartWork': {
      const refused = onlyTheAssignee(state, principal);
      return refused ?? [{ type: 'JobWorkStarted', data: { jobId, orgId } }];
    }
    case 'DeliverJob': {
      const refused = onlyTheAssignee(state, principal);
      if (refused) return refused;
      const { deliverable, note } = command.data;
      return [{ type: 'JobDelivered', data: { jobId, orgId, deliverable, note: note ?? null, deliveredBy: principal, deliveredAt: now } }];
    }
    case 'VerifyJob': {
      const refused = onlyAVerifier(state, principal);
      return refused ?? [{ type: 'JobVerified', data: { jobId, orgId, note: command.data.note ?? null, verifiedBy: principal, verifiedAt: now } }];
    }
    case 'RejectDelivery': {
      const refused = onlyAVerifier(state, principal);
      return refused ?? [{ type: 'JobDeliveryRejected', data: { jobId, orgId, reason: command.data.reason, rejectedBy: principal, rejectedAt: now } }];
    }
    case 'FailJob':
      return [{ type: 'JobFailed', data: { jobId, orgId, reason: command.data.reason } }];
    case 'CancelJob':
      return [{ type: 'JobCancelled', data: { jobId, orgId, reason: command.data.reason } }];
    case 'EscalateJob': {
      if (!isEscalatableJobStatus(state.status)) return illegal(state, command.type);
      const { reason, escalateTo } = command.data;
      return [{ type: 'JobEscalated', data: { jobId, orgId, reason, escalateTo, from: state.status, escalatedBy: principal, escalatedAt: now } }];
    }
    case 'RaiseEscalation': {
      if (state.escalation === null) return illegal(state, command.type);
      const { reason, escalateTo } = command.data;
      if (escalateTo === state.escalation.escalateTo) return [];
      return [
        {
          type: 'JobEscalationRaised',
          data: { jobId, orgId, reason, escalateTo, previousEscalateTo: state.escalation.escalateTo, raisedBy: principal, raisedAt: now },
        },
      ];
    }
    case 'ResolveEscalation': {
      if (state.escalation === null) return illegal(state, command.type);
      const { resolution, note, deadline } = command.data;
      if (deadline !== undefined && !(Date.parse(deadline) > Date.parse(context.now))) {
        return appError('unprocessable', 'DEADLINE_IN_PAST', `the deadline ${deadline} is not in the future`, { deadline, now: context.now });
      }
      return [
        {
          type: 'JobEscalationResolved',
          data: {
            jobId,
            orgId,
            resolution,
            note: note ?? null,
            status: resolutionTarget(resolution, state.escalation.from),
            ...(deadline === undefined ? {} : { deadline }),
            resolvedBy: principal,
            resolvedAt: now,
          },
        },
      ];
    }
  }
}

function illegal(job: Job, command: JobCommand['type']): AppError {
  return illegalTransition('a job', { jobId: job.jobId }, job.status, command);
}

/** Work on a job is started and delivered by the subject it is assigned to (or by the platform on its behalf). */
function onlyTheAssignee(job: Job, principal: Principal): AppError | undefined {
  if (actsForThePlatform(principal)) return undefined;
  if (job.assignment !== null && isSubject(principal, job.assignment.assigneeSubjectId)) return undefined;
  return appError('forbidden', 'NOT_THE_ASSIGNEE', `only the assignee of job ${job.jobId} may do that`, { jobId: job.jobId, principal: principal.id });
}

/** A delivery is accepted or rejected by one of the job's verifiers (or by the platform). */
function onlyAVerifier(job: Job, principal: Principal): AppError | undefined {
  if (actsForThePlatform(principal)) return undefined;
  if (job.verifierSubjectIds.some((verifier) => isSubject(principal, verifier))) return undefined;
  return appError('forbidden', 'NOT_THE_VERIFIER', `only a verifier of job ${job.jobId} may do that`, { jobId: job.jobId, principal: principal.id });
}
