import { isAppError, type AppError } from '../domain/shared/app-error.ts';
import type { CommandEnvelope } from './command-envelope.ts';
import { recordContractBreach } from './contract-breach.ts';
import type { ToolCallAggregate } from './handlers/tool-call.ts';
import type { CommandPipeline } from './pipeline.ts';
import type { CommandResult } from './result.ts';

/**
 * A tool call requested as every caller must request one (the HTTP route, the agents' gateway, a workflow step): the
 * RequestToolCall command, and around it what the command alone cannot do. A call outside the caller's contract is
 * refused (CONTRACT_VIOLATION) and recorded as a breach of it, as a task command outside it is; a request that did not
 * make a new call (refused, or the call already made under its id) is taken out of the org's rate count.
 */
export async function requestToolCall(
  pipeline: CommandPipeline,
  aggregate: ToolCallAggregate,
  data: unknown,
  envelope: CommandEnvelope,
): Promise<CommandResult | AppError> {
  let result: CommandResult | AppError | undefined;
  try {
    result = await pipeline.execute(aggregate, { type: 'RequestToolCall', data }, envelope);
  } finally {
    if (result === undefined || isAppError(result) || !result.events.some((event) => event.type === 'ToolCallRequested'))
      aggregate.rate.release(envelope.commandId);
  }
  if (isAppError(result) && result.code === 'CONTRACT_VIOLATION') {
    const { orgId, toolName, taskId } = data as { orgId: string; toolName: string; taskId: string };
    await recordContractBreach(
      pipeline,
      { orgId: orgId.toLowerCase(), attempted: `a call of the tool ${toolName} for task ${taskId}`, error: result },
      envelope,
    );
  }
  return result;
}
