import type { OrgStatus } from '../org/state.ts';
import { orgNotFound } from '../org/not-found.ts';
import { appError, type AppError } from '../shared/app-error.ts';
import type { DecisionContext, Decider } from '../shared/decider.ts';
import type { WorkflowCommand } from './commands.ts';
import type { WorkflowEvent } from './events.ts';
import { hashWorkflowDefinition } from './hash.ts';
import { workflowIdFor } from './ids.ts';
import { initialWorkflowState, newestVersion, type WorkflowState } from './state.ts';
import { validateWorkflow, type ValidationContext } from './validate.ts';

export interface WorkflowDecisionContext extends DecisionContext, ValidationContext {
  orgStatus: OrgStatus | null;
}

function decide(command: WorkflowCommand, state: WorkflowState, context: WorkflowDecisionContext): readonly WorkflowEvent[] | AppError {
  const { orgId, name } = command.data;
  if (context.orgStatus === null) return orgNotFound(orgId);
  if (context.orgStatus !== 'active') {
    return appError('conflict', 'ORG_NOT_ACTIVE', `org ${orgId} is ${context.orgStatus}; its workflows do not change`, { orgId, status: context.orgStatus });
  }
  const workflowId = workflowIdFor(orgId, name);
  const newest = newestVersion(state);
  switch (command.type) {
    case 'PublishWorkflow': {
      const { orgId: _orgId, ...submitted } = command.data;
      const validated = validateWorkflow(submitted, context);
      if (!validated.ok) {
        const cycle = validated.problems.find((problem) => problem.cycle !== undefined);
        const message = cycle === undefined ? `workflow '${name}' has errors` : `workflow '${name}' has ${cycle.message}`;
        return appError('unprocessable', 'WORKFLOW_INVALID', message, { name, errors: validated.problems });
      }
      const hash = hashWorkflowDefinition(validated.definition);
      // The newest version again changes nothing, so `apply` can re-send a spec; after a retirement it is published anew.
      if (newest !== null && newest.hash === hash && state?.status === 'active') return [];
      const version = (newest?.version ?? 0) + 1;
      return [
        {
          type: 'WorkflowPublished',
          data: { orgId, workflowId, name, version, hash, definition: validated.definition, dag: validated.dag, publishedAt: context.now },
        },
      ];
    }
    case 'RetireWorkflow': {
      if (state === null || newest === null) return appError('not_found', 'WORKFLOW_NOT_FOUND', `org ${orgId} has no workflow '${name}'`, { orgId, name });
      if (state.status === 'retired') return [];
      return [
        { type: 'WorkflowRetired', data: { orgId, workflowId, name, version: newest.version, reason: command.data.reason ?? null, retiredAt: context.now } },
      ];
    }
  }
}

function evolve(state: WorkflowState, event: WorkflowEvent): WorkflowState {
  switch (event.type) {
    case 'WorkflowPublished': {
      const { version, hash, definition, dag, publishedAt } = event.data;
      const versions = new Map(state?.versions);
      versions.set(version, { version, hash, definition, dag, publishedAt });
      return { versions, status: 'active' };
    }
    case 'WorkflowRetired':
      return state === null ? state : { ...state, status: 'retired' };
  }
}

export const workflowDecider: Decider<WorkflowCommand, WorkflowState, WorkflowEvent, WorkflowDecisionContext> = {
  initialState: initialWorkflowState,
  evolve,
  decide,
};
