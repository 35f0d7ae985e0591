import { describe, expect, it } from 'vitest';
import { checkedDurablePublish, checkedPublish, checkedRequest, checkedSubscribe } from '../../infra/bus/call-checks.ts';
import { InvalidBusConfigError, InvalidMessageError, InvalidSubjectError, PayloadTooLargeError } from '../../infra/bus/errors.ts';
import { DEFAULT_REQUEST_TIMEOUT_MS } from '../../infra/bus/port.ts';

const MAX = 1024;

describe('the checks both bus adapters make before a call reaches the transport', () => {
  it('publishes only on a publishable subject, and answers the encoded message', () => {
    expect(() => checkedPublish('orders.*', { data: 1 }, MAX)).toThrow(InvalidSubjectError);
    expect(() => checkedPublish('_INBOX.x', { data: 1 }, MAX)).toThrow(InvalidSubjectError);
    expect(() => checkedPublish('orders.created', { data: 'x'.repeat(MAX) }, MAX)).toThrow(PayloadTooLargeError);
    const encoded = checkedPublish('orders.created', { data: { id: 1 }, headers: { trace: ' t ' } }, MAX);
    expect(new TextDecoder().decode(encoded.payload)).toBe('{"id":1}');
    expect(encoded.headers).toEqual({ trace: 't' });
  });

  it('checks the subject before the message: a bad subject wins over a bad message', () => {
    expect(() => checkedPublish('a..b', { data: 'x'.repeat(MAX) }, MAX)).toThrow(InvalidSubjectError);
  });

  it('refuses a durable publish with an unusable msgId', () => {
    expect(() => checkedDurablePublish('orders.created', { data: 1 }, { msgId: '' }, MAX)).toThrow(InvalidMessageError);
    expect(() => checkedDurablePublish('orders.created', { data: 1 }, { msgId: 'a\nb' }, MAX)).toThrow(InvalidMessageError);
    expect(checkedDurablePublish('orders.created', { data: 1 }, { msgId: 'm-1' }, MAX).size).toBeGreaterThan(0);
  });

  it('gives a request the default timeout unless told, and refuses one that is not a positive integer', () => {
    expect(checkedRequest('svc.ping', { data: null }, {}, MAX).timeoutMs).toBe(DEFAULT_REQUEST_TIMEOUT_MS);
    expect(checkedRequest('svc.ping', { data: null }, { timeoutMs: 250 }, MAX).timeoutMs).toBe(250);
    expect(() => checkedRequest('svc.ping', { data: null }, { timeoutMs: 0 }, MAX)).toThrow(InvalidBusConfigError);
    expect(() => checkedRequest('svc.*', { data: null }, {}, MAX)).toThrow(InvalidSubjectError);
  });

  it('sorts out a handler, options or both, and checks the pattern and the queue group', () => {
    const handler = (): void => undefined;
    expect(checkedSubscribe('orders.>', handler, { queue: 'workers' })).toEqual({ handler, queue: 'workers' });
    expect(checkedSubscribe('orders.>', { queue: 'workers' }, undefined)).toEqual({ handler: undefined, queue: 'workers' });
    expect(checkedSubscribe('orders.*', undefined, undefined)).toEqual({ handler: undefined, queue: undefined });
    expect(() => checkedSubscribe('orders.>.x', handler, undefined)).toThrow(InvalidSubjectError);
    expect(() => checkedSubscribe('orders.>', { queue: 'no spaces' }, undefined)).toThrow(InvalidBusConfigError);
  });
});
