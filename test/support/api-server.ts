import { afterAll, beforeAll } from 'vitest';
import { apiClient } from '../e2e/api.client.ts';
import { lateBound } from './late-bound.ts';
import { startTestServer, type TestServer, type TestServerOptions } from './server.ts';

export type ApiClient = ReturnType<typeof apiClient>;

export interface ServerFixture {
  /** The in-process server; usable in hooks and tests, not while the describe block is being collected. */
  server: TestServer;
  /** A client with the bootstrap admin key. */
  api: ApiClient;
}

/**
 * One server for the describe block this is called in: started before its tests (and before the block's own
 * beforeAll hooks, which run after this one), closed after them (after the block's own afterAll hooks). Options that
 * must not be made while the block is collected (a temporary directory, another hook's result) come as a function,
 * called when the server starts.
 */
export function useTestServer(options: TestServerOptions | (() => TestServerOptions) = {}): ServerFixture {
  let started: TestServer | undefined;
  let client: ApiClient | undefined;
  beforeAll(async () => {
    started = await startTestServer(typeof options === 'function' ? options() : options);
    client = apiClient(started);
  });
  afterAll(async () => {
    await started?.close();
  });
  return { server: lateBound('the test server', () => started), api: lateBound('the API client', () => client) };
}
