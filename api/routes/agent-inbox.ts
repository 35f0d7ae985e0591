import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { z } from 'zod';
import { appError, isAppError } from '../../domain/shared/app-error.ts';
import type { Principal } from '../../domain/shared/principal.ts';
import type { IncomingMessage, Subscription } from '../../infra/bus/port.ts';
import {
  awardSchema,
  callForProposalsSchema,
  proposalRejectedSchema,
  taskCancelledSchema,
  taskDispatchSchema,
  verificationRequestSchema,
} from '../../domain/agent-protocol/messages.ts';
import { AGENT_INBOX_KINDS, agentInboxPattern } from '../../domain/agent-protocol/subjects.ts';
import { sendError } from '../command-reply.ts';
import type { Platform } from '../platform.ts';
import { StreamAccess } from '../streaming/access.ts';
import { SSE_HEADERS, closedBecause, sseComment, SseWriter } from '../streaming/sse.ts';
import type { StreamSlots } from '../streaming/stream-slots.ts';
import { OpenSessions } from '../streaming/open-sessions.ts';
import { eventStreamResponses } from '../openapi/responses.ts';
import type { ZodRequestTypes } from '../routing/request-schemas.ts';

export interface AgentInboxRouteOptions {
  /** A `: keep-alive` comment this often when nothing else is sent; the credential is re-checked as often. Default 15 000 ms. */
  heartbeatMs?: number;
  /** What EventSource clients wait before reconnecting (the SSE `retry` field). Default 2000 ms. */
  retryMs?: number;
  /**
   * Messages waiting for a client that does not read (the socket is full) before its connection is dropped: the bus
   * cannot be paused (core delivery is at most once), so the alternative would be an unbounded buffer. Default 256.
   */
  maxQueued?: number;
  /** How long a credential check holds (key revoked, subject suspended). Default 10 000 ms. */
  accessTtlMs?: number;
}

/** One inbox message as SSE: `event: <kind>` and one `data:` line of JSON (the bus message's body, as published). */
function inboxMessage(kind: string, data: unknown): string {
  return `event: ${kind.replace(/[\r\n]/gu, ' ')}\ndata: ${JSON.stringify(data)}\n\n`;
}

const inboxSchemas = {
  cfp: callForProposalsSchema,
  accept: awardSchema,
  reject: proposalRejectedSchema,
  dispatch: taskDispatchSchema,
  verify: verificationRequestSchema,
  cancel: taskCancelledSchema,
} as const;

const description = [
  "The caller's agent inbox over HTTP, for agents that do not use NATS: every message the platform publishes on the bus",
  'for the caller (`agencygrid.agent.<subjectId>.<kind>`) is forwarded as one Server-Sent Event, `event: <kind>` and',
  '`data: <JSON>`, the same body as on the bus (see the schema of each kind). Kinds: `cfp` (call for proposals),',
  '`accept` (award, with the contract to sign), `reject` (another bid won), `dispatch` (a task attempt), `verify`',
  '(a delivery to verify), `cancel` (stop working on a task). Answer them with `POST /agent/requests/:kind`.',
  '',
  "The inbox is the authenticated subject's own, derived from its API key (a query parameter is 400); admins and the",
  'platform are 403 AGENTS_ONLY, a suspended subject 403 SUBJECT_SUSPENDED. Like the bus, delivery is at most once and',
  'nothing is stored: a message sent while no inbox is open is not replayed (an unsigned offer is withdrawn after',
  '`work.signatureTimeoutMs`, a task attempt that misses its heartbeats is retried). A `: keep-alive` comment comes every',
  '15 s when nothing else is sent. A client that stops reading is disconnected once 256 messages wait for it; the',
  'stream ends when its key is revoked or its subject suspended, and when the server shuts down. An inbox counts as',
  "one of the principal's open streams (STREAMS_PER_PRINCIPAL, STREAMS_TOTAL: 429 TOO_MANY_STREAMS). Reconnect with",
  'backoff (the SDK does: `new AgentClient({ http: { baseUrl }, subjectId, apiKey }, handlers)`).',
].join('\n');

const inboxPayload = z
  .union([inboxSchemas.cfp, inboxSchemas.accept, inboxSchemas.reject, inboxSchemas.dispatch, inboxSchemas.verify, inboxSchemas.cancel])
  .describe('the JSON of each `data:` line: the body of the message of that kind');

/** `GET /agent/inbox`: the authenticated agent's messages from the platform, as Server-Sent Events. */
export async function agentInboxRoutes(app: FastifyInstance, platform: Platform, streams: StreamSlots, options: AgentInboxRouteOptions = {}): Promise<void> {
  const routes = app.withTypeProvider<ZodRequestTypes>();
  const sessions = new OpenSessions<AgentInboxSession>(app);

  routes.get(
    '/agent/inbox',
    {
      schema: {
        summary: "The caller's agent inbox: calls for proposals, awards, tasks, verifications (Server-Sent Events)",
        description,
        tags: ['agents'],
        response: eventStreamResponses(
          `text/event-stream; the event name is the kind (${AGENT_INBOX_KINDS.join(', ')}), each data line one message`,
          inboxPayload,
        ),
      },
    },
    async (request, reply) => {
      const principal = request.principal;
      if (!principal) return sendError(reply, appError('unauthenticated', 'UNAUTHENTICATED', 'authentication required'));
      // Whose inbox it is comes from the key alone: a parameter that looks like it could choose is refused, not ignored.
      const query = Object.keys((request.query ?? {}) as Record<string, unknown>);
      if (query.length > 0) {
        return sendError(
          reply,
          appError('invalid', 'VALIDATION_FAILED', "the inbox takes no parameters (it is the API key's subject's): remove the query string", {
            issues: query.map((name) => ({ path: [name], message: 'unknown parameter' })),
          }),
        );
      }
      if (principal.kind !== 'subject') {
        return sendError(reply, appError('forbidden', 'AGENTS_ONLY', "the inbox is an agent's (a subject's), read with its own key", { kind: principal.kind }));
      }
      const closing = sessions.refusal();
      if (closing) return sendError(reply, closing);

      const release = streams.acquire(principal);
      if (isAppError(release)) return sendError(reply, release);
      const access = new StreamAccess(platform.loader, platform.apiKeys, principal, options.accessTtlMs === undefined ? {} : { ttlMs: options.accessTtlMs });
      const session = new AgentInboxSession(principal, access, request.log, options);
      sessions.add(session);
      let subscription: Subscription;
      try {
        // Subscribed before the answer starts: once the client has its 200, every later message reaches it.
        subscription = await platform.bus.subscribe(agentInboxPattern(principal.id), (message) => session.receive(message));
      } catch (error) {
        sessions.delete(session);
        release();
        request.log.warn({ err: error }, 'agent inbox: cannot subscribe to the bus');
        return sendError(reply, appError('unavailable', 'BUS_UNAVAILABLE', 'the message bus is unavailable; retry shortly'));
      }
      reply.hijack();
      try {
        await session.run(new SseWriter(reply.raw), subscription);
      } finally {
        sessions.delete(session);
        release();
      }
    },
  );
}

/**
 * One open inbox: bus messages are queued as they arrive (the handler never waits, so the bus is never held up) and
 * written in order as fast as the socket takes them; when `maxQueued` wait, the client is not reading and the
 * connection is dropped. Heartbeats keep proxies from closing an idle stream and re-check the credential.
 */
class AgentInboxSession {
  private readonly queue: string[] = [];
  private writer: SseWriter | undefined;
  private subscription: Subscription | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private pumping = false;
  private ending: string | undefined;
  private done: Promise<void> | undefined;
  private sent = 0;
  private readonly opened = performance.now();
  private readonly maxQueued: number;

  constructor(
    private readonly principal: Principal,
    private readonly access: StreamAccess,
    private readonly log: FastifyBaseLogger,
    private readonly options: AgentInboxRouteOptions,
  ) {
    this.maxQueued = options.maxQueued ?? 256;
  }

  receive(message: IncomingMessage): void {
    if (this.ending) return;
    const kind = message.subject.slice(message.subject.lastIndexOf('.') + 1);
    if (!(AGENT_INBOX_KINDS as readonly string[]).includes(kind)) return;
    if (this.queue.length >= this.maxQueued) {
      void this.close(`the client is not reading: ${this.maxQueued} messages waiting`);
      return;
    }
    this.queue.push(inboxMessage(kind, message.data));
    void this.pump();
  }

  async run(writer: SseWriter, subscription: Subscription): Promise<void> {
    this.writer = writer;
    this.subscription = subscription;
    this.done = new Promise<void>((resolve) => {
      void writer.whenClosed.then(() => this.close('client disconnected')).then(resolve);
    });
    writer.start(200, { ...SSE_HEADERS }, `: agencygrid agent inbox\nretry: ${this.options.retryMs ?? 2000}\n\n`);
    this.log.info({ subjectId: this.principal.id }, 'agent inbox opened');
    if (this.ending) await this.close(this.ending);
    else {
      this.heartbeat = setInterval(() => void this.beat(), this.options.heartbeatMs ?? 15_000);
      void this.pump();
    }
    await this.done;
  }

  private async pump(): Promise<void> {
    const writer = this.writer;
    if (this.pumping || !writer) return;
    this.pumping = true;
    try {
      while (!this.ending) {
        const next = this.queue.shift();
        if (next === undefined) break;
        const written = await writer.send(next);
        if (!written) break;
        this.sent += 1;
      }
    } finally {
      this.pumping = false;
    }
  }

  private async beat(): Promise<void> {
    const writer = this.writer;
    if (this.ending || !writer) return;
    if (!writer.open) {
      await this.close('client disconnected');
      return;
    }
    try {
      const refused = await this.access.credentialRefusal();
      if (refused) {
        writer.sendIfIdle(sseComment(closedBecause(refused)));
        await this.close('credential no longer valid');
        return;
      }
    } catch {
      return; // the store is unavailable: try again at the next beat
    }
    writer.sendIfIdle(sseComment('keep-alive'));
  }

  /** Ends the inbox: unsubscribes from the bus, ends the response, resolves once everything is released. */
  async close(reason: string): Promise<void> {
    const first = this.ending === undefined;
    this.ending ??= reason;
    clearInterval(this.heartbeat);
    this.queue.length = 0;
    await this.subscription?.unsubscribe().catch(() => undefined);
    if (!this.writer) return; // not started: run() ends it as soon as it starts
    if (first && reason === 'server shutting down') this.writer.sendIfIdle(sseComment('closed: server shutting down'));
    await this.writer.end();
    if (first) {
      // A hijacked response gets no 'request completed' line from Fastify: this is it.
      this.log.info({ subjectId: this.principal.id, sent: this.sent, durationMs: Math.round(performance.now() - this.opened), reason }, 'agent inbox closed');
    }
  }
}
