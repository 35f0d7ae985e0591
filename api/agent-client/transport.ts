import type { WorkRequestKind } from '../../domain/agent-protocol/subjects.ts';
import type { JsonValue } from '../../domain/shared/json-value.ts';

/** One message of the agent's inbox: its kind (`cfp`, `accept`, `reject`, `dispatch`, `verify`, `cancel`) and body. */
export interface InboxMessage {
  kind: string;
  data: unknown;
}

/**
 * How an AgentClient reaches the platform: the bus (api/agent-client/bus-transport.ts) or HTTP
 * (api/agent-client/http-transport.ts). The protocol above it (what a message means, what to answer) is the same.
 */
export interface AgentTransport {
  /**
   * Starts delivering the agent's inbox, in order, one message at a time (the next waits for `deliver`'s promise).
   * Resolves once the inbox is open: a message the platform sends after that reaches the agent. Rejects when it
   * cannot be opened (unknown key, unreachable platform).
   */
  open(deliver: (message: InboxMessage) => Promise<void>): Promise<void>;
  /** Sends one request; resolves with the log position the platform recorded, or rejects with AgentRequestError. */
  request(kind: WorkRequestKind, payload: JsonValue, idempotencyKey: string): Promise<string | null>;
  /** Closes the inbox (messages not yet delivered are dropped). Idempotent. */
  close(): Promise<void>;
}
