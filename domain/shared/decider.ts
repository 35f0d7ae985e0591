import type { AppError } from './app-error.ts';
import type { Principal } from './principal.ts';

export interface DomainEvent<Type extends string = string, Data = unknown> {
  type: Type;
  data: Data;
}

/** What every decision may know beyond the stream's own state. Time comes in; the domain never reads a clock. */
export interface DecisionContext {
  now: string;
  principal: Principal;
  commandId: string;
}

/** Emmett-style decider: pure functions over a stream's state. */
export interface Decider<Command, State, Event extends DomainEvent, Context extends DecisionContext> {
  initialState: State;
  evolve(state: State, event: Event): State;
  /** Returns the events that record the decision (none when nothing changes), or why it is refused. */
  decide(command: Command, state: State, context: Context): readonly Event[] | AppError;
}
