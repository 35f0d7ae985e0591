import type { Bus, Subscription } from '../../infra/bus/port.ts';
import type { WorkReply } from '../../domain/agent-protocol/messages.ts';
import { agentInboxPattern, apiKeyId, workRequestSubject, type WorkRequestKind } from '../../domain/agent-protocol/subjects.ts';
import { AgentRequestError } from './errors.ts';
import type { AgentTransport, InboxMessage } from './transport.ts';
import type { JsonValue } from '../../domain/shared/json-value.ts';

/**
 * The agent protocol over the bus (NATS, or the platform's in-process bus): the inbox is a subscription to
 * `agencygrid.agent.<subjectId>.>`, requests are bus requests on `agencygrid.work.<subjectId>.<keyId>.<kind>`. On a
 * bus that authenticated this connection (credentials from `connectAgentBus`) the subject is the proof of who asks
 * and no key is sent; otherwise the key goes in an `Authorization` header.
 */
export class BusTransport implements AgentTransport {
  private subscription: Subscription | undefined;
  private readonly keyId: string;

  constructor(private readonly options: { bus: Bus; subjectId: string; apiKey: string; requestTimeoutMs: number }) {
    const keyId = apiKeyId(options.apiKey);
    if (keyId === undefined) throw new TypeError('AgentClient: apiKey is not an agent API key (agk_<keyId>.<secret>)');
    this.keyId = keyId;
  }

  async open(deliver: (message: InboxMessage) => Promise<void>): Promise<void> {
    this.subscription = await this.options.bus.subscribe(agentInboxPattern(this.options.subjectId), (message) =>
      deliver({ kind: message.subject.slice(message.subject.lastIndexOf('.') + 1), data: message.data }),
    );
  }

  async request(kind: WorkRequestKind, payload: JsonValue, idempotencyKey: string): Promise<string | null> {
    const { bus, subjectId, apiKey } = this.options;
    const headers: Record<string, string> = { 'Idempotency-Key': idempotencyKey };
    if (!bus.authenticated) headers.Authorization = `Bearer ${apiKey}`;
    const reply = await bus.request(workRequestSubject(subjectId, this.keyId, kind), { data: payload, headers }, { timeoutMs: this.options.requestTimeoutMs });
    const answer = reply.data as unknown as WorkReply;
    if (answer.ok) return answer.position;
    throw new AgentRequestError(answer.error.code, answer.error.message, answer.error.details);
  }

  async close(): Promise<void> {
    await this.subscription?.unsubscribe();
  }
}
