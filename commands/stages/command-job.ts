import type { AggregateDefinition } from '../aggregate.ts';
import type { DecisionContext, DomainEvent } from '../../domain/shared/decider.ts';
import type { CommandStamp } from '../event-envelope.ts';
import { commandHash } from '../command-identity.ts';
import type { CommandEnvelope } from '../command-envelope.ts';

/** What every stage of one command's execution needs to know about it, fixed before its first attempt. */
export interface CommandJob<Command extends { type: string; data: unknown }> {
  command: Command;
  envelope: CommandEnvelope;
  commandId: string;
  streamId: string;
  /** The command's content hash: the same id with another content is another command. */
  hash: string;
  orgId: string | null;
  /** The metadata its events carry, at the decision instant and with the decision that permitted it. */
  stampAt(occurredAt: string, decisionId?: string | null): CommandStamp;
}

export function commandJob<Command extends { type: string; data: unknown }, State, Event extends DomainEvent, Context extends DecisionContext>(
  definition: AggregateDefinition<Command, State, Event, Context>,
  command: Command,
  envelope: CommandEnvelope,
): CommandJob<Command> {
  const { commandId } = envelope;
  const hash = commandHash(command);
  const orgId = definition.orgIdOf(command);
  return {
    command,
    envelope,
    commandId,
    streamId: definition.streamOf(command),
    hash,
    orgId,
    stampAt: (occurredAt, decisionId = null) => ({
      commandId,
      commandType: command.type,
      commandHash: hash,
      correlationId: envelope.correlationId ?? commandId,
      causationId: envelope.causationId ?? commandId,
      principal: envelope.principal,
      orgId,
      occurredAt,
      decisionId,
    }),
  };
}
