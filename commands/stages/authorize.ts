import type { AppError } from '../../domain/shared/app-error.ts';
import type { AggregateDefinition } from '../aggregate.ts';
import type { DecisionContext, DomainEvent } from '../../domain/shared/decider.ts';
import type { PreAppendCheck, PreAppendOutcome } from '../pre-append-check.ts';
import type { LoadedStream, StreamReader } from '../stream-loader.ts';
import type { CommandJob } from './command-job.ts';
import { staleRevision, streamFenced } from './refusals.ts';

/** Stage 3: the policy's verdict on the command, against the stream as this attempt loaded it. */
export function authorize<Command extends { type: string; data: unknown }, State, Event extends DomainEvent, Context extends DecisionContext>(
  check: PreAppendCheck,
  definition: AggregateDefinition<Command, State, Event, Context>,
  job: CommandJob<Command>,
  loaded: LoadedStream<State>,
  reader: StreamReader,
  now: string,
): Promise<PreAppendOutcome> {
  const { command, commandId, streamId, orgId, envelope } = job;
  return check({
    commandId,
    now,
    resource: resourceOf(definition.name, streamId, command),
    action: definition.actionOf(command),
    alsoAuthorize: definition.alsoAuthorize?.(command) ?? [],
    orgId,
    principal: envelope.principal,
    command,
    streamId,
    streamRevision: loaded.revision,
    state: loaded.state,
    reader,
  });
}

/**
 * Why the stream as loaded cannot take the command, whatever it decides: closed by a fence, or not at the revision
 * the client expects. Asked only after the policy permitted it: the stream's state is the org's to tell.
 */
export function refuseOnStream(loaded: Pick<LoadedStream<unknown>, 'streamId' | 'revision' | 'fenced'>, expectedRevision: bigint | undefined): AppError | null {
  if (loaded.fenced) return streamFenced(loaded.streamId);
  if (expectedRevision !== undefined && expectedRevision !== loaded.revision) return staleRevision(loaded.streamId, expectedRevision, loaded.revision);
  return null;
}

/** The resource a command acts on: its aggregate type, the id its stream names, and a job space if it names one. */
export function resourceOf(type: string, streamId: string, command: { data: unknown }): { type: string; id: string | null; jobSpace: string | null } {
  const dash = streamId.indexOf('-');
  const data = command.data as { jobSpace?: unknown };
  return { type, id: dash === -1 ? null : streamId.slice(dash + 1), jobSpace: typeof data.jobSpace === 'string' ? data.jobSpace : null };
}
