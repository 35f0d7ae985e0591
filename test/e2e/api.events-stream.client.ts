import { request, type IncomingMessage } from 'node:http';
import { required } from '../../domain/shared/required.ts';

/** One parsed SSE block: a message (with data) or a comment block (keep-alive, possibly carrying an id). */
export interface SseMessage {
  id: string | undefined;
  event: string | undefined;
  data: string;
  json: EventPayload;
}

export interface EventPayload {
  position: string;
  streamId: string;
  revision: number;
  type: string;
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
  orgId: string | null;
}

/**
 * A Server-Sent Events client over node:http (fetch would do too; node:http lets a test pause reading to play a slow
 * client). Parses the stream as the WHATWG spec does, keeping Last-Event-ID as EventSource would.
 */
export class SseClient {
  readonly messages: SseMessage[] = [];
  readonly comments: string[] = [];
  /** As EventSource keeps it: the last `id` field seen, in a message or not. */
  lastEventId: string | undefined;
  retry: number | undefined;
  readonly ended: Promise<void>;
  private buffer = '';
  private listeners: Array<() => void> = [];
  private endedFlag = false;

  private constructor(
    readonly status: number,
    readonly headers: IncomingMessage['headers'],
    private readonly response: IncomingMessage,
  ) {
    response.setEncoding('utf8');
    response.on('data', (chunk: string) => this.feed(chunk));
    this.ended = new Promise((resolve) => {
      const done = () => {
        this.endedFlag = true;
        this.notify();
        resolve();
      };
      response.once('end', done);
      response.once('close', done);
      response.once('error', done);
    });
  }

  /** Opens the stream; a non-200 answer is returned as its status and JSON body instead. */
  static open(
    url: string,
    key: string,
    headers: Record<string, string> = {},
  ): Promise<SseClient | { status: number; body: { code: string; message: string; details: Record<string, unknown> } }> {
    return new Promise((resolve, reject) => {
      const req = request(url, { headers: { authorization: `Bearer ${key}`, accept: 'text/event-stream', ...headers } }, (response) => {
        const status = response.statusCode ?? 0;
        if (status !== 200) {
          let text = '';
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => (text += chunk));
          response.on('end', () => resolve({ status, body: JSON.parse(text) }));
          return;
        }
        resolve(new SseClient(status, response.headers, response));
      });
      req.on('error', reject);
      req.end();
    });
  }

  static async connect(url: string, key: string, headers: Record<string, string> = {}): Promise<SseClient> {
    const opened = await SseClient.open(url, key, headers);
    if (!(opened instanceof SseClient)) throw new Error(`expected a stream, got ${opened.status}: ${JSON.stringify(opened.body)}`);
    return opened;
  }

  get isEnded(): boolean {
    return this.endedFlag;
  }

  get payloads(): EventPayload[] {
    return this.messages.map((message) => message.json);
  }

  pause(): void {
    this.response.pause();
  }

  resume(): void {
    this.response.resume();
  }

  /** Disconnects (as a client going away). */
  close(): void {
    this.response.destroy();
  }

  private feed(chunk: string): void {
    this.buffer += chunk.replace(/\r\n?/g, '\n');
    for (let end = this.buffer.indexOf('\n\n'); end !== -1; end = this.buffer.indexOf('\n\n')) {
      const block = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      this.block(block);
    }
    this.notify();
  }

  private block(block: string): void {
    let id: string | undefined;
    let event: string | undefined;
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) {
        this.comments.push(line.slice(1).trim());
        continue;
      }
      const colon = line.indexOf(':');
      const field = colon === -1 ? line : line.slice(0, colon);
      const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'id') id = value;
      else if (field === 'event') event = value;
      else if (field === 'data') data.push(value);
      else if (field === 'retry') this.retry = Number(value);
    }
    if (id !== undefined) this.lastEventId = id;
    if (data.length === 0) return;
    const text = data.join('\n');
    this.messages.push({ id, event, data: text, json: JSON.parse(text) as EventPayload });
  }

  private notify(): void {
    for (const listener of this.listeners.splice(0)) listener();
  }

  /** Waits until `check` holds (re-checked on every chunk), failing after `timeoutMs`. */
  async until(check: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!check()) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what} (${this.messages.length} messages so far)`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 100));
        this.listeners.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Waits for a message whose payload matches. */
  async waitForPayload(match: (payload: EventPayload) => boolean, timeoutMs = 5000, what = 'an event'): Promise<EventPayload> {
    await this.until(() => this.payloads.some(match), timeoutMs, what);
    return required(this.payloads.find(match), what);
  }

  async waitForPosition(position: bigint | string, timeoutMs = 5000): Promise<void> {
    const target = BigInt(position);
    await this.until(() => this.messages.some((message) => BigInt(message.json.position) >= target), timeoutMs, `position ${target}`);
  }
}
