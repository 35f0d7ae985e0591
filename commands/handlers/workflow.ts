import { workflowActions } from '../../domain/workflow/actions.ts';
import { workflowCommandSchema } from '../../domain/workflow/commands.ts';
import { workflowDecider } from '../../domain/workflow/decider.ts';
import { workflowStream } from '../../domain/workflow/ids.ts';
import { defineAggregate } from '../aggregate.ts';
import { withOrgStatus } from '../org-status-context.ts';

/**
 * Workflow definitions, one stream per (org, name). Decided with the org's status. The org's tools are not passed
 * (`knownTools` stays absent) until the tool registry exists: tool steps are then checked for their name's shape
 * only, and their input when they run.
 */
export const workflowAggregate = defineAggregate({
  name: 'workflow',
  commandSchema: workflowCommandSchema,
  decider: workflowDecider,
  streamOf: (command) => workflowStream(command.data.orgId, command.data.name),
  actionPerType: workflowActions,
  loadContext: (command, reader, base) => withOrgStatus(base, reader, command.data.orgId),
});
