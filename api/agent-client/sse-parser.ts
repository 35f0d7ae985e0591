import { createParser, type EventSourceParser } from 'eventsource-parser';

/**
 * Server-Sent Events for the agent client, parsed by `eventsource-parser`: feed it text as it arrives, in chunks of
 * any size, and it returns the events completed so far.
 *
 * Line ends are settled here before the text reaches the library, because it holds back a CR at the end of a chunk
 * until the next chunk shows whether an LF follows; a stream that ends its lines with CR alone would then deliver
 * each event one keep-alive late. A CR is taken as a line end at once and an LF right after it is skipped.
 */

export interface SseEvent {
  /** `message` when the block named none. */
  event: string;
  data: string;
  /** The last event id seen (in this block or an earlier one), as EventSource keeps it. */
  lastEventId: string;
}

export class SseParser {
  private readonly parser: EventSourceParser;
  private completed: SseEvent[] = [];
  private afterCR = false;
  private started = false;
  /** Characters of the line not yet ended. */
  private pendingLength = 0;
  /** The last `id` field seen. */
  lastEventId = '';
  /** The last valid `retry` field (milliseconds), if any. */
  retryMs: number | undefined;
  /** Comments seen (keep-alives), counted. */
  comments = 0;

  /** A line longer than this (no line end in sight) is refused: the stream is not SSE, or is hostile. */
  constructor(private readonly maxLineLength = 8 * 1024 * 1024) {
    this.parser = createParser({
      onEvent: (event) => {
        if (event.id !== undefined) this.lastEventId = event.id;
        this.completed.push({ event: event.event ?? 'message', data: event.data, lastEventId: this.lastEventId });
      },
      onRetry: (ms) => {
        this.retryMs = ms;
      },
      onComment: () => {
        this.comments += 1;
      },
    });
  }

  feed(text: string): SseEvent[] {
    let input = text;
    if (!this.started && input.length > 0) {
      this.started = true;
      if (input.charCodeAt(0) === 0xfeff) input = input.slice(1);
    }
    if (this.afterCR && input.startsWith('\n')) input = input.slice(1);
    if (input.length > 0) this.afterCR = input.endsWith('\r');
    const normalised = input.replace(/\r\n?/g, '\n');
    const lastEnd = normalised.lastIndexOf('\n');
    this.pendingLength = lastEnd === -1 ? this.pendingLength + normalised.length : normalised.length - lastEnd - 1;
    if (this.pendingLength > this.maxLineLength) throw new Error(`event stream line longer than ${this.maxLineLength} characters`);
    this.parser.feed(normalised);
    const events = this.completed;
    this.completed = [];
    return events;
  }
}
