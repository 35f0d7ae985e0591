import { describe, expect, it } from 'vitest';
import { appError } from '../../domain/shared/app-error.ts';
import { httpErrorFor, httpErrorForThrown } from '../../api/http-errors.ts';

/** The headers an error answer needs to be understood travel with its status, from the one place that maps them. */
describe('error answers carry their headers', () => {
  it.each([
    ['UNAUTHENTICATED', 'Bearer'],
    ['MALFORMED_AUTHORIZATION', 'Bearer error="invalid_request"'],
    ['UNKNOWN_API_KEY', 'Bearer error="invalid_token"'],
  ])('challenges a 401 %s as RFC 6750 says', (code, challenge) => {
    expect(httpErrorFor(appError('unauthenticated', code, 'x'))).toMatchObject({ status: 401, headers: { 'www-authenticate': challenge } });
  });

  it('lists the methods a path takes in Allow on a 405', () => {
    expect(httpErrorFor(appError('method_not_allowed', 'METHOD_NOT_ALLOWED', 'x', { allow: ['POST', 'OPTIONS'] }))).toMatchObject({
      status: 405,
      headers: { allow: 'POST, OPTIONS' },
    });
  });

  it('says when to come back on a 429, and on a 503 (at once unless the refusal says otherwise)', () => {
    expect(httpErrorFor(appError('rate_limited', 'RATE_LIMITED', 'x', { retryAfterSeconds: 7 })).headers).toEqual({ 'retry-after': '7' });
    expect(httpErrorFor(appError('unavailable', 'READ_MODEL_BEHIND', 'x')).headers).toEqual({ 'retry-after': '1' });
    expect(httpErrorFor(appError('unavailable', 'SHUTTING_DOWN', 'x', { retryAfterSeconds: 5 })).headers).toEqual({ 'retry-after': '5' });
  });

  it('maps a body too large to 413 with the limit, naming no internals', () => {
    const tooLarge = Object.assign(new RangeError('Request body is too large'), { code: 'FST_ERR_CTP_BODY_TOO_LARGE', statusCode: 413 });
    expect(httpErrorForThrown(tooLarge, { headers: { 'content-length': '2000000' }, bodyLimit: 1000 })).toMatchObject({
      status: 413,
      body: { code: 'PAYLOAD_TOO_LARGE', message: expect.stringContaining('1000 bytes'), details: { maxBytes: 1000, contentLength: 2000000 } },
      internal: false,
    });
  });

  it('keeps an unexpected error internal, and its message unsaid', () => {
    expect(httpErrorForThrown(new Error('secret detail'))).toMatchObject({ status: 500, body: { code: 'INTERNAL_ERROR' }, internal: true });
    expect(JSON.stringify(httpErrorForThrown(new Error('secret detail')).body)).not.toContain('secret');
  });
});
