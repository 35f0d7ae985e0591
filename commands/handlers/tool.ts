import { orgDecider, orgStream } from '../../domain/org/decider.ts';
import { allowedToolHostsOf } from '../../domain/tool/allowed-hosts.ts';
import { toolActions, toolCommandSchema, toolNameOf } from '../../domain/tool/commands.ts';
import { toolDecider } from '../../domain/tool/decider.ts';
import { toolStream } from '../../domain/tool/events.ts';
import { toolIdFor } from '../../domain/tool/fields.ts';
import type { ToolDecisionContext } from '../../domain/tool/decide.ts';
import { defineAggregate } from '../aggregate.ts';

/**
 * How many tools an org has registered now; null when they cannot be counted now (the read model counting them is
 * behind the log): a new tool is then refused `unavailable TOOL_COUNT_UNKNOWN`, never waved through.
 */
export type ToolsOf = (orgId: string) => Promise<number | null>;

/**
 * An org's tools, one stream per tool (`tool-<toolId>`, the id derived from the org and the name), decided with the
 * org's status, the hosts it lets its HTTP tools reach (its metadata `tools.allowedHosts`), the programs the operator
 * lets tools start (`allowedCommands`, from TOOL_COMMANDS; none by default) and, for a new tool, how
 * many it has (`toolsOf`: the platform counts them in the tools read model; the default counts none). An org's
 * registrations are decided one at a time in this process, each on a count that includes the one before it.
 */
export function createToolAggregate(options: { toolsOf?: ToolsOf; allowedCommands?: readonly string[] } = {}) {
  const toolsOf = options.toolsOf ?? (async () => 0);
  const allowedCommands = options.allowedCommands ?? [];
  return defineAggregate({
    name: 'tool',
    commandSchema: toolCommandSchema,
    decider: toolDecider,
    streamOf: (command) => toolStream(toolIdFor(command.data.orgId, toolNameOf(command))),
    actionPerType: toolActions,
    serializeOn: (command) => (command.type === 'RegisterTool' ? `tool-count:${command.data.orgId}` : null),
    async loadContext(command, reader, base): Promise<ToolDecisionContext> {
      const { orgId } = command.data;
      const org = (await reader.load(orgDecider, orgStream(orgId))).state;
      const context = { ...base, orgStatus: org?.status ?? null, allowedHosts: allowedToolHostsOf(org?.metadata ?? {}), allowedCommands };
      if (command.type !== 'RegisterTool' || org === null) return context;
      const existing = (await reader.load(toolDecider, toolStream(toolIdFor(orgId, toolNameOf(command))))).state;
      if (existing !== null) return context;
      const toolCount = await toolsOf(orgId);
      return toolCount === null ? context : { ...context, toolCount };
    },
  });
}

export type ToolAggregate = ReturnType<typeof createToolAggregate>;

export const toolAggregate: ToolAggregate = createToolAggregate();
