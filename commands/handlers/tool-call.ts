import { orgDecider, orgStream } from '../../domain/org/decider.ts';
import { taskDecider, taskStream } from '../../domain/task/decider.ts';
import { toolDecider } from '../../domain/tool/decider.ts';
import { toolStream } from '../../domain/tool/events.ts';
import { toolIdFor } from '../../domain/tool/fields.ts';
import { toolCallActions, toolCallCommandSchema, type ToolCallCommand } from '../../domain/tool-call/commands.ts';
import type { ToolCallDecisionContext } from '../../domain/tool-call/decide.ts';
import { toolCallDecider } from '../../domain/tool-call/decider.ts';
import { toolCallStream, type ToolCallEvent } from '../../domain/tool-call/events.ts';
import { maxToolCallsPerMinuteOf } from '../../domain/tool-call/rate.ts';
import type { ToolCallState } from '../../domain/tool-call/state.ts';
import { defineAggregate, type AggregateDefinition } from '../aggregate.ts';
import { ToolCallRateWindow } from '../tool-call-rate.ts';
import { contractedTaskAggregate } from './contracted-task.ts';

export type ToolCallAggregate = AggregateDefinition<ToolCallCommand, ToolCallState, ToolCallEvent, ToolCallDecisionContext> & {
  /** The org's calls of the last minute, in this process; `requestToolCall` lets a refused request's count go. */
  readonly rate: ToolCallRateWindow;
};

/**
 * Tool calls, one stream per call (`toolcall-<callId>`, the id the caller chose). A request is decided with the org
 * (status, rate limit), the tool as it is now, and, when the call names a task, the task and its contract (read as the
 * contracted tasks read it). The rate window counts and takes a request's place in one synchronous step, so requests
 * decided at once in this process never share a place: the rate is exact here without deciding them one at a time.
 * Request calls through `requestToolCall` (commands/governed-tool-call.ts): it records a contract breach and keeps the
 * rate count right.
 */
export function createToolCallAggregate(rate = new ToolCallRateWindow()): ToolCallAggregate {
  const definition = defineAggregate({
    name: 'tool-call',
    commandSchema: toolCallCommandSchema,
    decider: toolCallDecider,
    streamOf: (command) => toolCallStream(command.data.callId),
    actionPerType: toolCallActions,
    async loadContext(command, reader, base): Promise<ToolCallDecisionContext> {
      if (command.type !== 'RequestToolCall') return base;
      const { orgId, toolName, taskId } = command.data;
      const org = (await reader.load(orgDecider, orgStream(orgId))).state;
      if (org === null) return { ...base, orgStatus: null };
      const tool = (await reader.load(toolDecider, toolStream(toolIdFor(orgId, toolName)))).state;
      const calls = rate.reserve(orgId, base.commandId, Date.parse(base.now));
      const context = { ...base, orgStatus: org.status, tool, rate: { calls, maxPerMinute: maxToolCallsPerMinuteOf(org.metadata) } };
      if (taskId === null) return context;
      const task = (await reader.load(taskDecider, taskStream(taskId))).state;
      if (task === null || task.orgId !== orgId || task.contractId === null || base.principal.kind !== 'subject') return { ...context, task };
      // The contract is the one the task names, never one the caller names.
      return { ...context, task, contract: await contractedTaskAggregate.contractOf(reader, orgId, task.contractId) };
    },
  });
  return { ...definition, rate };
}

export const toolCallAggregate: ToolCallAggregate = createToolCallAggregate();
