import type { AddressInfo } from 'node:net';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestServer } from '../support/api-server.ts';
import { STREAM_CATEGORIES } from '../../domain/events/stream-categories.ts';
import { SseClient } from './api.events-stream.client.ts';
import { GraphqlWsClient } from './graphql.client.ts';

const EVENTS = `subscription($categories: [String!], $types: [String!]) {
  events(categories: $categories, types: $types) { position category type }
}`;

/**
 * A stream filter that names nothing the platform writes (`?category=nope`) would match nothing, forever, in
 * silence: the event stream, the agent inbox and the GraphQL subscription refuse it with 400 VALIDATION_FAILED and
 * say what there is to choose from; unknown parameters likewise.
 */
describe('stream filters', () => {
  const { server } = useTestServer();
  let baseUrl: string;
  beforeAll(async () => {
    await server.app.listen({ port: 0, host: '127.0.0.1' });
    baseUrl = `http://127.0.0.1:${(server.app.server.address() as AddressInfo).port}`;
  });

  const get = (url: string) => server.app.inject({ method: 'GET', url, headers: server.auth });

  it('refuses ?category=nope with the known categories in details', async () => {
    const response = await get('/events/stream?category=nope');
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({
      code: 'VALIDATION_FAILED',
      message: "invalid query string: category.0: unknown stream category 'nope'",
      details: {
        issues: [{ path: ['category', '0'], message: "unknown stream category 'nope'" }],
        parameters: ['orgId', 'category', 'type', 'after'],
        categories: [...STREAM_CATEGORIES],
      },
    });
  });

  it('names every unknown category of a list, among known ones', async () => {
    const response = await get('/events/stream?category=org,nope,roster&category=nada');
    expect(response.statusCode).toBe(400);
    expect(response.json().details.issues).toEqual([
      { path: ['category', '1'], message: "unknown stream category 'nope'" },
      { path: ['category', '3'], message: "unknown stream category 'nada'" },
    ]);
  });

  it.each([
    ['an unknown parameter', '?categry=org', ['categry'], /unknown parameter; the stream takes orgId, category, type, after/],
    ['an unknown event type', '?type=OrgRegisterd', ['type', '0'], /unknown event type 'OrgRegisterd'/],
    ['a malformed org id', '?orgId=acme', ['orgId', '0'], /orgId\.0/],
    ['a malformed position', '?after=yesterday', ['after'], /after/],
  ])('refuses %s, naming it in the message', async (_name, query, path, message) => {
    const response = await get(`/events/stream${query}`);
    expect(response.statusCode).toBe(400);
    const body = response.json();
    expect(body.code).toBe('VALIDATION_FAILED');
    expect(body.message).toMatch(message);
    expect(body.details.issues.map((issue: { path: string[] }) => issue.path)).toContainEqual(path);
    expect(body.details.parameters).toEqual(['orgId', 'category', 'type', 'after']);
  });

  it('opens a stream filtered on every known category', async () => {
    const client = await SseClient.connect(
      `${baseUrl}/events/stream?category=${STREAM_CATEGORIES.join(',')}`,
      server.auth.authorization.slice('Bearer '.length),
    );
    expect(client.status).toBe(200);
    client.close();
  });

  it('refuses a query string on the agent inbox, saying to remove it', async () => {
    const response = await get('/agent/inbox?category=nope');
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({
      code: 'VALIDATION_FAILED',
      message: expect.stringContaining('remove the query string'),
      details: { issues: [{ path: ['category'] }] },
    });
  });

  it('refuses an unknown category in the GraphQL subscription the same way, listing the known ones', async () => {
    const client = await GraphqlWsClient.connect(`${baseUrl.replace('http', 'ws')}/graphql`);
    try {
      expect((await client.init({ authorization: server.auth.authorization })).type).toBe('connection_ack');
      client.subscribe('nope', EVENTS, { categories: ['org', 'nope'] });
      const error = await client.waitFor((message) => message.id === 'nope' && message.type === 'error');
      expect(error.payload).toMatchObject([
        {
          extensions: {
            code: 'VALIDATION_FAILED',
            details: {
              issues: [
                {
                  path: ['categories', '1'],
                  message: expect.stringContaining(`unknown stream category 'nope'; the categories are ${STREAM_CATEGORIES.join(', ')}`),
                },
              ],
            },
          },
        },
      ]);
      client.subscribe('known', EVENTS, { categories: ['apikey'] });
      const first = await client.waitFor((message) => message.id === 'known' && message.type === 'next');
      expect(first.payload).toMatchObject({ data: { events: { category: 'apikey' } } });
    } finally {
      client.close();
    }
  });
});
