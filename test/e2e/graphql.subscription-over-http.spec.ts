import { describe, expect, it } from 'vitest';
import { useTestServer } from '../support/api-server.ts';
import { codes, gql, graphqlServer } from './graphql.client.ts';

const { server } = useTestServer(graphqlServer());

describe('a subscription sent over HTTP POST', () => {
  it('is the caller’s 400 saying to use the WebSocket, not an internal error', async () => {
    const answer = await gql(server, 'subscription { events { type } }');
    expect(answer.status).toBe(400);
    expect(codes(answer)).toEqual(['SUBSCRIPTION_OVER_HTTP']);
    expect(answer.errors[0]?.message).toMatch(/WebSocket/);
    expect(answer.errors[0]?.extensions?.details).toEqual({ path: '/graphql', protocol: 'graphql-transport-ws' });
  });

  it('is refused when it is the named operation of a document that also holds a query, and the query still runs', async () => {
    const document = 'query Q { __typename } subscription S { events { type } }';
    const subscription = await gql(server, document, {}, { operationName: 'S' });
    expect(subscription.status).toBe(400);
    expect(codes(subscription)).toEqual(['SUBSCRIPTION_OVER_HTTP']);
    const query = await gql(server, document, {}, { operationName: 'Q' });
    expect(query.status).toBe(200);
    expect(query.data).toEqual({ __typename: 'Query' });
  });
});
