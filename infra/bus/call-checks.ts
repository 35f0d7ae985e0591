import { assertMsgId, assertQueueName, assertTimeout, encodeMessage, type EncodedMessage } from './message.ts';
import {
  DEFAULT_REQUEST_TIMEOUT_MS,
  type BusMessage,
  type DurablePublishOptions,
  type MessageHandler,
  type RequestOptions,
  type SubscribeOptions,
} from './port.ts';
import { assertPattern, assertPublishSubject } from './subjects.ts';

/**
 * What both adapters check before a call reaches their transport, in the same order, so that they refuse the same
 * calls with the same errors. Each answers what the transport needs: the encoded message, the timeout, the handler.
 */

export function checkedPublish(subject: string, message: BusMessage, maxPayload: number): EncodedMessage {
  assertPublishSubject(subject);
  return encodeMessage(message, maxPayload);
}

export function checkedDurablePublish(subject: string, message: BusMessage, options: DurablePublishOptions, maxPayload: number): EncodedMessage {
  assertPublishSubject(subject);
  assertMsgId(options.msgId);
  return encodeMessage(message, maxPayload);
}

export function checkedRequest(
  subject: string,
  message: BusMessage,
  options: RequestOptions,
  maxPayload: number,
): { encoded: EncodedMessage; timeoutMs: number } {
  assertPublishSubject(subject);
  const timeoutMs = assertTimeout(options.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS);
  return { encoded: encodeMessage(message, maxPayload), timeoutMs };
}

/** `subscribe` takes a handler, options, or both: sorted out here once. */
export function checkedSubscribe(
  pattern: string,
  handlerOrOptions: MessageHandler | SubscribeOptions | undefined,
  maybeOptions: SubscribeOptions | undefined,
): { handler: MessageHandler | undefined; queue: string | undefined } {
  assertPattern(pattern);
  const handler = typeof handlerOrOptions === 'function' ? handlerOrOptions : undefined;
  const options = (typeof handlerOrOptions === 'function' ? maybeOptions : handlerOrOptions) ?? {};
  if (options.queue !== undefined) assertQueueName(options.queue);
  return { handler, queue: options.queue };
}
