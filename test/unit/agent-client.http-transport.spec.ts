import { describe, expect, it } from 'vitest';
import { required } from '../../domain/shared/required.ts';
import { AgentClient, AgentRequestError, SseParser, type SseEvent } from '../../api/agent-client/index.ts';

/** Feeds the text cut at every given offset, and returns every event parsed. */
function parse(text: string, cuts: number[] = []): SseEvent[] {
  const parser = new SseParser();
  const events: SseEvent[] = [];
  let from = 0;
  for (const cut of [...cuts, text.length]) {
    events.push(...parser.feed(text.slice(from, cut)));
    from = cut;
  }
  return events;
}

describe('SseParser', () => {
  const stream =
    '\ufeff: agencygrid agent inbox\nretry: 100\n\nevent: cfp\ndata: {"a":1}\n\n: keep-alive\n\nevent: dispatch\r\ndata:{"b":\r\ndata: 2}\r\n\r\ndata: plain\rid: 7\r\r';
  const expected: SseEvent[] = [
    { event: 'cfp', data: '{"a":1}', lastEventId: '' },
    { event: 'dispatch', data: '{"b":\n2}', lastEventId: '' },
    { event: 'message', data: 'plain', lastEventId: '7' },
  ];

  it('parses events, comments, multi-line data and every line ending, in one chunk', () => {
    const parser = new SseParser();
    expect(parser.feed(stream)).toEqual(expected);
    expect(parser.comments).toBe(2);
    expect(parser.retryMs).toBe(100);
  });

  it('gives the same events however the stream is cut, a CRLF split across chunks included', () => {
    for (let cut = 0; cut <= stream.length; cut += 1) expect(parse(stream, [cut]), `cut at ${cut}`).toEqual(expected);
    expect(
      parse(
        stream,
        Array.from({ length: stream.length }, (_, index) => index),
      ),
    ).toEqual(expected);
  });

  it('dispatches nothing for a block without data, nor for an unfinished block', () => {
    expect(parse('event: cfp\n\nevent: accept\ndata: {}\n')).toEqual([]);
  });

  it('refuses a line longer than its limit', () => {
    const parser = new SseParser(10);
    expect(() => parser.feed('data: 0123456789')).toThrow(/longer than 10/);
  });
});

describe('the HTTP transport', () => {
  const reply =
    (status: number, body: string, type = 'application/json') =>
    async () =>
      new Response(body, { status, headers: { 'content-type': type } });
  const client = (fetch: typeof globalThis.fetch) =>
    new AgentClient({ http: { baseUrl: 'http://platform.invalid/api/', fetch }, subjectId: 's', apiKey: 'agk_key.secret-secret-secret' }, {});

  it('sends the key, the Idempotency-Key and the JSON body to /agent/requests/<kind>, and answers the position', async () => {
    const seen: Array<{ url: string; init: RequestInit | undefined }> = [];
    const fetch = (async (url: string, init?: RequestInit) => {
      seen.push({ url, init });
      return new Response(JSON.stringify({ commandId: 'c', position: '42' }), { status: 200 });
    }) as typeof globalThis.fetch;
    expect(await client(fetch).request('sign', { orgId: 'o', contractId: 'c' }, 'key-1')).toBe('42');
    expect(seen).toHaveLength(1);
    const call = required(seen[0], 'the request sent');
    expect(call.url).toBe('http://platform.invalid/api/agent/requests/sign');
    expect(call.init).toMatchObject({
      method: 'POST',
      headers: { authorization: 'Bearer agk_key.secret-secret-secret', 'idempotency-key': 'key-1', 'content-type': 'application/json' },
      body: '{"orgId":"o","contractId":"c"}',
    });
  });

  it('maps {code, message, details} to AgentRequestError, and an answer that is not one to HTTP_<status>', async () => {
    const refused = await client(reply(403, JSON.stringify({ code: 'CONTRACT_VIOLATION', message: 'no', details: { clause: 'permittedTools' } })))
      .request('tool', {})
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(AgentRequestError);
    expect(refused).toMatchObject({ code: 'CONTRACT_VIOLATION', message: 'CONTRACT_VIOLATION: no', details: { clause: 'permittedTools' } });

    const proxy = await client(reply(502, '<html>bad gateway</html>', 'text/html'))
      .request('tool', {})
      .catch((error: unknown) => error);
    expect(proxy).toBeInstanceOf(AgentRequestError);
    expect(proxy).toMatchObject({ code: 'HTTP_502', details: { status: 502 } });
  });

  it('refuses to start on an answer that is not an event stream', async () => {
    const started = await client(reply(200, '{}'))
      .start()
      .catch((error: unknown) => error);
    expect(started).toMatchObject({ code: 'NOT_AN_EVENT_STREAM' });
  });

  it('takes exactly one transport', () => {
    expect(() => new AgentClient({ subjectId: 's', apiKey: 'k' } as never, {})).toThrow(/exactly one transport/);
  });
});
