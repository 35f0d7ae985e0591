import { InvalidBusConfigError, InvalidMessageError, PayloadTooLargeError } from './errors.ts';
import { DEFAULT_DUPLICATE_WINDOW_MS, type BusMessage, type MessageHeaders, type StreamConfig } from './port.ts';
import { assertPattern } from './subjects.ts';
import type { JsonValue } from '../json-value.ts';

/** Validation and encoding shared by both adapters, so they refuse and accept exactly the same things. */

const RESERVED_HEADER_PREFIXES = ['nats-', 'bus-'];
/** Marks a durable publish, which NATS delivers to core subscribers with a reply subject (the stream's ack). */
export const DURABLE_MARKER_HEADER = 'Bus-Durable';
const HEADER_NAME = /^[\x21-\x39\x3b-\x7e]+$/;
const HEADER_VALUE_FORBIDDEN = /[\r\n]/;

export function isReservedHeader(name: string): boolean {
  const lower = name.toLowerCase();
  return RESERVED_HEADER_PREFIXES.some((prefix) => lower.startsWith(prefix));
}

export interface EncodedMessage {
  payload: Uint8Array;
  /** Validated, values trimmed (as NATS delivers them). */
  headers: Record<string, string>;
  /** Payload + headers as NATS counts them against max_payload. */
  size: number;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

export function encodeMessage(message: BusMessage, maxPayload: number): EncodedMessage {
  if (message === null || typeof message !== 'object') throw new InvalidMessageError('a message is an object { data, headers? }');
  let json: string | undefined;
  try {
    json = JSON.stringify(message.data);
  } catch (error) {
    throw new InvalidMessageError(`data is not JSON-encodable: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  if (json === undefined) throw new InvalidMessageError('data is not a JSON value (undefined, a function or a symbol)');
  const payload = encoder.encode(json);
  const headers = normalizeHeaders(message.headers);
  const size = payload.byteLength + headersSize(headers);
  if (size > maxPayload) throw new PayloadTooLargeError(size, maxPayload);
  return { payload, headers, size };
}

function normalizeHeaders(headers: MessageHeaders | undefined): Record<string, string> {
  const normalized: Record<string, string> = {};
  if (headers === undefined) return normalized;
  if (headers === null || typeof headers !== 'object') throw new InvalidMessageError('headers must be an object of strings');
  for (const [name, value] of Object.entries(headers)) {
    if (!HEADER_NAME.test(name)) throw new InvalidMessageError(`header name '${name}' must be printable ASCII without ':' or spaces`);
    if (isReservedHeader(name)) throw new InvalidMessageError(`header name '${name}' is reserved (Nats-*, Bus-*)`);
    if (typeof value !== 'string') throw new InvalidMessageError(`header '${name}' must be a string`);
    if (HEADER_VALUE_FORBIDDEN.test(value)) throw new InvalidMessageError(`header '${name}' must not contain CR or LF`);
    normalized[name] = value.trim();
  }
  return normalized;
}

/** `NATS/1.0\r\n` + `name: value\r\n` per header + `\r\n`, the way the NATS protocol frames them. */
function headersSize(headers: Record<string, string>): number {
  const entries = Object.entries(headers);
  if (entries.length === 0) return 0;
  let size = 'NATS/1.0\r\n\r\n'.length;
  for (const [name, value] of entries) size += encoder.encode(`${name}: ${value}\r\n`).byteLength;
  return size;
}

export function decodeData(payload: Uint8Array): JsonValue {
  try {
    return JSON.parse(decoder.decode(payload)) as JsonValue;
  } catch (error) {
    throw new InvalidMessageError(`payload of ${payload.byteLength} bytes is not JSON`, { cause: error });
  }
}

/** Copies headers, dropping the transport's reserved ones. */
export function publicHeaders(entries: Iterable<readonly [string, string]>): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of entries) if (!isReservedHeader(name) && !(name in headers)) headers[name] = value;
  return headers;
}

// ---------------------------------------------------------------------------------------------------------------
// Names and settings
// ---------------------------------------------------------------------------------------------------------------

const NAME = /^[A-Za-z0-9_-]{1,64}$/;
const QUEUE = /^[A-Za-z0-9_.-]{1,128}$/;

export function assertName(kind: 'stream' | 'durable', name: string): void {
  if (typeof name !== 'string' || !NAME.test(name)) {
    throw new InvalidBusConfigError(`${kind} name '${String(name)}' must be 1-64 letters, digits, '_' or '-'`);
  }
}

export function assertQueueName(queue: string): void {
  if (typeof queue !== 'string' || !QUEUE.test(queue)) {
    throw new InvalidBusConfigError(`queue group '${String(queue)}' must be 1-128 letters, digits, '_', '-' or '.'`);
  }
}

function positiveInteger(what: string, value: number | undefined, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isInteger(value) || value <= 0 || value > max) throw new InvalidBusConfigError(`${what} must be a positive integer (got ${value})`);
  return value;
}

export interface NormalizedStreamConfig {
  name: string;
  subjects: string[];
  maxAgeMs: number | undefined;
  duplicateWindowMs: number;
  storage: 'file' | 'memory';
}

export function normalizeStreamConfig(config: StreamConfig): NormalizedStreamConfig {
  assertName('stream', config.name);
  if (!Array.isArray(config.subjects) || config.subjects.length === 0) {
    throw new InvalidBusConfigError(`stream '${config.name}' needs at least one subject`);
  }
  for (const subject of config.subjects) assertPattern(subject);
  const subjects = [...new Set(config.subjects)];
  const maxAgeMs = positiveInteger('maxAgeMs', config.maxAgeMs);
  const duplicateWindowMs = positiveInteger('duplicateWindowMs', config.duplicateWindowMs) ?? Math.min(DEFAULT_DUPLICATE_WINDOW_MS, maxAgeMs ?? Infinity);
  if (maxAgeMs !== undefined && duplicateWindowMs > maxAgeMs) {
    throw new InvalidBusConfigError(`duplicateWindowMs (${duplicateWindowMs}) cannot exceed maxAgeMs (${maxAgeMs})`);
  }
  const storage = config.storage ?? 'file';
  if (storage !== 'file' && storage !== 'memory') throw new InvalidBusConfigError(`storage must be 'file' or 'memory'`);
  return { name: config.name, subjects, maxAgeMs, duplicateWindowMs, storage };
}

export function assertMsgId(msgId: string | undefined): void {
  if (msgId === undefined) return;
  if (typeof msgId !== 'string' || msgId.length === 0 || msgId.length > 256 || /[\r\n]/.test(msgId)) {
    throw new InvalidMessageError('msgId must be 1-256 characters without CR/LF');
  }
}

export function assertTimeout(timeoutMs: number): number {
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) throw new InvalidBusConfigError(`timeoutMs must be a positive integer (got ${timeoutMs})`);
  return timeoutMs;
}

export function defaultOnError(error: unknown, context: { subject: string }): void {
  console.error(`bus: error on '${context.subject}':`, error);
}
