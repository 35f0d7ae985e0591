import { afterAll, beforeAll } from 'vitest';
import { apiClient } from '../e2e/api.client.ts';
import { startTestServer, type TestServer, type TestServerOptions } from './server.ts';

export type ApiClient = ReturnType<typeof apiClient>;

export interface ServerFixture {
  /** The in-process server; usable in hooks and tests, not while the describe block is being collected. */
  server: TestServer;
  /** A client with the bootstrap admin key. */
  api: ApiClient;
}

/**
 * A stand-in for an object that exists only once beforeAll has made it, so a describe block can name it as a const.
 * Read too early, it says so instead of failing later on an undefined.
 */
function lateBound<T extends object>(what: string, current: () => T | undefined): T {
  return new Proxy({} as T, {
    get(_, property) {
      const target = current();
      if (target === undefined) throw new Error(`${what} is not started yet: use it in a hook or a test`);
      const value: unknown = Reflect.get(target, property);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/**
 * One server for the describe block this is called in: started before its tests (and before the block's own
 * beforeAll hooks, which run after this one), closed after them (after the block's own afterAll hooks).
 */
export function useTestServer(options: TestServerOptions = {}): ServerFixture {
  let started: TestServer | undefined;
  let client: ApiClient | undefined;
  beforeAll(async () => {
    started = await startTestServer(options);
    client = apiClient(started);
  });
  afterAll(async () => {
    await started?.close();
  });
  return { server: lateBound('the test server', () => started), api: lateBound('the API client', () => client) };
}
