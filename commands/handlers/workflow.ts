import { workflowActions } from '../../domain/workflow/actions.ts';
import { workflowCommandSchema } from '../../domain/workflow/commands.ts';
import { workflowDecider } from '../../domain/workflow/decider.ts';
import { workflowStream } from '../../domain/workflow/ids.ts';
import { defineAggregate } from '../aggregate.ts';
import { withOrgStatus } from '../org-status-context.ts';
import { knownToolsOf } from '../workflow-tools-context.ts';

/**
 * Workflow definitions, one stream per (org, name). Decided with the org's status and, for a publication, the org's
 * active tools its tool steps name: an unknown or retired tool, or a literal input its schema refuses, is a problem of
 * the definition.
 */
export const workflowAggregate = defineAggregate({
  name: 'workflow',
  commandSchema: workflowCommandSchema,
  decider: workflowDecider,
  streamOf: (command) => workflowStream(command.data.orgId, command.data.name),
  actionPerType: workflowActions,
  async loadContext(command, reader, base) {
    const withStatus = await withOrgStatus(base, reader, command.data.orgId);
    if (command.type !== 'PublishWorkflow') return withStatus;
    return { ...withStatus, knownTools: await knownToolsOf(command.data.orgId, command.data.steps, reader) };
  },
});
