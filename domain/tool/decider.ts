import type { Decider } from '../shared/decider.ts';
import type { ToolCommand } from './commands.ts';
import { decideTool, type ToolDecisionContext } from './decide.ts';
import type { ToolEvent } from './events.ts';
import { evolveTool } from './evolve.ts';
import { initialToolState, type ToolState } from './state.ts';

export const toolDecider: Decider<ToolCommand, ToolState, ToolEvent, ToolDecisionContext> = {
  initialState: initialToolState,
  evolve: evolveTool,
  decide: decideTool,
};
