import { expect } from 'vitest';
import type { TestServer } from './server.ts';

/** A request of a bad-input table. */
export interface BadRequest {
  method?: 'GET' | 'POST' | 'PUT';
  url: string;
  headers?: Record<string, string>;
  payload?: string | object;
}

/** The uniform error every malformed request gets. */
export interface Refusal {
  code: string;
  message: string;
  details: { issues?: unknown[] } & Record<string, unknown>;
}

/**
 * Sends `request` (with the admin's credential unless `credential` says otherwise) and checks the uniform refusal:
 * `status`, exactly {code, message, details} with `code`, and the log's head where it was, as a refusal changes
 * nothing. Returns the answer for checks of its own.
 */
export async function expectRefusal(
  server: TestServer,
  request: BadRequest,
  status: number,
  code: string,
  credential: Record<string, string> = server.auth,
): Promise<Refusal> {
  const head = await server.platform.store.headPosition();
  const response = await server.app.inject({
    method: request.method ?? 'POST',
    url: request.url,
    headers: { ...credential, ...request.headers },
    ...(request.payload === undefined ? {} : { payload: request.payload }),
  });
  expect(response.statusCode, response.body).toBe(status);
  const body = response.json() as Refusal;
  expect(body).toEqual({ code, message: expect.any(String), details: expect.any(Object) });
  expect(await server.platform.store.headPosition()).toBe(head);
  return body;
}
