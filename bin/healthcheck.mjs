#!/usr/bin/env node
// The container's health probe (Dockerfile HEALTHCHECK, docker-compose healthcheck): GET /health of the server on
// this machine, exit 0 when it answers 200 {"status":"ok"}, 1 otherwise with the reason on stderr (shown by
// `docker inspect`). Plain JavaScript run by node alone: the slim image has no curl or wget, and a probe every few
// seconds should not pay for starting tsx. It reads the server's own HOST and PORT.

const TIMEOUT_MS = 4000; // below the HEALTHCHECK timeout (5 s), so the reason is ours, not "timed out"

/** Where to reach the server: its HOST, unless that is a wildcard address (listening everywhere, loopback too). */
function healthUrl(env) {
  const host = env.HOST === undefined || env.HOST === '' || env.HOST === '0.0.0.0' || env.HOST === '::' ? '127.0.0.1' : env.HOST;
  const port = env.PORT === undefined || env.PORT === '' ? '8080' : env.PORT;
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}/health`;
}

async function probe(url) {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS) });
    const body = await response.json().catch(() => undefined);
    if (response.status === 200 && body?.status === 'ok') return undefined;
    return `GET ${url} answered ${response.status}`;
  } catch (error) {
    const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
    return `GET ${url} failed: ${error instanceof Error ? error.message : String(error)}${cause}`;
  }
}

const problem = await probe(healthUrl(process.env));
if (problem !== undefined) process.stderr.write(`unhealthy: ${problem}\n`);
process.exitCode = problem === undefined ? 0 : 1;
