import { appError, type AppError } from '../shared/app-error.ts';
import type { DecisionContext } from '../shared/decider.ts';
import type { OrgCommand } from './commands.ts';
import type { OrgEvent } from './events.ts';
import type { Org, OrgState } from './state.ts';
import { orgTransitions } from './transitions.ts';
import { orgNotFound } from './not-found.ts';
import { illegalTransition } from '../shared/illegal-transition.ts';

export interface OrgDecisionContext extends DecisionContext {
  /** The parent org's state when the command names one; loaded by the handler, null when it does not exist. */
  parent?: OrgState;
}

export function decideOrg(command: OrgCommand, state: OrgState, context: OrgDecisionContext): readonly OrgEvent[] | AppError {
  if (command.type === 'RegisterOrg') {
    const { data } = command;
    if (state !== null) {
      return appError('conflict', 'ORG_ALREADY_EXISTS', `org ${data.orgId} already exists`, { orgId: data.orgId });
    }
    if (data.parentOrgId !== undefined) {
      if (data.parentOrgId === data.orgId) {
        return appError('invalid', 'PARENT_ORG_INVALID', 'an org cannot be its own parent', { parentOrgId: data.parentOrgId });
      }
      if (!context.parent) {
        return appError('unprocessable', 'PARENT_ORG_NOT_FOUND', `parent org ${data.parentOrgId} does not exist`, {
          parentOrgId: data.parentOrgId,
        });
      }
      if (context.parent.status === 'archived') {
        return appError('unprocessable', 'PARENT_ORG_ARCHIVED', `parent org ${data.parentOrgId} is archived`, {
          parentOrgId: data.parentOrgId,
        });
      }
    }
    return [
      {
        type: 'OrgRegistered',
        data: {
          orgId: data.orgId,
          name: data.name,
          slug: data.slug,
          description: data.description,
          tags: data.tags,
          metadata: data.metadata,
          parentOrgId: data.parentOrgId ?? null,
          owner: context.principal,
        },
      },
    ];
  }

  if (state === null) {
    return orgNotFound(command.data.orgId);
  }
  if (orgTransitions[state.status][command.type] === undefined) {
    return illegalTransition('an org', { orgId: state.orgId }, state.status, command.type);
  }

  const { orgId } = state;
  switch (command.type) {
    case 'UpdateOrgMetadata': {
      const changes = changedFields(state, command.data);
      return Object.keys(changes).length === 0 ? [] : [{ type: 'OrgMetadataUpdated', data: { orgId, changes } }];
    }
    case 'SuspendOrg':
      return [{ type: 'OrgSuspended', data: { orgId, reason: command.data.reason } }];
    case 'ReactivateOrg':
      return [{ type: 'OrgReactivated', data: { orgId, reason: command.data.reason } }];
    case 'ArchiveOrg':
      return [{ type: 'OrgArchived', data: { orgId, reason: command.data.reason } }];
  }
}

type MetadataChanges = Partial<Pick<Org, 'name' | 'description' | 'tags' | 'metadata'>>;

/** Only what differs is recorded, so re-sending the same declarative update is a no-op. */
function changedFields(org: Org, update: MetadataChanges): MetadataChanges {
  const changes: MetadataChanges = {};
  if (update.name !== undefined && update.name !== org.name) changes.name = update.name;
  if (update.description !== undefined && update.description !== org.description) changes.description = update.description;
  if (update.tags !== undefined && !sameList(update.tags, org.tags)) changes.tags = update.tags;
  if (update.metadata !== undefined && !sameRecord(update.metadata, org.metadata)) changes.metadata = update.metadata;
  return changes;
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((item, index) => item === b[index]);
}

function sameRecord(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => a[key] === b[key]);
}
