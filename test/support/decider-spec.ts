import { expect } from 'vitest';
import { isAppError } from '../../domain/shared/app-error.ts';
import type { DecisionContext, Decider, DomainEvent } from '../../domain/shared/decider.ts';

/**
 * Given / when / then for deciders, in the style of Emmett's DeciderSpecification:
 *   spec.given([events]).when(command).thenEvents([events]) | .thenError('CODE') | .thenNothing()
 */
export function deciderSpec<Command, State, Event extends DomainEvent, Context extends DecisionContext>(
  decider: Decider<Command, State, Event, Context>,
  defaultContext: Context,
) {
  return {
    given(events: readonly Event[]) {
      const state = events.reduce(decider.evolve, decider.initialState);
      return {
        when(command: Command, context: Partial<Context> = {}) {
          const outcome = decider.decide(command, state, { ...defaultContext, ...context });
          return {
            thenEvents(expected: readonly Event[]) {
              if (isAppError(outcome)) throw new Error(`expected events, got error ${outcome.code}: ${outcome.message}`);
              expect(outcome).toEqual(expected);
            },
            /** Only the types, in order: for cases whose point is that the decision succeeds. */
            thenTypes(types: readonly Event['type'][]) {
              if (isAppError(outcome)) throw new Error(`expected events, got error ${outcome.code}: ${outcome.message}`);
              expect(outcome.map((event) => event.type)).toEqual(types);
            },
            thenError(code: string, details?: Record<string, unknown>) {
              if (!isAppError(outcome)) throw new Error(`expected error ${code}, got events ${JSON.stringify(outcome)}`);
              expect(outcome.code).toBe(code);
              if (details) expect(outcome.details).toMatchObject(details);
            },
            thenNothing() {
              expect(outcome).toEqual([]);
            },
          };
        },
      };
    },
  };
}
