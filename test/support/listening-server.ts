import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll } from 'vitest';
import { apiClient } from '../e2e/api.client.ts';
import { SseClient } from '../e2e/api.events-stream.client.ts';
import type { ApiClient } from './api-server.ts';
import { lateBound } from './late-bound.ts';
import type { TestServer } from './server.ts';

/** A test server listening on a port: streams (Server-Sent Events) need a socket, which app.inject does not give. */
export type ListeningServer = TestServer & { baseUrl: string };

/** `server`, listening on a free port of 127.0.0.1. */
export async function listening(server: TestServer): Promise<ListeningServer> {
  await server.app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = server.app.server.address() as AddressInfo;
  return { ...server, baseUrl: `http://127.0.0.1:${port}` };
}

export interface ListeningFixture {
  /** The server; usable in hooks and tests, not while the describe block is being collected. */
  server: ListeningServer;
  /** A client with the bootstrap admin key. */
  api: ApiClient;
  /** A stream opened at `path` of the server with `key`, closed after the block's tests, before the server. */
  stream(path: string, key: string, headers?: Record<string, string>): Promise<SseClient>;
}

/** One listening server for the describe block this is called in (made by `start`), and the streams its tests open. */
export function useListeningServer(start: () => Promise<ListeningServer>): ListeningFixture {
  let started: ListeningServer | undefined;
  let client: ApiClient | undefined;
  const streams: SseClient[] = [];
  beforeAll(async () => {
    started = await start();
    client = apiClient(started);
  });
  afterAll(async () => {
    for (const stream of streams) stream.close();
    await started?.close();
  });
  const server = lateBound('the listening server', () => started);
  return {
    server,
    api: lateBound('the API client', () => client),
    async stream(path, key, headers = {}) {
      const stream = await SseClient.connect(`${server.baseUrl}${path}`, key, headers);
      streams.push(stream);
      return stream;
    },
  };
}
