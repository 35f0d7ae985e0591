import { appError, type AppError } from '../shared/app-error.ts';
import type { RosterCommand } from './commands.ts';
import type { RosterDecisionContext } from './context.ts';
import { approveRoleApplication, applyForRole, rejectRoleApplication } from './decide-applications.ts';
import { expireAssociation, grantRole, revokeRole } from './decide-associations.ts';
import {
  declareRoleConflict,
  defineGroup,
  defineJobSpace,
  defineRole,
  removeGroup,
  removeJobSpace,
  removeRole,
  withdrawRoleConflict,
} from './decide-structure.ts';
import type { RosterEvent } from './events.ts';
import type { RosterState } from './state.ts';
import { orgNotFound } from '../org/not-found.ts';

export function decideRoster(command: RosterCommand, state: RosterState, context: RosterDecisionContext): readonly RosterEvent[] | AppError {
  const { orgId } = command.data;
  if (context.orgStatus === null) return orgNotFound(orgId);
  // Expiry is a fact of time; recording it stays possible in any org state.
  if (context.orgStatus !== 'active' && command.type !== 'ExpireAssociation') {
    return appError('conflict', 'ORG_NOT_ACTIVE', `org ${orgId} is ${context.orgStatus}; its roster cannot change`, { orgId, status: context.orgStatus });
  }
  switch (command.type) {
    case 'DefineRole':
      return defineRole(command, state, context);
    case 'RemoveRole':
      return removeRole(command, state, context);
    case 'DefineGroup':
      return defineGroup(command, state);
    case 'RemoveGroup':
      return removeGroup(command, state);
    case 'DeclareRoleConflict':
      return declareRoleConflict(command, state, context);
    case 'WithdrawRoleConflict':
      return withdrawRoleConflict(command, state);
    case 'DefineJobSpace':
      return defineJobSpace(command, state);
    case 'RemoveJobSpace':
      return removeJobSpace(command, state, context);
    case 'GrantRole':
      return grantRole(command, state, context);
    case 'RevokeRole':
      return revokeRole(command, state, context);
    case 'ExpireAssociation':
      return expireAssociation(command, state, context);
    case 'ApplyForRole':
      return applyForRole(command, state, context);
    case 'ApproveRoleApplication':
      return approveRoleApplication(command, state, context);
    case 'RejectRoleApplication':
      return rejectRoleApplication(command, state, context);
  }
}
