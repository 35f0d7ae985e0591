import { appError, type AppError, type Audience } from '../domain/shared/app-error.ts';
import type { DomainEvent } from '../domain/shared/decider.ts';
import { actsForThePlatform, type Principal } from '../domain/shared/principal.ts';
import type { StreamReader } from './stream-loader.ts';

export interface PreAppendInput {
  commandId: string;
  /** The decision instant (the pipeline's clock), ISO-8601. */
  now: string;
  action: string;
  /** Further (org, action) pairs that must each be permitted too, in that org: e.g. a parent org's consent. */
  alsoAuthorize: ReadonlyArray<{ orgId: string; action: string }>;
  /** What the command acts on, for policy conditions. */
  resource: { type: string; id: string | null; jobSpace: string | null };
  orgId: string | null;
  principal: Principal;
  command: { type: string; data: unknown };
  streamId: string;
  streamRevision: bigint;
  state: unknown;
  /** Reads other streams as this attempt of the command sees them (each caught up once). */
  reader: StreamReader;
}

/** The org's invariants refused a command its policy permitted: the error the caller gets, as recorded. */
export interface StructureRefusal {
  kind: 'conflict' | 'forbidden' | 'unprocessable';
  code: string;
  message: string;
}

/** Decisions recorded in a stream of their own (an org's audit stream), not with a change. */
export interface AsideRecord {
  streamId: string;
  events: readonly DomainEvent[];
  decisionId: string;
}

export type PreAppendOutcome =
  | {
      allowed: true;
      /** Stamped on every event of the append. */
      decisionId?: string;
      /** Appended atomically with the command's own events (e.g. the decision record). */
      events?: readonly DomainEvent[];
      /**
       * The same decisions as recorded if the command is then refused by the org's invariants (its decider answers a
       * conflict, a forbidden act or an unprocessable reference; a unique key is taken), with that refusal as their
       * result, each in its own stream: the permit stays part of the record and the record says it changed nothing.
       * Malformed input and no-ops record nothing.
       */
      refusedByStructure?: (refusal: StructureRefusal) => readonly AsideRecord[];
      /** Who a refusal by the org's structure speaks to (an outsider the policy let act must learn no more). */
      audience?: Audience;
    }
  | {
      allowed: false;
      error: AppError;
      /** The decisions that denied it (and any made before), appended to their own streams, never dropped. */
      records?: readonly AsideRecord[];
    };

/** Runs before every decide. The policy engine plugs in here. */
export type PreAppendCheck = (input: PreAppendInput) => Promise<PreAppendOutcome>;

/**
 * Until org policies exist, only platform admins and the platform itself may change anything: deny by default.
 */
export const platformAdminsOnly: PreAppendCheck = async ({ principal, action }) =>
  actsForThePlatform(principal)
    ? { allowed: true }
    : {
        allowed: false,
        error: appError('forbidden', 'FORBIDDEN', `principal ${principal.id} may not perform ${action}`, {
          action,
          principal: principal.id,
        }),
      };
