import type { Logger } from 'pino';
import type { CommandPipeline } from '../../commands/pipeline.ts';
import type { StreamReader } from '../../commands/stream-loader.ts';
import { isAppError, type AppError } from '../../domain/shared/app-error.ts';
import type { Bus, IncomingMessage, JsonValue, Subscription } from '../../infra/bus/port.ts';
import type { ApiKeyIndex } from '../../projections/api-key-index.ts';
import type { RateCounter } from '../../infra/rate-limit/counter.ts';
import { authenticate, refuseSuspendedSubject } from '../auth/authenticate.ts';
import { AGENT_IDEMPOTENCY_KEY, type WorkReply } from '../agent-protocol/messages.ts';
import { WORK_GATEWAY_QUEUE, WORK_REQUEST_KINDS, WORK_REQUEST_PATTERN, type WorkRequestKind } from '../agent-protocol/subjects.ts';
import { runAgentCommand } from './agent-commands.ts';

/**
 * The agents' door over the bus: answers `agencygrid.work.<kind>` requests. The acting subject comes from the API key
 * in the request's `Authorization` header, checked exactly as the HTTP API checks it (suspended subjects refused);
 * then the request runs through the same command pipeline as an HTTP command. The key is never logged.
 */
export class AgentGateway {
  private subscription: Subscription | undefined;

  constructor(
    private readonly deps: {
      bus: Bus;
      pipeline: CommandPipeline;
      apiKeys: ApiKeyIndex;
      reader: StreamReader;
      /** Requests per agent per window (AGENT_BUS_RATE_LIMIT); without it, unlimited. */
      rateLimit?: RateCounter;
      logger?: Logger;
    },
  ) {}

  async start(): Promise<void> {
    this.subscription = await this.deps.bus.subscribe(WORK_REQUEST_PATTERN, (message) => this.handle(message), { queue: WORK_GATEWAY_QUEUE });
  }

  private async handle(message: IncomingMessage): Promise<void> {
    if (!message.isRequest) return;
    let reply: WorkReply;
    try {
      reply = await this.answer(message);
    } catch (error) {
      // Not a refusal but a fault: the agent hears so at once instead of waiting for its request to time out.
      this.deps.logger?.error({ err: error, subject: message.subject }, 'agent request failed');
      reply = refused({ kind: 'unavailable', code: 'INTERNAL', message: 'the request could not be handled; retry with the same Idempotency-Key', details: {} });
    }
    // Through JSON: error details are plain data, and whatever is not JSON (undefined fields) is dropped.
    message.respond({ data: JSON.parse(JSON.stringify(reply)) as JsonValue });
  }

  async answer(message: Pick<IncomingMessage, 'subject' | 'data' | 'headers'>): Promise<WorkReply> {
    const kind = message.subject.slice(message.subject.lastIndexOf('.') + 1);
    if (!(WORK_REQUEST_KINDS as readonly string[]).includes(kind)) {
      return refused({ kind: 'not_found', code: 'UNKNOWN_REQUEST', message: `no agent request is called ${kind}`, details: { known: [...WORK_REQUEST_KINDS] } });
    }
    const principal = authenticate(header(message.headers, 'authorization'), this.deps.apiKeys);
    if (isAppError(principal)) return refused(principal);
    // Counted per agent (the key's principal, whichever instance answers), before any work is done for it.
    const rate = await this.deps.rateLimit?.hit(`${principal.kind}:${principal.id}`);
    if (rate && !rate.allowed) {
      return refused({
        kind: 'rate_limited',
        code: 'RATE_LIMITED',
        message: `too many requests on the bus: at most ${rate.max} per window; retry after ${Math.ceil(rate.retryAfterMs / 1000)} s`,
        details: { limit: 'busRequests', max: rate.max, retryAfterMs: rate.retryAfterMs },
      });
    }
    const suspended = await refuseSuspendedSubject(principal, this.deps.reader);
    if (suspended) return refused(suspended);
    const key = header(message.headers, 'idempotency-key');
    if (key !== undefined && !AGENT_IDEMPOTENCY_KEY.test(key)) {
      return refused({ kind: 'invalid', code: 'INVALID_HEADER', message: 'Idempotency-Key must be 1 to 200 printable ASCII characters', details: { header: 'Idempotency-Key' } });
    }
    const { keyId: _keyId, ...actor } = principal;
    const result = await runAgentCommand(this.deps.pipeline, { kind: kind as WorkRequestKind, payload: message.data, principal: actor, ...(key ? { idempotencyKey: key } : {}) });
    if (isAppError(result)) {
      this.deps.logger?.debug({ kind, code: result.code, subject: actor.id }, 'agent request refused');
      return refused(result);
    }
    return { ok: true, position: result.position === null ? null : result.position.toString() };
  }

  async stop(): Promise<void> {
    await this.subscription?.unsubscribe();
  }
}

function header(headers: Readonly<Record<string, string>>, name: string): string | undefined {
  for (const [key, value] of Object.entries(headers)) if (key.toLowerCase() === name) return value;
  return undefined;
}

function refused(error: AppError): WorkReply {
  return { ok: false, error: { code: error.code, message: error.message, details: { ...error.details } } };
}
