import type { Bus, JsonValue, Subscription } from '../../infra/bus/port.ts';
import type { WorkReply } from '../agent-protocol/messages.ts';
import { agentInboxPattern, workRequestSubject, type WorkRequestKind } from '../agent-protocol/subjects.ts';
import { AgentRequestError } from './errors.ts';
import type { AgentTransport, InboxMessage } from './transport.ts';

/**
 * The agent protocol over the bus (NATS, or the platform's in-process bus): the inbox is a subscription to
 * `agencygrid.agent.<subjectId>.>`, requests are bus requests on `agencygrid.work.<kind>` with the key in a header.
 */
export class BusTransport implements AgentTransport {
  private subscription: Subscription | undefined;

  constructor(private readonly options: { bus: Bus; subjectId: string; apiKey: string; requestTimeoutMs: number }) {}

  async open(deliver: (message: InboxMessage) => Promise<void>): Promise<void> {
    this.subscription = await this.options.bus.subscribe(agentInboxPattern(this.options.subjectId), (message) =>
      deliver({ kind: message.subject.slice(message.subject.lastIndexOf('.') + 1), data: message.data }),
    );
  }

  async request(kind: WorkRequestKind, payload: JsonValue, idempotencyKey: string): Promise<string | null> {
    const reply = await this.options.bus.request(
      workRequestSubject(kind),
      { data: payload, headers: { Authorization: `Bearer ${this.options.apiKey}`, 'Idempotency-Key': idempotencyKey } },
      { timeoutMs: this.options.requestTimeoutMs },
    );
    const answer = reply.data as unknown as WorkReply;
    if (answer.ok) return answer.position;
    throw new AgentRequestError(answer.error.code, answer.error.message, answer.error.details);
  }

  async close(): Promise<void> {
    await this.subscription?.unsubscribe();
  }
}
