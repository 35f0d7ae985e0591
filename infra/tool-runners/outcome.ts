import type { JsonValue } from '../json-value.ts';
import type { ToolFailureCode, ToolRunResult } from './port.ts';

/** Measures one call from its start, so every adapter reports its duration the same way. */
export class CallClock {
  private readonly started = performance.now();

  elapsedMs(): number {
    return Math.round(performance.now() - this.started);
  }

  succeeded(output: JsonValue): ToolRunResult {
    return { ok: true, output, durationMs: this.elapsedMs() };
  }

  failed(code: ToolFailureCode, message: string): ToolRunResult {
    return { ok: false, code, message, durationMs: this.elapsedMs() };
  }
}

/** The output a tool wrote, as JSON, or why it is not: empty and non-JSON output are both `bad_output`. */
export function parsedOutput(text: string, clock: CallClock): ToolRunResult {
  if (text.trim() === '') return clock.failed('bad_output', 'the tool wrote no output (expected one JSON value)');
  try {
    return clock.succeeded(JSON.parse(text) as JsonValue);
  } catch {
    return clock.failed('bad_output', `the tool's output is not JSON (${text.length} characters, starting ${JSON.stringify(text.slice(0, 40))})`);
  }
}

/**
 * Bytes collected up to a cap. The tool's stdout or response body is read through one, so a flood costs at most the
 * cap in memory; `overflowed` says the cap was passed (the caller stops the tool and fails the call).
 */
export class CappedBytes {
  private readonly chunks: Buffer[] = [];
  private size = 0;
  overflowed = false;

  constructor(private readonly maxBytes: number) {}

  /** Adds a chunk; false once the cap is passed (the part beyond it is dropped). */
  push(chunk: Uint8Array): boolean {
    if (this.overflowed) return false;
    const room = this.maxBytes - this.size;
    if (chunk.byteLength > room) {
      this.overflowed = true;
      return false;
    }
    this.chunks.push(Buffer.from(chunk));
    this.size += chunk.byteLength;
    return true;
  }

  text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}

/** The last characters of what a tool wrote to stderr, kept for a failure's message: enough to tell why, never more. */
export class TailText {
  private tail = '';

  constructor(private readonly maxChars = 2000) {}

  push(chunk: Uint8Array): void {
    this.tail = (this.tail + Buffer.from(chunk).toString('utf8')).slice(-this.maxChars);
  }

  /** `: <tail>` for a message, or nothing when the tool wrote nothing. */
  suffix(): string {
    const text = this.tail.trim();
    return text === '' ? '' : `: ${text}`;
  }
}

export const outputTooLarge = (maxBytes: number) => `the tool's output passed its limit of ${maxBytes} bytes and was cut off`;
export const timedOut = (timeoutMs: number) => `the tool did not answer within ${timeoutMs} ms`;
export const CANCELLED = 'the call was cancelled before the tool answered';
