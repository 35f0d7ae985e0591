import { expect } from 'vitest';
import type { PlatformEvent, PlatformEventOf, PlatformEventType } from '../../domain/events/catalog.ts';
import type { SagaEvent, SagaEventPlacement } from '../../processes/saga-runner.ts';
import type { Decide, Step, WorkflowContext } from '../../processes/workflow.ts';

/**
 * Given / when / then for the sagas' workflows, as `deciderSpec` is for aggregates:
 *   spec.given(state).when(input).thenSteps([steps]) | .thenNothing()
 * The state is what the runner would load: streams folded with their aggregates' `evolve` (the fixtures'
 * `...StateAfter`), read-model answers as values.
 */
export function workflowSpec<Input, State, Command, FollowUp>(decide: Decide<Input, State, Command, FollowUp>, defaultContext: WorkflowContext) {
  return {
    given(state: State) {
      return {
        when(input: Input, context: Partial<WorkflowContext> = {}) {
          const steps = decide(input, state, { ...defaultContext, ...context });
          return {
            steps,
            thenSteps(expected: ReadonlyArray<Step<Command, FollowUp>>) {
              expect(steps).toEqual(expected);
            },
            /** Only the kinds and command types, in order: for cases whose point is what happens, not its details. */
            thenKinds(kinds: readonly string[]) {
              expect(steps.map((step) => (step.kind === 'command' ? `command:${commandType(step.command)}` : step.kind))).toEqual(kinds);
            },
            thenNothing() {
              expect(steps).toEqual([]);
            },
          };
        },
      };
    },
  };
}

function commandType(command: unknown): string {
  return typeof command === 'object' && command !== null && 'type' in command && typeof command.type === 'string' ? command.type : '?';
}

let sequence = 0;

/** An event as a saga receives it: placed in the log (a fresh event id each time unless given). */
export function placed<const Event extends PlatformEvent>(event: Event, placement: Partial<SagaEventPlacement> = {}): Event & SagaEventPlacement {
  sequence += 1;
  return {
    ...event,
    streamId: 'stream-under-test',
    position: BigInt(sequence),
    eventId: `00000000-0000-4000-8000-${String(sequence).padStart(12, '0')}`,
    revision: 0n,
    correlationId: null,
    ...placement,
  };
}

const isEventOf = <Type extends PlatformEventType>(event: PlatformEvent, type: Type): event is PlatformEventOf<Type> => event.type === type;

/** `placed`, for a fixture typed as its family's union: checks that it is of `type`, and types it so. */
export function placedAs<Type extends PlatformEventType>(type: Type, event: PlatformEvent, placement: Partial<SagaEventPlacement> = {}): SagaEvent<Type> {
  if (!isEventOf(event, type)) throw new Error(`expected a ${type}, got a ${event.type}`);
  return placed(event, placement);
}
