import { appError, isAppError, type AppError } from '../shared/app-error.ts';
import type { RosterDecisionContext } from './context.ts';
import type { RosterCommandOf } from './commands.ts';
import type { RosterEvent } from './events.ts';
import { checkGrant } from './grant-checks.ts';
import { isActive, type Application, type RosterState } from './state.ts';

type Decision = readonly RosterEvent[] | AppError;

/** Applications one subject may have waiting in one org at once. */
export const MAX_PENDING_APPLICATIONS_PER_SUBJECT = 10;

export function applyForRole({ data }: RosterCommandOf<'ApplyForRole'>, state: RosterState, context: RosterDecisionContext): Decision {
  if (state.applications.has(data.applicationId)) {
    return appError('conflict', 'APPLICATION_ID_TAKEN', `application ${data.applicationId} already exists`, { applicationId: data.applicationId });
  }
  if (context.principal.kind === 'subject' && context.principal.id !== data.subjectId) {
    return appError('forbidden', 'APPLY_FOR_OTHERS', 'a subject applies for roles only for itself', { subjectId: data.subjectId });
  }
  const role = state.roles.get(data.role);
  if (!role) return appError('unprocessable', 'ROLE_NOT_FOUND', `role ${data.role} does not exist`, { role: data.role });
  if (role.assignmentType === 'fixed') {
    return appError('conflict', 'ROLE_NOT_OPEN', `role ${data.role} is assigned, not applied for`, { role: data.role, assignmentType: role.assignmentType });
  }
  // Anyone the policy lets apply may be a stranger: what one subject can add to the org's roster is bounded by the
  // org's own structure (its roles and job spaces) and by MAX_PENDING_APPLICATIONS_PER_SUBJECT.
  if (data.jobSpace !== null && !state.jobSpaces.has(data.jobSpace)) {
    return appError('unprocessable', 'JOB_SPACE_NOT_FOUND', `job space ${data.jobSpace} does not exist`, { jobSpace: data.jobSpace });
  }
  const own = [...state.applications.values()].filter((application) => application.status === 'pending' && application.subjectId === data.subjectId);
  const pending = own.find((application) => application.role === data.role && application.jobSpace === data.jobSpace);
  if (pending) return appError('conflict', 'APPLICATION_PENDING', 'an application for this role is already pending', { applicationId: pending.applicationId });
  if (own.length >= MAX_PENDING_APPLICATIONS_PER_SUBJECT) {
    return appError(
      'conflict',
      'TOO_MANY_PENDING_APPLICATIONS',
      `at most ${MAX_PENDING_APPLICATIONS_PER_SUBJECT} of a subject's applications may be pending in one org`,
      {
        max: MAX_PENDING_APPLICATIONS_PER_SUBJECT,
      },
    );
  }
  const held = [...state.associations.values()].find(
    (association) =>
      association.subjectId === data.subjectId &&
      association.role === data.role &&
      association.jobSpace === data.jobSpace &&
      isActive(association, context.now),
  );
  if (held)
    return appError('conflict', 'ASSOCIATION_EXISTS', `subject ${data.subjectId} already holds ${data.role} here`, { associationId: held.associationId });
  const { orgId, ...application } = data;
  return [{ type: 'RoleApplicationSubmitted', data: { orgId, application: { ...application, appliedBy: context.principal, appliedAt: context.now } } }];
}

export function approveRoleApplication({ data }: RosterCommandOf<'ApproveRoleApplication'>, state: RosterState, context: RosterDecisionContext): Decision {
  const application = pendingApplication(state, data.applicationId);
  if (isAppError(application)) return application;
  if (context.principal.kind === 'subject' && context.principal.id === application.subjectId) {
    return appError('forbidden', 'SELF_APPROVAL', 'a subject cannot approve its own application', { applicationId: data.applicationId });
  }
  if (state.associations.has(data.associationId)) {
    return appError('conflict', 'ASSOCIATION_ID_TAKEN', `association ${data.associationId} already exists`, { associationId: data.associationId });
  }
  const grant = { subjectId: application.subjectId, role: application.role, jobSpace: application.jobSpace, expiresAt: data.expiresAt, parentSubjectId: null };
  const refused = checkGrant(state, grant, context);
  if (refused) return refused;
  return [
    {
      type: 'RoleApplicationApproved',
      data: { orgId: data.orgId, applicationId: data.applicationId, associationId: data.associationId, approvedBy: context.principal },
    },
    {
      type: 'RoleGranted',
      data: {
        orgId: data.orgId,
        association: { associationId: data.associationId, ...grant, grantedBy: context.principal, grantedAt: context.now, applicationId: data.applicationId },
      },
    },
  ];
}

export function rejectRoleApplication({ data }: RosterCommandOf<'RejectRoleApplication'>, state: RosterState, context: RosterDecisionContext): Decision {
  const application = pendingApplication(state, data.applicationId);
  if (isAppError(application)) return application;
  return [
    { type: 'RoleApplicationRejected', data: { orgId: data.orgId, applicationId: data.applicationId, reason: data.reason, rejectedBy: context.principal } },
  ];
}

/** The application, when it exists and still waits for a decision; otherwise the refusal that says which it is not. */
function pendingApplication(state: RosterState, applicationId: string): Application | AppError {
  const application = state.applications.get(applicationId);
  if (!application) return appError('not_found', 'APPLICATION_NOT_FOUND', `application ${applicationId} does not exist`, { applicationId });
  if (application.status !== 'pending') {
    return appError('conflict', 'APPLICATION_DECIDED', `application ${applicationId} is already ${application.status}`, {
      applicationId,
      status: application.status,
    });
  }
  return application;
}
