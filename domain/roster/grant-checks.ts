import { appError, type AppError } from '../shared/app-error.ts';
import type { RosterDecisionContext } from './context.ts';
import { effectiveRoles, heldRoles, holdersOf } from './effective-roles.ts';
import { conflictKey, isActive, type RosterState } from './state.ts';

export interface GrantRequest {
  subjectId: string;
  role: string;
  jobSpace: string | null;
  expiresAt: string | null;
  parentSubjectId: string | null;
}

/**
 * Every invariant a new association must satisfy, checked against the roster's own revision so that concurrent
 * grants cannot break them together: the role and job space exist, the subject exists and is active, the
 * association is not a duplicate, the role has room (maxHolders), no separation-of-duties conflict arises (with
 * inherited roles), the subject has the required capabilities, and a delegating subject holds the role itself.
 */
export function checkGrant(state: RosterState, request: GrantRequest, context: RosterDecisionContext): AppError | null {
  const { subjectId, role: roleName, jobSpace } = request;
  const role = state.roles.get(roleName);
  if (!role) return appError('unprocessable', 'ROLE_NOT_FOUND', `role ${roleName} does not exist`, { role: roleName });
  if (jobSpace !== null && !state.jobSpaces.has(jobSpace)) {
    return appError('unprocessable', 'JOB_SPACE_NOT_FOUND', `job space ${jobSpace} does not exist`, { jobSpace });
  }
  const subject = context.subject;
  if (!subject) return appError('unprocessable', 'SUBJECT_NOT_FOUND', `subject ${subjectId} does not exist`, { subjectId });
  if (subject.status !== 'active') return appError('conflict', 'SUBJECT_SUSPENDED', `subject ${subjectId} is suspended`, { subjectId });
  if (request.expiresAt !== null && Date.parse(request.expiresAt) <= Date.parse(context.now)) {
    return appError('invalid', 'EXPIRY_IN_PAST', 'expiresAt must be in the future', { expiresAt: request.expiresAt });
  }

  const duplicate = [...state.associations.values()].find(
    (association) =>
      association.subjectId === subjectId && association.role === roleName && association.jobSpace === jobSpace && isActive(association, context.now),
  );
  if (duplicate) {
    return appError('conflict', 'ASSOCIATION_EXISTS', `subject ${subjectId} already holds ${roleName} here`, { associationId: duplicate.associationId });
  }

  const holders = holdersOf(state, roleName, context.now);
  if (role.maxHolders !== null && !holders.has(subjectId) && holders.size >= role.maxHolders) {
    return appError('conflict', 'ROLE_MAX_HOLDERS', `role ${roleName} already has its maximum of ${role.maxHolders} holders`, {
      role: roleName,
      maxHolders: role.maxHolders,
      holders: holders.size,
    });
  }

  const conflict = separationOfDutiesConflict(state, subjectId, roleName, context.now);
  if (conflict) return conflict;

  const missing = role.requiredCapabilities.filter((requirement) => {
    const capability = subject.capabilities.get(requirement.name);
    return !capability || capability.level < requirement.level || (requirement.verified && !capability.verified);
  });
  if (missing.length > 0) {
    return appError('unprocessable', 'MISSING_CAPABILITY', `subject ${subjectId} lacks capabilities role ${roleName} requires`, {
      subjectId,
      role: roleName,
      missing: missing.map((requirement) => ({ ...requirement, has: subject.capabilities.get(requirement.name) ?? null })),
    });
  }

  if (request.parentSubjectId !== null && !heldRoles(state, request.parentSubjectId, context.now).has(roleName)) {
    return appError('unprocessable', 'DELEGATOR_LACKS_ROLE', `delegating subject ${request.parentSubjectId} does not hold ${roleName}`, {
      parentSubjectId: request.parentSubjectId,
      role: roleName,
    });
  }
  return null;
}

/** A role conflicts with what the subject already is, counting inherited roles on both sides. */
function separationOfDutiesConflict(state: RosterState, subjectId: string, roleName: string, now: string): AppError | null {
  if (state.conflicts.size === 0) return null;
  const current = effectiveRoles(state, subjectId, now, null);
  const currentAnywhere = new Set([...current.roles, ...heldRoles(state, subjectId, now)]);
  const incoming = new Set<string>();
  const visit = (name: string) => {
    if (incoming.has(name)) return;
    incoming.add(name);
    for (const inherited of state.roles.get(name)?.inherits ?? []) visit(inherited);
  };
  visit(roleName);
  for (const mine of currentAnywhere) {
    for (const theirs of incoming) {
      const conflict = state.conflicts.get(conflictKey(mine, theirs));
      if (conflict) {
        return appError('conflict', 'ROLE_CONFLICT', `role ${roleName} cannot be held together with ${mine}: ${conflict.reason}`, {
          role: roleName,
          conflictsWith: mine,
          reason: conflict.reason,
        });
      }
    }
  }
  return null;
}
