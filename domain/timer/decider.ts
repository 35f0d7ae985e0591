import type { DecisionContext, Decider } from '../shared/decider.ts';
import type { TimerCommand } from './commands.ts';
import { decideTimer } from './decide.ts';
import type { TimerEvent } from './events.ts';
import { evolveTimer } from './evolve.ts';
import { initialTimerState, type TimerState } from './state.ts';

export const timerDecider: Decider<TimerCommand, TimerState, TimerEvent, DecisionContext> = {
  initialState: initialTimerState,
  evolve: evolveTimer,
  decide: decideTimer,
};

export const timerStream = (timerId: string) => `timer-${timerId}`;
