import { getIntrospectionQuery } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { required } from '../../domain/shared/required.ts';
import { ADMIN_KEY, startTestServer, type TestServer } from '../support/server.ts';
import { apiClient } from './api.client.ts';
import { codes, gql, GraphqlWsClient, listenForWebSocket, readModelsCaughtUp, type GraphqlAnswer } from './graphql.client.ts';

/** Fragments F0..F(n-1), each spreading the next; the last selects `last`. */
function chainedFragments(count: number, last: string, spreadsPerLevel = 1): string {
  const fragments: string[] = [];
  for (let index = 0; index < count; index += 1) {
    const body = index === count - 1 ? last : Array.from({ length: spreadsPerLevel }, () => `...F${index + 1}`).join(' ');
    fragments.push(`fragment F${index} on Org { ${body} }`);
  }
  return fragments.join('\n');
}

function refusal(answer: GraphqlAnswer<unknown>) {
  expect(answer.status).toBe(400);
  expect(answer.data).toBeNull();
  expect(codes(answer)).toHaveLength(1);
  return required(required(answer.errors[0], 'the error').extensions, 'the extensions of the error');
}

describe('GraphQL cost limits (fragments expanded, refused before execution)', () => {
  let server: TestServer;
  let small: TestServer;
  let orgId: string;
  /** Resolvers that ran: a refused query runs none. */
  let reads = 0;

  beforeAll(async () => {
    server = await startTestServer();
    const api = apiClient(server);
    orgId = await api.registerOrg('cost-root');
    for (let index = 0; index < 12; index += 1) await api.registerOrg(`cost-org-${String(index).padStart(2, '0')}`);
    await readModelsCaughtUp(server);
    const docs = server.platform.docs;
    const find = docs.find.bind(docs);
    docs.find = ((...args: Parameters<typeof find>) => {
      reads += 1;
      return find(...args);
    }) as typeof docs.find;
    small = await startTestServer({ env: { GRAPHQL_MAX_RESPONSE_BYTES: '1024', GRAPHQL_MAX_TOKENS: '200' } });
    for (let index = 0; index < 12; index += 1) await apiClient(small).registerOrg(`small-org-${String(index).padStart(2, '0')}`);
    await readModelsCaughtUp(small);
  });

  afterAll(async () => {
    await server?.close();
    await small?.close();
  });

  it('counts a costly selection hidden behind 33 chained fragment spreads', async () => {
    const before = reads;
    const query = `{ orgs(first: 100) { edges { node { ...F0 } } } }\n${chainedFragments(34, 'children(first: 100) { edges { node { roles(first: 100) { edges { node { name } } } } } }')}`;
    const details = refusal(await gql(server, query));
    expect(details).toMatchObject({ code: 'QUERY_TOO_COMPLEX', details: { limit: 'cost', max: 10_000 } });
    expect((details.details as { value: number }).value).toBeGreaterThan(1_000_000);
    expect(reads).toBe(before);
  });

  it('stops expanding fragments that double at every level (2^33 fields) as soon as the budget is spent', async () => {
    const before = reads;
    const query = `{ orgs(first: 1) { edges { node { ...F0 } } } }\n${chainedFragments(34, 'id', 2)}`;
    const details = refusal(await gql(server, query));
    expect(details).toMatchObject({ code: 'QUERY_TOO_COMPLEX', details: { limit: 'cost', max: 10_000 } });
    expect(reads).toBe(before);
  });

  it('refuses alias bombs, also when the aliases come from a fragment spread many times', async () => {
    const direct = Array.from({ length: 200 }, (_, index) => `a${index}: org(id: "${orgId}") { id }`).join(' ');
    expect(refusal(await gql(server, `{ ${direct} }`))).toMatchObject({ code: 'QUERY_TOO_COMPLEX', details: { limit: 'aliases', max: 30, value: 200 } });

    const fragment = `fragment A on Org { ${Array.from({ length: 10 }, (_, index) => `n${index}: name`).join(' ')} }`;
    const spread = Array.from({ length: 4 }, (_, index) => `o${index}: org(id: "${orgId}") { ...A }`).join(' ');
    const details = refusal(await gql(server, `{ ${spread} }\n${fragment}`));
    expect(details).toMatchObject({ code: 'QUERY_TOO_COMPLEX', details: { limit: 'aliases', max: 30, value: 44 } });
  });

  it('measures depth through fragments: a spread adds no level, its fields do', async () => {
    const levels = 20;
    const fragments = Array.from(
      { length: levels },
      (_, index) => `fragment P${index} on Org { ${index === levels - 1 ? 'id' : `parent { ...P${index + 1} }`} }`,
    ).join('\n');
    const details = refusal(await gql(server, `{ org(id: "${orgId}") { ...P0 } }\n${fragments}`));
    expect(details).toMatchObject({ code: 'QUERY_TOO_COMPLEX', details: { limit: 'depth', max: 12 } });
    expect((details.details as { value: number }).value).toBeGreaterThanOrEqual(levels);

    // Nested fragments that stay shallow are fine.
    const shallow = await gql(
      server,
      `{ org(id: "${orgId}") { ...S0 } }\nfragment S0 on Org { ...S1 }\nfragment S1 on Org { ...S2 }\nfragment S2 on Org { parent { id } slug }`,
    );
    expect(shallow.errors).toEqual([]);
    expect(shallow.data).toEqual({ org: { parent: null, slug: 'cost-root' } });
  });

  it('multiplies a wide list by its page size, also when `first` comes from variables', async () => {
    const wide = `query($n: Int) { orgs(first: $n) { edges { node { roles(first: $n) { edges { node { holders(first: $n) { edges { cursor } } } } } } } } }`;
    expect(refusal(await gql(server, wide, { n: 100 }))).toMatchObject({ code: 'QUERY_TOO_COMPLEX', details: { limit: 'cost' } });
    const narrow = await gql(server, wide, { n: 3 });
    expect(narrow.errors).toEqual([]);
    expect(narrow.status).toBe(200);
  });

  it("answers the schema's own introspection (what GraphiQL asks on load), and counts it against the budget", async () => {
    const full = await gql<{ __schema: { types: unknown[] } }>(server, getIntrospectionQuery());
    expect(full.errors).toEqual([]);
    expect(full.status).toBe(200);
    expect(full.data?.__schema.types.length).toBeGreaterThan(50);

    // The whole description of the schema costs half the budget: beside a query costing ~6,300 it is too much.
    const pages = `orgs(first: 100) { edges { node { roles(first: 15) { edges { node { name } } } } } }`;
    expect((await gql(server, `{ ${pages} }`)).errors).toEqual([]);
    const both = getIntrospectionQuery().replace('query IntrospectionQuery {', `query IntrospectionQuery { ${pages}`);
    expect(refusal(await gql(server, both))).toMatchObject({ code: 'QUERY_TOO_COMPLEX', details: { limit: 'cost', max: 10_000 } });

    // Looping through `fields { type { fields ...` multiplies the answer by the fields of every type: graphql-js's
    // own rule refuses it before any cost is counted.
    const loop = `{ __schema { types { fields { type { fields { type { fields { type { fields { name } } } } } } } } } }`;
    const looped = await gql(server, loop);
    expect(looped.status).toBe(400);
    expect(looped.errors).toMatchObject([{ message: 'Maximum introspection depth exceeded', extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }]);
  });

  it('refuses a document with too many tokens before parsing it', async () => {
    const answer = await gql(small, `{ orgs { edges { node { ${'id '.repeat(300)} } } } }`);
    expect(refusal(answer)).toMatchObject({ code: 'QUERY_TOO_COMPLEX', details: { limit: 'tokens', max: 200 } });
  });

  it('cuts off an answer that grows past the response cap with an error instead of sending it', async () => {
    const answer = await gql(small, `{ orgs(first: 12) { edges { cursor node { id slug name } } } }`);
    expect(answer.status).toBe(400);
    expect(answer.data).toBeNull();
    expect(answer.errors[0]?.extensions).toMatchObject({ code: 'RESPONSE_TOO_LARGE', details: { limit: 'responseBytes', max: 1024 } });
    const fits = await gql(small, `{ orgs(first: 2) { edges { node { slug } } } }`);
    expect(fits.errors).toEqual([]);
  });

  it('applies the same limits to subscriptions over WebSocket', async () => {
    const url = await listenForWebSocket(server);
    const client = await GraphqlWsClient.connect(url);
    try {
      expect((await client.init({ authorization: `Bearer ${ADMIN_KEY}` })).type).toBe('connection_ack');
      const aliases = Array.from({ length: 40 }, (_, index) => `t${index}: type`).join(' ');
      client.subscribe('bomb', `subscription { events { ${aliases} } }`);
      const bomb = await client.waitFor((message) => message.id === 'bomb' && message.type === 'error');
      expect(bomb.payload).toMatchObject([{ extensions: { code: 'QUERY_TOO_COMPLEX', details: { limit: 'aliases', max: 30, value: 40 } } }]);

      client.subscribe('unknown', `subscription { events { noSuchField } }`);
      const unknown = await client.waitFor((message) => message.id === 'unknown' && message.type === 'error');
      expect(JSON.stringify(unknown.payload)).toContain('noSuchField');
      expect(unknown.payload).toMatchObject([{ extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }]);
    } finally {
      client.close();
    }
  });
});
