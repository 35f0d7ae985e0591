import type { z } from 'zod';
import type { DecisionContext, Decider, DomainEvent } from '../domain/shared/decider.ts';
import type { StreamReader } from './stream-loader.ts';

/** A key that must be unique across all streams (e.g. an org slug), claimed before the command's own append. */
export interface UniqueReservation {
  scope: string;
  key: string;
  /** The error code when another command already holds the key. */
  conflictCode: string;
  conflictMessage: string;
}

/**
 * Everything the pipeline needs to run the commands of one aggregate type: how to validate them, which stream each
 * targets, what governed action it is, what extra context its decision needs, and the decider itself.
 */
export interface AggregateDefinition<Command extends { type: string; data: unknown }, State, Event extends DomainEvent, Context extends DecisionContext> {
  name: string;
  commandSchema: z.ZodType<Command>;
  decider: Decider<Command, State, Event, Context>;
  streamOf(command: Command): string;
  orgIdOf(command: Command): string | null;
  /** The governed action name policies match on, e.g. `org.register`. */
  actionOf(command: Command): string;
  /** Every action `actionOf` can return: policies are validated against the union of these. */
  actions: readonly string[];
  /** Other orgs whose policy must also permit the command, with the action they see (e.g. `org.child.register`). */
  alsoAuthorize?(command: Command): ReadonlyArray<{ orgId: string; action: string }>;
  /** Context beyond time and principal, e.g. the parent org's state. Read-only and best-effort (not transactional). */
  loadContext(command: Command, reader: StreamReader, base: DecisionContext): Promise<Context>;
  reservations?(command: Command): readonly UniqueReservation[];
  /**
   * A key, besides its stream, that commands are serialized on within this process: for a decision that reads what
   * other streams' commands change (the open-jobs quota of an org), so that two of them are never decided on the same
   * count. Other processes are not serialized with this one.
   */
  serializeOn?(command: Command): string | null;
}

/** `actionOf` and `actions` of an aggregate whose every command type is one governed action, from that table. */
function actionPerType<Type extends string>(table: Readonly<Record<Type, string>>): { actionOf(command: { type: Type }): string; actions: readonly string[] } {
  return { actionOf: (command) => table[command.type], actions: Object.values(table) };
}

/** `loadContext` of an aggregate whose decisions need nothing beyond time and principal. */
async function baseContextOnly(_command: unknown, _reader: StreamReader, base: DecisionContext): Promise<DecisionContext> {
  return base;
}

type AnyCommand = { type: string; data: unknown };

/** The governed actions: one per command type (most aggregates), or a rule of the aggregate's own with every action it can return. */
type GovernedActions<Command extends AnyCommand> =
  | { actionPerType: Readonly<Record<Command['type'], string>> }
  | Pick<AggregateDefinition<Command, unknown, DomainEvent, DecisionContext>, 'actionOf' | 'actions'>;

type OrgIdOf<Command extends AnyCommand> = { orgIdOf?(command: Command): string | null };
/** Optional only where every command names its org in `data.orgId`: that is then the default. */
type OrgIdSpec<Command extends AnyCommand> = [Command] extends [{ data: { orgId: string | null } }] ? OrgIdOf<Command> : Required<OrgIdOf<Command>>;

type LoadContext<Command extends AnyCommand, Context extends DecisionContext> = Pick<
  AggregateDefinition<Command, unknown, DomainEvent, Context>,
  'loadContext'
>;
/** Optional only where the base context (time and principal) is a whole context: that is then the default. */
type ContextSpec<Command extends AnyCommand, Context extends DecisionContext> = [DecisionContext] extends [Context]
  ? Partial<LoadContext<Command, Context>>
  : LoadContext<Command, Context>;

/** What an aggregate's definition must say of itself; `defineAggregate` supplies what most aggregates share. */
export type AggregateSpec<Command extends AnyCommand, State, Event extends DomainEvent, Context extends DecisionContext> = Omit<
  AggregateDefinition<Command, State, Event, Context>,
  'orgIdOf' | 'actionOf' | 'actions' | 'loadContext'
> &
  GovernedActions<Command> &
  OrgIdSpec<Command> &
  ContextSpec<Command, Context>;

function orgIdInData(command: AnyCommand): string | null {
  // OrgIdSpec lets the default stand only where the command type says every command's data has an orgId.
  return (command.data as { orgId: string | null }).orgId;
}

/**
 * An aggregate's definition from what is particular to it: its org is `data.orgId` unless it says otherwise, its
 * decisions need only the base context unless it loads more, and `actionPerType` stands for `actionOf` and `actions`.
 */
export function defineAggregate<Command extends AnyCommand, State, Event extends DomainEvent, Context extends DecisionContext>(
  spec: AggregateSpec<Command, State, Event, Context>,
): AggregateDefinition<Command, State, Event, Context> {
  const {
    orgIdOf = orgIdInData,
    // ContextSpec lets the default stand only where the base context is a whole Context.
    loadContext = baseContextOnly as LoadContext<Command, Context>['loadContext'],
    ...rest
  } = spec;
  if (!('actionPerType' in rest)) return { ...rest, orgIdOf, loadContext };
  const { actionPerType: table, ...own } = rest;
  return { ...own, ...actionPerType(table), orgIdOf, loadContext };
}
