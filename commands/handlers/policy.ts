import { orgDecider, orgStream } from '../../domain/org/decider.ts';
import { policyActions } from '../../domain/policy/actions.ts';
import { policyCommandSchema, type PolicyCommand } from '../../domain/policy/commands.ts';
import { policyDecider, type PolicyDecisionContext } from '../../domain/policy/decider.ts';
import { policyStream, type PolicyEvent } from '../../domain/policy/events.ts';
import type { PolicyState } from '../../domain/policy/state.ts';
import { actionPerType, type AggregateDefinition } from '../aggregate.ts';
import { knownActions } from '../known-actions.ts';

export const policyAggregate: AggregateDefinition<PolicyCommand, PolicyState, PolicyEvent, PolicyDecisionContext> = {
  name: 'policy',
  commandSchema: policyCommandSchema,
  decider: policyDecider,
  streamOf: (command) => policyStream(command.data.orgId),
  orgIdOf: (command) => command.data.orgId,
  ...actionPerType(policyActions),
  async loadContext(command, reader, base) {
    const org = await reader.load(orgDecider, orgStream(command.data.orgId));
    return { ...base, orgStatus: org.state?.status ?? null, knownActions: knownActions() };
  },
};
