import type { AppError } from '../../domain/shared/app-error.ts';
import type { DecisionContext, DomainEvent } from '../../domain/shared/decider.ts';
import type { AggregateDefinition, UniqueReservation } from '../aggregate.ts';
import { assignmentAggregate } from '../handlers/assignment.ts';
import { contractAggregate } from '../handlers/contract.ts';
import { contractedTaskAggregate } from '../handlers/contracted-task.ts';
import { apiKeyAggregate } from '../handlers/credential.ts';
import { jobAggregate } from '../handlers/job.ts';
import { orgAggregate } from '../handlers/org.ts';
import { policyAggregate } from '../handlers/policy.ts';
import { rosterAggregate } from '../handlers/roster.ts';
import { subjectAggregate } from '../handlers/subject.ts';
import { timerAggregate } from '../handlers/timer.ts';
import { workflowAggregate } from '../handlers/workflow.ts';
import type { Evolver, StreamReader } from '../stream-loader.ts';

/** A recorded command, recognised by one aggregate: enough to decide it again on a state replay supplies. */
export interface ReplayableCommand {
  aggregate: string;
  streamId: string;
  evolver: Evolver<unknown, DomainEvent>;
  /** Codes of the unique keys it claims (a refusal with one came from the claim, not from the decider). */
  reservationCodes: readonly string[];
  /** Why its decision context cannot be rebuilt from the log (it reads something else); null when it can. */
  contextNotInLog: string | null;
  decide(state: unknown, reader: StreamReader, base: DecisionContext): Promise<readonly DomainEvent[] | AppError>;
}

/** Forgets an aggregate's types behind a parse: replay only ever holds a command its own schema accepted. */
function replayable<Command extends { type: string; data: unknown }, State, Event extends DomainEvent, Context extends DecisionContext>(
  definition: AggregateDefinition<Command, State, Event, Context>,
  contextNotInLog: (command: Command) => string | null = () => null,
) {
  return (recorded: unknown): ReplayableCommand | null => {
    const parsed = definition.commandSchema.safeParse(recorded);
    if (!parsed.success) return null;
    const command = parsed.data;
    return {
      aggregate: definition.name,
      streamId: definition.streamOf(command),
      // The state handed back to decide() was folded by this very evolver (replay loads a stream per aggregate).
      evolver: definition.decider as unknown as Evolver<unknown, DomainEvent>,
      reservationCodes: (definition.reservations?.(command) ?? []).map((reservation: UniqueReservation) => reservation.conflictCode),
      contextNotInLog: contextNotInLog(command),
      async decide(state, reader, base) {
        const context = await definition.loadContext(command, reader, base);
        return definition.decider.decide(command, state as State, context);
      },
    };
  };
}

/** Every aggregate whose commands run through the governed pipeline, as the pipeline's callers use them. */
const recognisers = [
  replayable(orgAggregate),
  replayable(rosterAggregate),
  replayable(policyAggregate),
  replayable(subjectAggregate),
  replayable(apiKeyAggregate),
  // A submission is decided with the org's open-jobs count, read from a read model as it is now: not in the log.
  replayable(jobAggregate, (command) => (command.type === 'SubmitJob' ? 'the open-jobs count is read from a read model, not from the log' : null)),
  replayable(assignmentAggregate),
  replayable(contractedTaskAggregate),
  replayable(contractAggregate),
  replayable(timerAggregate),
  replayable(workflowAggregate),
];

/** The aggregate a recorded command belongs to: the one whose schema accepts it and that targets the recorded stream. */
export function recogniseCommand(command: unknown, streamId: string): ReplayableCommand | null {
  for (const recognise of recognisers) {
    const replay = recognise(command);
    if (replay !== null && replay.streamId === streamId) return replay;
  }
  return null;
}
