import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestServer } from '../support/api-server.ts';
import { freePort } from '../support/server-process.ts';

const script = fileURLToPath(new URL('../../bin/healthcheck.mjs', import.meta.url));

/** Runs the probe as the container does (`node bin/healthcheck.mjs`), with only the given settings. */
async function probe(env: Readonly<Record<string, string>>): Promise<{ code: number | null; stderr: string; ms: number }> {
  const started = Date.now();
  const child = spawn(process.execPath, [script], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { code, stderr, ms: Date.now() - started };
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

describe('the container healthcheck (bin/healthcheck.mjs)', () => {
  const { server } = useTestServer();
  let port: number;
  const others: Server[] = [];

  beforeAll(async () => {
    await server.app.listen({ host: '127.0.0.1', port: 0 });
    port = (server.app.server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    for (const other of others) other.closeAllConnections();
    await Promise.all(others.map((other) => new Promise((resolve) => other.close(resolve))));
  });

  it('exits 0 against a running server, found from its own HOST and PORT', async () => {
    expect(await probe({ PORT: String(port), HOST: '127.0.0.1' })).toMatchObject({ code: 0, stderr: '' });
    // In the image HOST is 0.0.0.0 (every interface): the probe goes to the loopback address.
    expect(await probe({ PORT: String(port), HOST: '0.0.0.0' })).toMatchObject({ code: 0, stderr: '' });
  });

  it('exits 1 and says why when nothing listens on the port', async () => {
    const closed = await freePort();
    const result = await probe({ PORT: String(closed), HOST: '0.0.0.0' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`unhealthy: GET http://127.0.0.1:${closed}/health failed`);
    expect(result.stderr).toContain('ECONNREFUSED');
  });

  it('exits 1 when /health answers anything but 200 {"status":"ok"}', async () => {
    const failing = createServer((_request, response) => response.writeHead(503, { 'content-type': 'application/json' }).end('{"status":"shutting down"}'));
    others.push(failing);
    const result = await probe({ PORT: String(await listen(failing)) });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/answered 503/);

    const wrongBody = createServer((_request, response) => response.writeHead(200, { 'content-type': 'text/html' }).end('<h1>some other service</h1>'));
    others.push(wrongBody);
    expect((await probe({ PORT: String(await listen(wrongBody)) })).code).toBe(1);
  });

  it('gives up by itself on a server that never answers (after 4 s, inside the HEALTHCHECK timeout of 5 s)', async () => {
    const silent = createServer(() => undefined);
    others.push(silent);
    const result = await probe({ PORT: String(await listen(silent)) });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/timeout|aborted/i);
    // fetch alone would wait minutes for the headers; the margin above 5 s is the child's start on a busy machine.
    expect(result.ms).toBeLessThan(10_000);
  });
});
