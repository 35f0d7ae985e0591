import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ToolEndpoint } from '../../domain/tool/spec.ts';
import { createToolRunner } from '../../infra/tool-runners/index.ts';
import { describeToolRunnerContract, failure, registeredTool } from './tool-runner.contract.ts';

const TOKEN = 'sk-live-very-secret-token';

/** The test's HTTP tool: one route per behaviour, answering as a remote endpoint would. */
function toolServer(): Server {
  return createServer((request: IncomingMessage, response: ServerResponse) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    request.on('end', () => {
      const json = (status: number, value: unknown) => response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
      switch (request.url) {
        case '/echo':
          return json(200, JSON.parse(body));
        case '/whoami':
          return json(200, { authorization: request.headers.authorization ?? null, method: request.method, body: JSON.parse(body) });
        case '/hang':
          return; // never answers
        case '/flood': {
          response.writeHead(200, { 'content-type': 'application/json' });
          const write = () => {
            while (response.write('x'.repeat(65536)));
            response.once('drain', write);
          };
          return write();
        }
        case '/not-json':
          return response.writeHead(200).end('<html>hello</html>');
        case '/token-text':
          return response.writeHead(200).end(`${request.headers.authorization} is what I got`);
        case '/fails':
          return response.writeHead(500).end(`bad token ${request.headers.authorization}`);
        case '/moved-here':
          return response.writeHead(307, { location: '/echo' }).end();
        case '/moved-away':
          return response.writeHead(307, { location: `http://localhost:${(request.socket.localPort ?? 0).toString()}/echo` }).end();
        case '/see-other':
          return response.writeHead(303, { location: '/echo' }).end();
        default:
          return response.writeHead(404).end();
      }
    });
  });
}

let server: Server;
let base: string;
// The org's allowed hosts: 127.0.0.1 (the test server) for org-1, nothing for org-2. Only org-1 holds the token.
const runner = createToolRunner({
  allowedHosts: (orgId) => (orgId === 'org-1' ? ['127.0.0.1'] : []),
  secrets: (orgId, name) => (orgId === 'org-1' && name === 'api-token' ? TOKEN : undefined),
  commandAllowed: () => false,
});

beforeAll(async () => {
  server = toolServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const endpoint = (path: string, extra: Partial<Extract<ToolEndpoint, { kind: 'http' }>> = {}): ToolEndpoint => ({
  kind: 'http',
  url: `${base}${path}`,
  method: 'POST',
  headers: {},
  ...extra,
});

describeToolRunnerContract('http', async () => ({
  runner,
  endpoint: (behaviour) => endpoint(`/${behaviour}`),
  orgId: 'org-1',
  startupMs: 500,
  close: async () => undefined,
}));

describe('http tool runner', () => {
  const run = (target: ToolEndpoint, orgId = 'org-1', input: object = { q: 1 }) =>
    runner.run({ tool: registeredTool(target, { timeoutMs: 5000 }), input: { ...input }, orgId, signal: new AbortController().signal });

  it('sends the input as the JSON body, with the method and a secret header resolved for the org', async () => {
    const result = await run(endpoint('/whoami', { method: 'PUT', headers: { Authorization: { secret: 'api-token' } } }));
    expect(result).toMatchObject({ ok: true, output: { authorization: TOKEN, method: 'PUT', body: { q: 1 } } });
  });

  it('refuses a host the org does not allow, before any request', async () => {
    const result = failure(await run(endpoint('/echo'), 'org-2'));
    expect(result.code).toBe('host_not_allowed');
    expect(result.message).toContain('127.0.0.1');
  });

  it('fails a secret the org does not hold, naming it but never a value', async () => {
    const result = failure(await run(endpoint('/whoami', { headers: { Authorization: { secret: 'other-token' } } })));
    expect(result.code).toBe('unreachable');
    expect(result.message).toContain('other-token');
  });

  it('fails a call whose allowed hosts or secret cannot be read with unreachable, never the store error', async () => {
    const outage = createToolRunner({
      commandAllowed: () => false,
      allowedHosts: (orgId) => {
        if (orgId === 'org-down') throw new Error('settings store unavailable');
        return ['127.0.0.1'];
      },
      secrets: async () => {
        throw new Error(`store dump: ${TOKEN}`);
      },
    });
    const call = (target: ToolEndpoint, orgId: string) => outage.run({ tool: registeredTool(target), input: {}, orgId, signal: new AbortController().signal });
    expect(failure(await call(endpoint('/echo'), 'org-down'))).toMatchObject({
      code: 'unreachable',
      message: expect.stringContaining('settings store unavailable'),
    });
    const secretDown = failure(await call(endpoint('/whoami', { headers: { Authorization: { secret: 'api-token' } } }), 'org-1'));
    expect(secretDown).toMatchObject({ code: 'unreachable', message: expect.stringContaining('api-token') });
    expect(secretDown.message).not.toContain(TOKEN);
  });

  it('answers a non-2xx as remote_error, with the secret taken out of what the endpoint echoed', async () => {
    const result = failure(await run(endpoint('/fails', { headers: { Authorization: { secret: 'api-token' } } })));
    expect(result.code).toBe('remote_error');
    expect(result.message).toContain('HTTP 500');
    expect(result.message).toContain('bad token [secret]');
    expect(result.message).not.toContain(TOKEN);
  });

  it('fails a body that is not JSON with bad_output', async () => {
    expect(failure(await run(endpoint('/not-json'))).code).toBe('bad_output');
  });

  it('keeps a secret the endpoint echoes out of a bad_output message too', async () => {
    const result = failure(await run(endpoint('/token-text', { headers: { Authorization: { secret: 'api-token' } } })));
    expect(result.code).toBe('bad_output');
    expect(result.message).toContain('[secret] is what');
    expect(result.message).not.toContain(TOKEN);
  });

  it('follows a 307 on the same host, keeping the method and body', async () => {
    expect(await run(endpoint('/moved-here'), 'org-1', { kept: true })).toMatchObject({ ok: true, output: { kept: true } });
  });

  it('does not follow a redirect to another host', async () => {
    const result = failure(await run(endpoint('/moved-away')));
    expect(result.code).toBe('host_not_allowed');
    expect(result.message).toContain('localhost');
  });

  it('does not follow a redirect that would drop the body', async () => {
    expect(failure(await run(endpoint('/see-other'))).code).toBe('remote_error');
  });

  it('fails a port nobody listens on with unreachable', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const result = failure(await run({ kind: 'http', url: `http://127.0.0.1:${port}/echo`, method: 'POST', headers: {} }));
    expect(result.code).toBe('unreachable');
    expect(result.message).toContain('ECONNREFUSED');
  });
});
