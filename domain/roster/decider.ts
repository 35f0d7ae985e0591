import type { Decider } from '../shared/decider.ts';
import type { RosterCommand } from './commands.ts';
import type { RosterDecisionContext } from './context.ts';
import { decideRoster } from './decide.ts';
import type { RosterEvent } from './events.ts';
import { evolveRoster } from './evolve.ts';
import { initialRosterState, type RosterState } from './state.ts';

export const rosterDecider: Decider<RosterCommand, RosterState, RosterEvent, RosterDecisionContext> = {
  initialState: initialRosterState,
  evolve: evolveRoster,
  decide: decideRoster,
};
