/**
 * A small Server-Sent Events parser (WHATWG HTML, "interpreting an event stream"): feed it text as it arrives, in
 * chunks of any size, and it returns the events completed so far. Lines end with CRLF, LF or CR (a CRLF split
 * across two chunks counts once); `:` starts a comment; `data` lines are joined with LF; a block without data
 * dispatches nothing. Field values drop one leading space.
 */

export interface SseEvent {
  /** `message` when the block named none. */
  event: string;
  data: string;
  /** The last event id seen (in this block or an earlier one), as EventSource keeps it. */
  lastEventId: string;
}

export class SseParser {
  private buffer = '';
  private afterCR = false;
  private started = false;
  private data: string[] = [];
  private event = '';
  /** The last `id` field seen. */
  lastEventId = '';
  /** The last valid `retry` field (milliseconds), if any. */
  retryMs: number | undefined;
  /** Comments seen (keep-alives), counted. */
  comments = 0;

  /** A line longer than this (no line end in sight) is refused: the stream is not SSE, or is hostile. */
  constructor(private readonly maxLineLength = 8 * 1024 * 1024) {}

  feed(text: string): SseEvent[] {
    let input = text;
    if (!this.started && input.length > 0) {
      this.started = true;
      if (input.charCodeAt(0) === 0xfeff) input = input.slice(1);
    }
    if (this.afterCR && input.startsWith('\n')) input = input.slice(1);
    if (input.length > 0) this.afterCR = false;
    const events: SseEvent[] = [];
    const text2 = this.buffer + input;
    const lineEnd = /\r\n|\r|\n/g;
    let from = 0;
    for (let match = lineEnd.exec(text2); match !== null; match = lineEnd.exec(text2)) {
      // A CR as the last character may be the first half of a CRLF: the LF that may follow is skipped.
      if (match[0] === '\r' && lineEnd.lastIndex === text2.length) this.afterCR = true;
      this.line(text2.slice(from, match.index), events);
      from = lineEnd.lastIndex;
    }
    this.buffer = text2.slice(from);
    if (this.buffer.length > this.maxLineLength) throw new Error(`event stream line longer than ${this.maxLineLength} characters`);
    return events;
  }

  private line(line: string, events: SseEvent[]): void {
    if (line === '') {
      if (this.data.length > 0) events.push({ event: this.event || 'message', data: this.data.join('\n'), lastEventId: this.lastEventId });
      this.data = [];
      this.event = '';
      return;
    }
    if (line.startsWith(':')) {
      this.comments += 1;
      return;
    }
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'event':
        this.event = value;
        return;
      case 'data':
        this.data.push(value);
        return;
      case 'id':
        if (!value.includes('\u0000')) this.lastEventId = value;
        return;
      case 'retry':
        if (/^\d+$/.test(value)) this.retryMs = Number(value);
        return;
      default:
        return; // unknown fields are ignored
    }
  }
}
