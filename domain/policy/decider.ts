import { appError, type AppError } from '../shared/app-error.ts';
import type { DecisionContext, Decider } from '../shared/decider.ts';
import type { PolicyCommand } from './commands.ts';
import type { PolicyEvent } from './events.ts';
import { hashPolicyRules } from './hash.ts';
import { initialPolicyState, type PolicyState } from './state.ts';
import { validatePolicySet } from './validate.ts';
import { orgNotFound } from '../org/not-found.ts';

export interface PolicyDecisionContext extends DecisionContext {
  /** Every governed action the platform knows: an action pattern that matches none of them is a mistake. */
  knownActions: readonly string[];
  orgStatus: 'active' | 'suspended' | 'archived' | null;
}

function decide(command: PolicyCommand, state: PolicyState, context: PolicyDecisionContext): readonly PolicyEvent[] | AppError {
  const { orgId } = command.data;
  if (context.orgStatus === null) return orgNotFound(orgId);
  if (context.orgStatus === 'archived') return appError('conflict', 'ORG_NOT_ACTIVE', `org ${orgId} is archived`, { orgId, status: context.orgStatus });
  switch (command.type) {
    case 'DraftPolicy': {
      const validated = validatePolicySet(command.data.rules, context.knownActions);
      if (!validated.ok) return appError('invalid', 'POLICY_INVALID', 'the policy set has errors', { errors: validated.errors });
      const hash = hashPolicyRules(validated.rules);
      // Drafting what is already the newest version changes nothing: `apply` can re-send a spec safely.
      const newest = [...state.versions.values()].at(-1);
      if (newest && newest.hash === hash && newest.description === command.data.description) return [];
      const version = (newest?.version ?? 0) + 1;
      return [{ type: 'PolicyDrafted', data: { orgId, version, description: command.data.description, rules: validated.rules, hash } }];
    }
    case 'PublishPolicy': {
      const { version } = command.data;
      const target = state.versions.get(version);
      if (!target) return appError('not_found', 'POLICY_VERSION_NOT_FOUND', `policy version ${version} does not exist`, { orgId, version });
      if (state.published === version) return [];
      if (target.status !== 'draft') {
        return appError('conflict', 'POLICY_VERSION_RETIRED', `policy version ${version} was published before and superseded; draft it again`, { version });
      }
      return [{ type: 'PolicyPublished', data: { orgId, version, hash: target.hash, supersedes: state.published } }];
    }
  }
}

function evolve(state: PolicyState, event: PolicyEvent): PolicyState {
  const versions = new Map(state.versions);
  switch (event.type) {
    case 'PolicyDrafted':
      versions.set(event.data.version, { ...event.data, status: 'draft' });
      return { ...state, versions };
    case 'PolicyPublished': {
      const previous = state.published === null ? undefined : versions.get(state.published);
      if (previous) versions.set(previous.version, { ...previous, status: 'superseded' });
      const published = versions.get(event.data.version);
      if (published) versions.set(published.version, { ...published, status: 'published' });
      return { versions, published: event.data.version };
    }
  }
}

export const policyDecider: Decider<PolicyCommand, PolicyState, PolicyEvent, PolicyDecisionContext> = {
  initialState: initialPolicyState,
  evolve,
  decide,
};
