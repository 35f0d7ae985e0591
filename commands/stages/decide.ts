import { isAppError, type AppError } from '../../domain/shared/app-error.ts';
import type { Decider, DecisionContext, DomainEvent } from '../../domain/shared/decider.ts';
import type { StructureRefusal } from '../pre-append-check.ts';
import { structureRefusal } from './refusals.ts';

/**
 * What the decider made of the command: a refusal (recorded with the permit only when it is the org's structure
 * saying no, not malformed or dangling input), nothing to do, or events to append.
 */
export type Decision<Event extends DomainEvent> =
  | { kind: 'refused'; error: AppError; structure: StructureRefusal | null }
  | { kind: 'nothing' }
  | { kind: 'events'; events: readonly Event[] };

/** Stage 4: pure, the decider on the state as loaded. */
export function decide<Command, State, Event extends DomainEvent, Context extends DecisionContext>(
  decider: Decider<Command, State, Event, Context>,
  command: Command,
  state: State,
  context: Context,
): Decision<Event> {
  const decided = decider.decide(command, state, context);
  if (isAppError(decided)) return { kind: 'refused', error: decided, structure: structureRefusal(decided) };
  return decided.length === 0 ? { kind: 'nothing' } : { kind: 'events', events: decided };
}
