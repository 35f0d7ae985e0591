import { backoffDelay } from '../../infra/retry/backoff.ts';
import { inboxReconnect } from '../../infra/retry/policies.ts';
import type { WorkRequestKind } from '../../domain/agent-protocol/subjects.ts';
import { AgentRequestError } from './errors.ts';
import { SseParser } from './sse-parser.ts';
import type { AgentTransport, InboxMessage } from './transport.ts';
import type { JsonValue } from '../../domain/shared/json-value.ts';

/** Refusals of the credential itself, which no retry changes. */
const PERMANENT_REFUSALS: ReadonlySet<string> = new Set(['UNAUTHENTICATED', 'MALFORMED_AUTHORIZATION', 'UNKNOWN_API_KEY']);

export interface AgentHttpOptions {
  /** The platform's HTTP API, e.g. `https://agencygrid.example.org` (a path prefix is kept). */
  baseUrl: string;
  /** Reconnection of the inbox after it drops: exponential backoff with jitter. Defaults 500 ms, doubling, at most 30 000 ms. */
  reconnect?: { initialDelayMs?: number; maxDelayMs?: number };
  /**
   * The inbox is taken for dead (a half-open connection) and reconnected when nothing, not even a keep-alive, arrived
   * for this long. Default 45 000 ms: three of the server's 15 s keep-alives.
   */
  idleTimeoutMs?: number;
  /** Default: the global fetch (Node 20+). */
  fetch?: typeof fetch;
}

/** A connection that stayed up this long was a good one: the next drop reconnects from the initial delay again. */
const STABLE_MS = 10_000;

/**
 * The agent protocol over the platform's HTTP API, for agents without NATS: the inbox is `GET /agent/inbox`
 * (Server-Sent Events, one event per bus message, reconnected with backoff when it drops), requests are
 * `POST /agent/requests/<kind>` with the same `Authorization` and `Idempotency-Key` headers as on the bus. An error
 * answer `{code, message, details}` becomes an AgentRequestError, as a refused bus request does.
 *
 * Like the bus (core delivery is at most once), what the platform sends while the inbox is reconnecting is not
 * replayed: a missed call for proposals is a missed round, an unsigned offer is withdrawn after the org's signature
 * timeout, and a task attempt whose heartbeats stop is retried.
 */
export class HttpTransport implements AgentTransport {
  private readonly baseUrl: string;
  private readonly fetch: typeof fetch;
  private readonly initialDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly idleTimeoutMs: number;
  private stopped = false;
  private current: AbortController | undefined;
  private wakeUp: (() => void) | undefined;
  private loop: Promise<void> | undefined;
  private deliveries: Promise<void> = Promise.resolve();
  private serverRetryMs: number | undefined;
  /** Inbox connections opened so far (the first, then each reconnection). */
  connections = 0;

  constructor(
    private readonly options: AgentHttpOptions & {
      apiKey: string;
      requestTimeoutMs: number;
      /** A dropped inbox, a failed reconnection, a message that is not JSON. */
      onError: (error: unknown, context: { kind: string }) => void;
    },
  ) {
    this.baseUrl = options.baseUrl.replace(/\/+$/u, '');
    this.fetch = options.fetch ?? globalThis.fetch;
    this.initialDelayMs = options.reconnect?.initialDelayMs ?? 500;
    this.maxDelayMs = Math.max(this.initialDelayMs, options.reconnect?.maxDelayMs ?? 30_000);
    this.idleTimeoutMs = options.idleTimeoutMs ?? 45_000;
  }

  async open(deliver: (message: InboxMessage) => Promise<void>): Promise<void> {
    if (this.loop) throw new Error('the inbox is already open');
    this.stopped = false;
    const first = await this.connect();
    this.loop = this.follow(first, deliver);
  }

  async request(kind: WorkRequestKind, payload: JsonValue, idempotencyKey: string): Promise<string | null> {
    const response = await this.fetch(`${this.baseUrl}/agent/requests/${kind}`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${this.options.apiKey}`,
        'idempotency-key': idempotencyKey,
        'content-type': 'application/json',
        accept: 'application/json',
      },
      body: JSON.stringify(payload),
      signal: AbortSignal.timeout(this.options.requestTimeoutMs),
    });
    const text = await response.text();
    if (!response.ok) throw errorAnswer(response, text);
    const body = parseJson(text) as { position?: unknown } | undefined;
    return typeof body?.position === 'string' ? body.position : null;
  }

  async close(): Promise<void> {
    this.stopped = true;
    this.current?.abort(new Error('the agent stopped'));
    this.wakeUp?.();
    await this.loop;
    this.loop = undefined;
  }

  /** Opens `GET /agent/inbox`; throws AgentRequestError for an error answer (401 unknown key, 403, 503). */
  private async connect(): Promise<Response> {
    const controller = new AbortController();
    this.current = controller;
    const response = await this.fetch(`${this.baseUrl}/agent/inbox`, {
      headers: { authorization: `Bearer ${this.options.apiKey}`, accept: 'text/event-stream' },
      signal: controller.signal,
    });
    if (!response.ok) throw errorAnswer(response, await response.text().catch(() => ''));
    const type = response.headers.get('content-type') ?? '';
    if (!type.startsWith('text/event-stream') || !response.body) {
      controller.abort();
      throw new AgentRequestError('NOT_AN_EVENT_STREAM', `GET /agent/inbox answered ${type || 'no content type'}`, { contentType: type });
    }
    this.connections += 1;
    return response;
  }

  /** Reads the inbox; when it drops, reconnects with backoff until the client stops. */
  private async follow(first: Response, deliver: (message: InboxMessage) => Promise<void>): Promise<void> {
    let response: Response | undefined = first;
    let failures = 0;
    while (!this.stopped) {
      if (response) {
        const openedAt = Date.now();
        try {
          await this.read(response, deliver);
          if (!this.stopped) this.options.onError(new Error('the inbox stream ended'), { kind: 'inbox' });
        } catch (error) {
          if (!this.stopped) this.options.onError(error, { kind: 'inbox' });
        }
        if (Date.now() - openedAt >= STABLE_MS) failures = 0;
        response = undefined;
      }
      if (this.stopped) break;
      await this.sleep(this.delay(failures));
      failures += 1;
      if (this.stopped) break;
      try {
        response = await this.connect();
      } catch (error) {
        if (this.stopped) break;
        this.options.onError(error, { kind: 'inbox' });
        // No key, a malformed one, or an unknown or revoked one stays so: reconnecting cannot help. (A suspended
        // subject may be reinstated.)
        if (error instanceof AgentRequestError && PERMANENT_REFUSALS.has(error.code)) break;
      }
    }
    this.current?.abort();
  }

  private async read(response: Response, deliver: (message: InboxMessage) => Promise<void>): Promise<void> {
    const controller = this.current;
    const parser = new SseParser();
    const decoder = new TextDecoder();
    let idle: NodeJS.Timeout | undefined;
    const arm = () => {
      clearTimeout(idle);
      idle = setTimeout(() => controller?.abort(new Error(`nothing received on the inbox for ${this.idleTimeoutMs} ms`)), this.idleTimeoutMs);
    };
    arm();
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        arm();
        for (const event of parser.feed(decoder.decode(chunk, { stream: true }))) {
          let data: unknown;
          try {
            data = JSON.parse(event.data);
          } catch (error) {
            this.options.onError(error, { kind: event.event });
            continue;
          }
          // In order, one at a time, as on the bus; the stream keeps being read meanwhile (a slow handler must not
          // make the server drop the connection).
          const kind = event.event;
          this.deliveries = this.deliveries
            .then(() => (this.stopped ? undefined : deliver({ kind, data })))
            .catch((error: unknown) => this.options.onError(error, { kind }));
        }
        if (parser.retryMs !== undefined) this.serverRetryMs = parser.retryMs;
      }
    } catch (error) {
      // Aborted by close(): not an error. Aborted for idleness: the reason says so.
      if (this.stopped) return;
      throw controller?.signal.aborted && controller.signal.reason instanceof Error ? controller.signal.reason : error;
    } finally {
      clearTimeout(idle);
    }
  }

  /** Exponential backoff with jitter (half to full), starting from the server's `retry` when it is longer. */
  private delay(failures: number): number {
    const base = Math.max(this.initialDelayMs, Math.min(this.serverRetryMs ?? 0, this.maxDelayMs));
    return Math.round(backoffDelay(inboxReconnect(base, this.maxDelayMs), failures + 1));
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wakeUp = done;
    });
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** An error answer: the platform's `{code, message, details}`, or (a proxy's page) the status itself. */
function errorAnswer(response: Response, text: string): AgentRequestError {
  const body = parseJson(text) as { code?: unknown; message?: unknown; details?: unknown } | undefined;
  if (body && typeof body.code === 'string' && typeof body.message === 'string') {
    const details = typeof body.details === 'object' && body.details !== null && !Array.isArray(body.details) ? (body.details as Record<string, unknown>) : {};
    return new AgentRequestError(body.code, body.message, details);
  }
  return new AgentRequestError(`HTTP_${response.status}`, text.slice(0, 200) || response.statusText || `status ${response.status}`, {
    status: response.status,
  });
}
