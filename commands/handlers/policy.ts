import { policyActions } from '../../domain/policy/actions.ts';
import { policyCommandSchema } from '../../domain/policy/commands.ts';
import { policyDecider } from '../../domain/policy/decider.ts';
import { policyStream } from '../../domain/policy/events.ts';
import { defineAggregate } from '../aggregate.ts';
import { knownActions } from '../known-actions.ts';
import { withOrgStatus } from '../org-status-context.ts';

export const policyAggregate = defineAggregate({
  name: 'policy',
  commandSchema: policyCommandSchema,
  decider: policyDecider,
  streamOf: (command) => policyStream(command.data.orgId),
  actionPerType: policyActions,
  async loadContext(command, reader, base) {
    return { ...(await withOrgStatus(base, reader, command.data.orgId)), knownActions: knownActions() };
  },
});
