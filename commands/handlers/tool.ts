import { orgDecider, orgStream } from '../../domain/org/decider.ts';
import { allowedToolHostsOf } from '../../domain/tool/allowed-hosts.ts';
import { toolActions, toolCommandSchema, toolNameOf } from '../../domain/tool/commands.ts';
import { toolDecider } from '../../domain/tool/decider.ts';
import { toolStream } from '../../domain/tool/events.ts';
import { toolIdFor } from '../../domain/tool/fields.ts';
import { defineAggregate } from '../aggregate.ts';

/**
 * An org's tools, one stream per tool (`tool-<toolId>`, the id derived from the org and the name), decided with the
 * org's status and the hosts it lets its HTTP tools reach (its metadata `tools.allowedHosts`).
 */
export const toolAggregate = defineAggregate({
  name: 'tool',
  commandSchema: toolCommandSchema,
  decider: toolDecider,
  streamOf: (command) => toolStream(toolIdFor(command.data.orgId, toolNameOf(command))),
  actionPerType: toolActions,
  async loadContext(command, reader, base) {
    const org = (await reader.load(orgDecider, orgStream(command.data.orgId))).state;
    return { ...base, orgStatus: org?.status ?? null, allowedHosts: allowedToolHostsOf(org?.metadata ?? {}) };
  },
});
