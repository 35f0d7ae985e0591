import type { ServerResponse } from 'node:http';
import type { AppError } from '../../domain/shared/app-error.ts';

/**
 * Server-Sent Events on a raw Node response, with backpressure: `send` waits for the socket to drain before it
 * returns, so a slow client makes its stream stop reading the log instead of growing a buffer.
 */

/** A field value on one line: SSE fields end at CR or LF, so they must not contain one. */
function oneLine(value: string): string {
  return value.replace(/[\r\n]/gu, ' ');
}

/** One message: `id`, `event` and one `data` line of JSON (JSON.stringify never writes a raw line break). */
export function sseMessage(message: { id: string; event: string; data: unknown }): string {
  return `id: ${oneLine(message.id)}\nevent: ${oneLine(message.event)}\ndata: ${JSON.stringify(message.data)}\n\n`;
}

/**
 * A comment block (ignored by clients), optionally with an `id` line: a block with an id and no data dispatches
 * nothing but moves the client's Last-Event-ID (WHATWG HTML, "dispatch the event"), so a resume skips what the stream
 * already scanned and left out.
 */
export function sseComment(comment: string, id?: string): string {
  return `: ${oneLine(comment)}\n${id === undefined ? '' : `id: ${oneLine(id)}\n`}\n`;
}

/**
 * The last comment of a stream ended because its credential went bad: the same code and message a request with that
 * credential gets (`closed: UNKNOWN_API_KEY: ...`), so the client knows whether reconnecting can help.
 */
export function closedBecause(refusal: Pick<AppError, 'code' | 'message'>): string {
  return `closed: ${refusal.code}: ${refusal.message}`;
}

export const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache, no-transform',
  // One stream per connection: when it ends, so does the connection (nothing idle left to hold a shutdown open).
  connection: 'close',
  // Reverse proxies (nginx) must not buffer the stream.
  'x-accel-buffering': 'no',
} as const;

export class SseWriter {
  private drainWaiters: Array<() => void> = [];
  private closed = false;
  private ending: Promise<void> | undefined;
  /** Resolves when the response has closed: ended and flushed, or the connection is gone. */
  readonly whenClosed: Promise<void>;

  constructor(private readonly response: ServerResponse) {
    const wake = () => {
      for (const resolve of this.drainWaiters.splice(0)) resolve();
    };
    response.on('drain', wake);
    this.whenClosed = new Promise((resolve) => {
      const closed = () => {
        this.closed = true;
        wake();
        resolve();
      };
      // A client that went away before the stream started (while its request was being authorized) has already had
      // its 'close': a listener added now would never hear it.
      if (response.destroyed) closed();
      else response.once('close', closed);
    });
    // A connection reset while writing is a client going away, reported by 'close'; never an unhandled error.
    response.on('error', () => undefined);
  }

  get open(): boolean {
    return !this.closed && !this.response.destroyed && !this.response.writableEnded;
  }

  /** The socket cannot take more now: what is written waits in memory. */
  get congested(): boolean {
    return this.response.writableNeedDrain;
  }

  start(status: number, headers: Record<string, string>, first: string): void {
    this.response.writeHead(status, headers);
    this.response.socket?.setNoDelay(true);
    this.response.write(first);
  }

  /** Writes the chunk; resolves once the socket can take more (true), or false when the stream has closed. */
  async send(chunk: string): Promise<boolean> {
    if (!this.open) return false;
    if (this.response.write(chunk)) return true;
    await new Promise<void>((resolve) => this.drainWaiters.push(resolve));
    return this.open;
  }

  /** Writes the chunk only if nothing is waiting to be sent (a keep-alive is pointless behind data). */
  sendIfIdle(chunk: string): boolean {
    if (!this.open || this.congested) return false;
    this.response.write(chunk);
    return true;
  }

  /**
   * Ends the response (idempotent). A client that does not read what is still buffered does not hold the connection
   * (nor a shutdown) open: after `graceMs` the socket is destroyed.
   */
  end(graceMs = 1000): Promise<void> {
    this.ending ??= (async () => {
      if (this.closed) return;
      if (!this.response.writableEnded) this.response.end();
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<void>((resolve) => {
        timer = setTimeout(() => {
          this.response.destroy();
          resolve();
        }, graceMs);
      });
      await Promise.race([this.whenClosed, late]);
      clearTimeout(timer);
    })();
    return this.ending;
  }
}
