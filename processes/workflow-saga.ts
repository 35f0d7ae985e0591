import type { Logger } from 'pino';
import type { PlatformEventType } from '../domain/events/catalog.ts';
import { isAppError, type AppError } from '../domain/shared/app-error.ts';
import type { BusMessage } from '../infra/bus/port.ts';
import type { CommandResult } from '../commands/result.ts';
import type { Saga, SagaEvent } from './saga-runner.ts';
import type { Decide, Step, TimerSpec } from './workflow.ts';

/**
 * The I/O of one workflow: what to read for a decision, and how to carry out each kind of step. An unavailable
 * dependency throws (StepUnavailableError: the runner waits the outage out and handles the event again).
 */
export interface WorkflowIO<Input, State, Command> {
  /** Reads the current state a decision on `input` needs (streams folded by their aggregates, read-model lookups). */
  load(input: Input, now: () => string): Promise<State>;
  /** Issues a command as the saga, caused by `cause`: answers the result, or the refusal. */
  run(command: Command, commandId: string, cause: SagaEvent): Promise<CommandResult | AppError>;
  /** Sets a durable timer; a key already scheduled (a replayed step) leaves it as it was. */
  schedule(timer: TimerSpec, cause: SagaEvent): Promise<void>;
  publish(subject: string, data: BusMessage['data']): Promise<void>;
}

export interface WorkflowSagaOptions<Type extends PlatformEventType, FollowUp, State, Command> {
  /** Checkpoint name: letters, digits, `_` and `-`. */
  name: string;
  eventTypes: readonly Type[];
  decide: Decide<SagaEvent<Type> | FollowUp, State, Command, FollowUp>;
  io: WorkflowIO<SagaEvent<Type> | FollowUp, State, Command>;
  clock?: () => Date;
  logger?: Logger;
}

/**
 * A workflow as a `Saga` the SagaRunner runs: for each event, load, decide, and carry the steps out in order, each
 * caused by the event. Replaying an event decides again from the state as it is now, and the steps already done are
 * no-ops (deterministic command ids and timer keys).
 */
export function workflowSaga<Type extends PlatformEventType, FollowUp, State, Command>(
  options: WorkflowSagaOptions<Type, FollowUp, State, Command>,
): Saga<Type> {
  const { decide, io, logger } = options;
  const clock = options.clock ?? (() => new Date());

  const decideAndRun = async (input: SagaEvent<Type> | FollowUp, cause: SagaEvent<Type>): Promise<void> => {
    // The time of the decision: read when the load first asks for it (what it reads is "as of" that instant), else
    // once the load is done, so that a window the decision opens (a bid deadline) starts after the reads.
    let now: string | undefined;
    const readClock = () => {
      now ??= clock().toISOString();
      return now;
    };
    const state = await io.load(input, readClock);
    await carryOut(decide(input, state, { now: readClock() }), cause);
  };

  const carryOut = async (steps: ReadonlyArray<Step<Command, FollowUp>>, cause: SagaEvent<Type>): Promise<void> => {
    for (const step of steps) {
      switch (step.kind) {
        case 'command': {
          const result = await io.run(step.command, step.commandId, cause);
          if (!isAppError(result) || step.ifRefused === undefined) break;
          if (step.ifRefused !== 'stop') await carryOut(step.ifRefused(result), cause);
          return;
        }
        case 'schedule':
          await io.schedule(step.timer, cause);
          break;
        case 'publish':
          await io.publish(step.subject, step.data);
          break;
        case 'log':
          logger?.[step.level](step.fields, step.message);
          break;
        case 'follow':
          await decideAndRun(step.input, cause);
          break;
      }
    }
  };

  return {
    name: options.name,
    eventTypes: options.eventTypes,
    handle: (event) => decideAndRun(event, event),
  };
}
