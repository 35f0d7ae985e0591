import type { Principal } from '../domain/shared/principal.ts';

export interface CommandEnvelope {
  commandId: string;
  principal: Principal;
  /** Defaults to the command id: a command from outside starts its own correlation. */
  correlationId?: string;
  /** Defaults to the command id; a saga passes the id of the event that caused the command. */
  causationId?: string;
  /** The client's optimistic-concurrency precondition; when set, a conflict is reported instead of retried. */
  expectedRevision?: bigint;
  /**
   * The caller chose the command id and may send it again (an Idempotency-Key, a saga's step id): its completion is
   * recorded durably, so a retry answers the same even if the command decided nothing.
   */
  retryable?: boolean;
}
