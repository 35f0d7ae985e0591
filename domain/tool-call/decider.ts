import type { Decider } from '../shared/decider.ts';
import type { ToolCallCommand } from './commands.ts';
import { decideToolCall, type ToolCallDecisionContext } from './decide.ts';
import type { ToolCallEvent } from './events.ts';
import { evolveToolCall } from './evolve.ts';
import { initialToolCallState, type ToolCallState } from './state.ts';

export const toolCallDecider: Decider<ToolCallCommand, ToolCallState, ToolCallEvent, ToolCallDecisionContext> = {
  initialState: initialToolCallState,
  evolve: evolveToolCall,
  decide: decideToolCall,
};
