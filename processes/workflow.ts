import type { JsonObject } from '../domain/shared/json-value.ts';
import type { AppError } from '../domain/shared/app-error.ts';
import type { BusMessage } from '../infra/bus/port.ts';

/** A durable timer a workflow sets (see `scheduleTimer`): the key names it, so setting it again is a no-op. */
export interface TimerSpec {
  key: string;
  orgId: string | null;
  /** As the timer records it: ISO-8601. */
  dueAt: string;
  purpose: string;
  ref: JsonObject;
}

/**
 * One thing a workflow decided to do, as data: the runner does the I/O, in the order given.
 *
 * - `command`: issued with its deterministic id. A refusal (other than unavailable, which the runner waits out) goes
 *   on to the next step unless `ifRefused` says otherwise: `stop` ends this list, a function answers the steps that
 *   replace the rest of it.
 * - `follow`: decide again, on `input`, from state loaded now (after the steps before it): for a decision that needs
 *   what an earlier step changed, or a read that only some cases need.
 */
export type Step<Command, FollowUp> =
  | {
      kind: 'command';
      command: Command;
      commandId: string;
      ifRefused?: 'stop' | ((refusal: AppError) => ReadonlyArray<Step<Command, FollowUp>>);
    }
  | { kind: 'schedule'; timer: TimerSpec }
  | { kind: 'publish'; subject: string; data: BusMessage['data'] }
  | { kind: 'log'; level: 'warn' | 'error'; fields: Record<string, unknown>; message: string }
  | { kind: 'follow'; input: FollowUp };

/** What a decision knows beyond its input and state: the time, read once by the runner. */
export interface WorkflowContext {
  now: string;
}

/**
 * A process manager as a pure decision, in the manner of the aggregates' deciders: given what happened (an event,
 * or a follow-up it asked for) and the state the runner loaded for it, what to do next. No I/O, no clock, no
 * randomness: ids are derived from the input.
 */
export type Decide<Input, State, Command, FollowUp> = (input: Input, state: State, context: WorkflowContext) => ReadonlyArray<Step<Command, FollowUp>>;
