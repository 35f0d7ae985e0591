/**
 * Typed errors of the Bus port. Both adapters throw exactly these (the NATS adapter maps nats.js errors onto them and
 * keeps the original as `cause`), so callers never look at a transport's error codes.
 */

export class BusError extends Error {
  override readonly name: string = 'BusError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** A subject or subscription pattern that breaks the subject rules (see infra/bus/subjects.ts). */
export class InvalidSubjectError extends BusError {
  override readonly name = 'InvalidSubjectError';
  constructor(
    readonly subject: string,
    readonly reason: string,
  ) {
    super(`invalid subject '${subject}': ${reason}`);
  }
}

/** A stream, durable consumer or queue group name, or a stream/consumer setting, that cannot be used. */
export class InvalidBusConfigError extends BusError {
  override readonly name = 'InvalidBusConfigError';
}

/** A message that cannot be sent (not JSON-encodable, bad or reserved header) or received (payload is not JSON). */
export class InvalidMessageError extends BusError {
  override readonly name = 'InvalidMessageError';
}

/** The encoded message (data + headers) exceeds the server's max payload (1 MiB by default). */
export class PayloadTooLargeError extends BusError {
  override readonly name = 'PayloadTooLargeError';
  constructor(
    readonly size: number,
    readonly maxPayload: number,
  ) {
    super(`message of ${size} bytes exceeds the max payload of ${maxPayload} bytes`);
  }
}

/** A request found no subscription interested in its subject: it fails at once instead of waiting for the timeout. */
export class NoResponderError extends BusError {
  override readonly name = 'NoResponderError';
  constructor(
    readonly subject: string,
    options?: { cause?: unknown },
  ) {
    super(`no responder for request on '${subject}'`, options);
  }
}

/** A request was received by someone but not answered in time. */
export class RequestTimeoutError extends BusError {
  override readonly name = 'RequestTimeoutError';
  constructor(
    readonly subject: string,
    readonly timeoutMs: number,
    options?: { cause?: unknown },
  ) {
    super(`request on '${subject}' got no reply within ${timeoutMs} ms`, options);
  }
}

/** The bus cannot be reached (connection refused, timed out, lost for good) or has been closed. */
export class BusUnavailableError extends BusError {
  override readonly name = 'BusUnavailableError';
}

/** A durable stream that does not exist (or was deleted under a consumer). */
export class DurableStreamNotFoundError extends BusError {
  override readonly name = 'DurableStreamNotFoundError';
  constructor(
    readonly stream: string,
    options?: { cause?: unknown },
  ) {
    super(`durable stream '${stream}' not found`, options);
  }
}

/** A durable publish on a subject that no stream captures: nothing would store it. */
export class NoStreamForSubjectError extends BusError {
  override readonly name = 'NoStreamForSubjectError';
  constructor(
    readonly subject: string,
    options?: { cause?: unknown },
  ) {
    super(`no durable stream captures subject '${subject}'`, options);
  }
}

/**
 * The server refused a subscription or a publish this connection's credentials do not permit. A refused subscription
 * fails `subscribe`; a refused publish cannot fail `publish` (the server answers asynchronously), so it is reported
 * to the bus's `onError` instead (and fails a `request`).
 */
export class BusPermissionError extends BusError {
  override readonly name = 'BusPermissionError';
  constructor(
    readonly operation: 'publish' | 'subscribe',
    readonly subject: string,
    options?: { cause?: unknown },
  ) {
    super(`not permitted to ${operation} on '${subject}'`, options);
  }
}
