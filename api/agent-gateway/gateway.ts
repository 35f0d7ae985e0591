import type { Logger } from 'pino';
import type { CommandPipeline } from '../../commands/pipeline.ts';
import type { StreamReader } from '../../commands/stream-loader.ts';
import { appError, isAppError, type AppError } from '../../domain/shared/app-error.ts';
import type { Principal } from '../../domain/shared/principal.ts';
import type { Bus, IncomingMessage, Subscription } from '../../infra/bus/port.ts';
import type { ApiKeyIndex } from '../../projections/api-key-index.ts';
import type { RateCounter } from '../../infra/rate-limit/counter.ts';
import { answerDetailSchema } from '../answer-detail.ts';
import { authenticate, refuseSuspendedSubject } from '../auth/authenticate.ts';
import { commandError } from '../command-reply.ts';
import { AGENT_IDEMPOTENCY_KEY, type WorkReply } from '../../domain/agent-protocol/messages.ts';
import {
  WORK_GATEWAY_QUEUE,
  WORK_REQUEST_KINDS,
  WORK_REQUEST_PATTERN,
  parseWorkRequestSubject,
  type WorkRequestKind,
} from '../../domain/agent-protocol/subjects.ts';
import { callerView } from '../refusal-view.ts';
import { runAgentCommand } from './agent-commands.ts';
import type { JsonValue } from '../../domain/shared/json-value.ts';

/**
 * The agents' door over the bus: answers `agencygrid.work.<subjectId>.<keyId>.<kind>` requests. Who asks is the key
 * the subject names, checked on every request (active, the named subject's, the subject not suspended):
 * - on an authenticated bus (`bus.authenticated`: the server enforces each agent's permissions, see
 *   agentBusPermissions), only a connection issued for that key can publish there, so the subject is the proof and a
 *   request carrying an API key is refused (keys do not belong on the bus);
 * - otherwise (development NATS without auth, the in-process bus) the request must carry that key in
 *   `Authorization: Bearer <api key>`, checked exactly as the HTTP API checks it. The key is never logged.
 * Then the request runs through the same command pipeline as an HTTP command.
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
    const asked = parseWorkRequestSubject(message.subject);
    const kind = asked?.kind ?? message.subject.slice(message.subject.lastIndexOf('.') + 1);
    if (!asked || !(WORK_REQUEST_KINDS as readonly string[]).includes(kind)) {
      return refused({
        kind: 'not_found',
        code: 'UNKNOWN_REQUEST',
        message: `no agent request is called ${kind}`,
        details: { known: [...WORK_REQUEST_KINDS] },
      });
    }
    const actor = this.principalOf(asked, message.headers);
    if (isAppError(actor)) return refused(actor);
    // Counted per agent (the key's principal, whichever instance answers), before any work is done for it.
    const rate = await this.deps.rateLimit?.hit(`${actor.kind}:${actor.id}`);
    if (rate && !rate.allowed) {
      return refused({
        kind: 'rate_limited',
        code: 'RATE_LIMITED',
        message: `too many requests on the bus: at most ${rate.max} per window; retry after ${Math.ceil(rate.retryAfterMs / 1000)} s`,
        details: { limit: 'busRequests', max: rate.max, retryAfterMs: rate.retryAfterMs },
      });
    }
    const suspended = await refuseSuspendedSubject(actor, this.deps.reader);
    if (suspended) return refused(suspended);
    const key = header(message.headers, 'idempotency-key');
    if (key !== undefined && !AGENT_IDEMPOTENCY_KEY.test(key)) {
      return refused({
        kind: 'invalid',
        code: 'INVALID_HEADER',
        message: 'Idempotency-Key must be 1 to 200 printable ASCII characters',
        details: { header: 'Idempotency-Key' },
      });
    }
    // As `?explain=full` over HTTP: a refusal answers every rule's evaluation only when asked.
    const detail = answerDetailSchema.safeParse(header(message.headers, 'explain') ?? 'summary');
    if (!detail.success)
      return refused({ kind: 'invalid', code: 'INVALID_HEADER', message: 'Explain must be summary or full', details: { header: 'Explain' } });
    const result = await runAgentCommand(this.deps.pipeline, {
      kind: kind as WorkRequestKind,
      payload: message.data,
      principal: actor,
      reader: this.deps.reader,
      ...(key ? { idempotencyKey: key } : {}),
    });
    if (isAppError(result)) {
      this.deps.logger?.debug({ kind, code: result.code, subject: actor.id }, 'agent request refused');
      return refused(commandError(result, detail.data));
    }
    return { ok: true, position: result.position === null ? null : result.position.toString() };
  }

  /** The principal of the key the subject names; see the class comment for how each kind of bus proves it. */
  private principalOf(asked: { subjectId: string; keyId: string }, headers: Readonly<Record<string, string>>): Principal | AppError {
    const authorization = header(headers, 'authorization');
    // One answer whether the key is unknown or another subject's, as over HTTP: it tells a guesser nothing.
    const mismatch = appError(
      'unauthenticated',
      'UNKNOWN_API_KEY',
      'this API key is not known (revoked, rotated or mistyped), or it is not the one the request subject names: publish on agencygrid.work.<your subject id>.<your key id>.<kind>',
    );
    if (this.deps.bus.authenticated) {
      if (authorization !== undefined) {
        return appError('invalid', 'INVALID_HEADER', 'this bus authenticates connections: send no API key in messages', { header: 'Authorization' });
      }
      if (!this.deps.apiKeys.healthy) return appError('unavailable', 'EVENT_STORE_UNAVAILABLE', 'credentials cannot be checked right now; retry shortly');
      const owner = this.deps.apiKeys.keyOwner(asked.keyId);
      return owner?.kind === 'subject' && owner.id === asked.subjectId ? owner : mismatch;
    }
    const principal = authenticate(authorization, this.deps.apiKeys);
    if (isAppError(principal)) return principal;
    const { keyId, ...actor } = principal;
    if (keyId !== asked.keyId) return mismatch;
    // Anyone else (an admin) is told AGENTS_ONLY by runAgentCommand; a subject acts only on its own subjects.
    if (actor.kind === 'subject' && actor.id !== asked.subjectId) return mismatch;
    return actor;
  }

  async stop(): Promise<void> {
    await this.subscription?.unsubscribe();
  }
}

function header(headers: Readonly<Record<string, string>>, name: string): string | undefined {
  for (const [key, value] of Object.entries(headers)) if (key.toLowerCase() === name) return value;
  return undefined;
}

/** Shaped for the caller like every HTTP and GraphQL refusal (callerView). */
function refused(error: AppError): WorkReply {
  const shown = callerView(error);
  return { ok: false, error: { code: shown.code, message: shown.message, details: { ...shown.details } } };
}
