import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import type { GraphqlPluginOptions } from '../../api/graphql/plugin.ts';
import type { DocumentStore } from '../../infra/documents/port.ts';
import { SqliteDocumentStore } from '../../infra/documents/sqlite.ts';
import { required } from '../../domain/shared/required.ts';
import { waitFor } from '../support/async.ts';
import { ADMIN_KEY, type TestServer, type TestServerOptions } from '../support/server.ts';

/** The real server in process, as test/support/server.ts builds it, with a read-model store of the test's choosing. */
/** The options of a test server for GraphQL tests: read models in SQLite in memory (or `docs`), `graphql` settings. */
export function graphqlServer(docs: DocumentStore = new SqliteDocumentStore({ path: ':memory:' }), graphql: GraphqlPluginOptions = {}): TestServerOptions {
  return { docs, server: { graphql } };
}

export interface GraphqlError {
  message: string;
  path?: Array<string | number>;
  extensions?: { code?: string; details?: Record<string, unknown> };
}

export interface GraphqlAnswer<T = Record<string, unknown>> {
  status: number;
  data: T | null;
  errors: GraphqlError[];
}

/** POST /graphql as `key` (the admin by default); `operationName` picks one operation of a document that holds several. */
export async function gql<T = Record<string, unknown>>(
  server: TestServer,
  query: string,
  variables: Record<string, unknown> = {},
  options: { key?: string; headers?: Record<string, string>; operationName?: string } = {},
): Promise<GraphqlAnswer<T>> {
  const key = options.key ?? ADMIN_KEY;
  const response = await server.app.inject({
    method: 'POST',
    url: '/graphql',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...options.headers },
    payload: JSON.stringify({ query, variables, ...(options.operationName === undefined ? {} : { operationName: options.operationName }) }),
  });
  const body = response.json<{ data?: T | null; errors?: GraphqlError[] }>();
  return { status: response.statusCode, data: body.data ?? null, errors: body.errors ?? [] };
}

/** Waits until every projection has applied everything appended so far. */
export async function readModelsCaughtUp(server: TestServer): Promise<void> {
  const head = await server.platform.store.headPosition();
  if (!(await server.platform.projections.waitFor(head, 10_000))) throw new Error(`projections did not reach ${head}`);
}

export const codes = (answer: GraphqlAnswer<unknown>) => answer.errors.map((error) => error.extensions?.code);

// ---------------------------------------------------------------------------------------------------------------
// A minimal `graphql-transport-ws` client over the `ws` package (a dependency of mercurius; no types installed, so
// the few members used are typed here).
// ---------------------------------------------------------------------------------------------------------------

interface WsSocket {
  readonly readyState: number;
  on(event: 'open', listener: () => void): void;
  on(event: 'message', listener: (data: Buffer) => void): void;
  on(event: 'close', listener: (code: number, reason: Buffer) => void): void;
  on(event: 'error', listener: (error: Error) => void): void;
  send(data: string): void;
  close(): void;
}
type WsConstructor = new (url: string, protocols?: string | string[]) => WsSocket;
const require = createRequire(import.meta.url);
const WebSocket = (require('ws') as { WebSocket: WsConstructor }).WebSocket;

export interface WsMessage {
  type: string;
  id?: string;
  payload?: unknown;
}

export class GraphqlWsClient {
  readonly messages: WsMessage[] = [];
  closed: { code: number } | undefined;
  private waiters: Array<() => void> = [];

  private constructor(private readonly socket: WsSocket) {
    socket.on('message', (data) => {
      this.messages.push(JSON.parse(data.toString()) as WsMessage);
      this.wake();
    });
    socket.on('close', (code) => {
      this.closed = { code };
      this.wake();
    });
  }

  static async connect(url: string): Promise<GraphqlWsClient> {
    const socket = new WebSocket(url, 'graphql-transport-ws');
    await new Promise<void>((resolve, reject) => {
      socket.on('open', () => resolve());
      socket.on('error', reject);
    });
    return new GraphqlWsClient(socket);
  }

  send(message: WsMessage): void {
    this.socket.send(JSON.stringify(message));
  }

  /** connection_init with the payload; resolves with the server's answer (connection_ack or connection_error). */
  async init(payload?: Record<string, unknown>): Promise<WsMessage> {
    this.send({ type: 'connection_init', ...(payload ? { payload } : {}) });
    return this.waitFor((message) => message.type === 'connection_ack' || message.type === 'connection_error');
  }

  subscribe(id: string, query: string, variables: Record<string, unknown> = {}): void {
    this.send({ id, type: 'subscribe', payload: { query, variables } });
  }

  /** Messages of a subscription (`next`, `error`, `complete`). */
  of(id: string): WsMessage[] {
    return this.messages.filter((message) => message.id === id);
  }

  async waitFor(predicate: (message: WsMessage) => boolean, timeoutMs = 10_000): Promise<WsMessage> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.messages.find(predicate);
      if (found) return found;
      if (this.closed) throw new Error(`socket closed (${this.closed.code}) while waiting; got ${JSON.stringify(this.messages)}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting; got ${JSON.stringify(this.messages)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Waits until `count` messages match. */
  async waitForCount(predicate: (message: WsMessage) => boolean, count: number, timeoutMs = 10_000): Promise<WsMessage[]> {
    await this.waitFor(() => this.messages.filter(predicate).length >= count, timeoutMs);
    return this.messages.filter(predicate);
  }

  async waitClosed(timeoutMs = 5000): Promise<{ code: number }> {
    await waitFor(() => this.closed !== undefined, timeoutMs, 'the socket to close');
    return required(this.closed, 'the close frame');
  }

  close(): void {
    this.socket.close();
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }
}

/** Listens on an ephemeral port (WebSocket needs a socket) and gives the ws:// URL of /graphql. */
export async function listenForWebSocket(server: TestServer): Promise<string> {
  await server.app.listen({ port: 0, host: '127.0.0.1' });
  const address = server.app.server.address() as AddressInfo;
  return `ws://127.0.0.1:${address.port}/graphql`;
}
