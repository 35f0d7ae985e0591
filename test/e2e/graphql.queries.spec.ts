import { beforeAll, describe, expect, it } from 'vitest';
import { required } from '../../domain/shared/required.ts';
import { useTestServer } from '../support/api-server.ts';
import { codes, gql, graphqlServer, readModelsCaughtUp } from './graphql.client.ts';

interface Edge<T> {
  cursor: string;
  node: T;
}
interface Page<T> {
  edges: Array<Edge<T>>;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

describe('GraphQL queries', () => {
  const { server, api } = useTestServer(graphqlServer());
  let lab: string;
  let child: string;
  let ada: string;
  let wes: string;
  let lin: { id: string; key: string };

  beforeAll(async () => {
    for (let index = 0; index < 60; index += 1) {
      await api.expectStatus(
        await api.post('/orgs', { name: `Paged ${index}`, slug: `page-${String(index).padStart(2, '0')}`, tags: index % 2 === 0 ? ['even'] : ['odd'] }),
        201,
      );
    }
    lab = (
      await api.expectStatus(
        await api.post('/orgs', { name: 'Research Lab', slug: 'research-lab', description: 'papers', tags: ['ml'], metadata: { region: 'eu' } }),
        201,
      )
    ).orgId;
    child = (await api.expectStatus(await api.post('/orgs', { name: 'Lab Annex', slug: 'lab-annex', parentOrgId: lab }), 201)).orgId;
    await api.expectStatus(await api.post('/orgs', { name: '.* literally', slug: 'dot-star' }), 201);

    await api.defineRole(lab, { name: 'member' });
    await api.defineRole(lab, { name: 'writer', inherits: ['member'] });
    await api.defineRole(lab, { name: 'editor', inherits: ['writer'], maxHolders: 1 });
    await api.defineRole(lab, { name: 'reviewer', inherits: ['member'] });
    await api.defineRole(lab, { name: 'helper', assignmentType: 'dynamic_multi_subject' });
    await api.expectStatus(await api.post(`/orgs/${lab}/groups`, { name: 'staff', roles: ['member'] }), 200);
    await api.expectStatus(await api.post(`/orgs/${lab}/groups`, { name: 'board', parent: 'staff', roles: ['editor'] }), 200);
    await api.expectStatus(await api.post(`/orgs/${lab}/job-spaces`, { name: 'paper-2027', description: 'one paper' }), 200);
    await api.expectStatus(await api.post(`/orgs/${lab}/role-conflicts`, { roles: ['writer', 'reviewer'], reason: 'no self review' }), 200);

    ada = await api.registerSubject('Ada');
    wes = await api.registerSubject('Wes');
    lin = await api.subjectWithKey('Lin');
    await api.expectStatus(await api.grant(lab, ada, 'editor'), 201);
    await api.expectStatus(await api.grant(lab, wes, 'writer', api.adminKey, { jobSpace: 'paper-2027' }), 201);
    await api.expectStatus(await api.grant(lab, lin.id, 'reviewer'), 201);
    // Lin applies for a role, and is refused one she may not grant herself (a denied decision for the audit log).
    await api.expectStatus(await api.post(`/orgs/${lab}/applications`, { subjectId: lin.id, role: 'helper', motivation: 'I can help' }, lin.key), 201);
    await api.expectStatus(await api.post(`/orgs/${lab}/roles`, { name: 'sneaky' }, lin.key), 403);
    await api.publishPolicy(lab, [{ id: 'members-read', effect: 'permit', actions: ['*.read'], when: 'size(principal.roles) > 0', reason: 'members read' }]);
    await readModelsCaughtUp(server);
  }, 60_000);

  it('reads an org by id and by slug, with its parent and children', async () => {
    const answer = await gql<{ org: Record<string, unknown>; orgBySlug: Record<string, unknown>; annex: Record<string, unknown>; missing: null }>(
      server,
      `query($lab: ID!, $child: ID!) {
        org(id: $lab) { id name slug description tags status metadata { key value } owner { kind } parent { id }
          children { edges { node { slug parent { slug } } } } }
        orgBySlug(slug: "research-lab") { id slug }
        annex: org(id: $child) { slug parentOrgId parent { slug } }
        missing: orgBySlug(slug: "no-such-org") { id }
      }`,
      { lab, child },
    );
    expect(answer.errors).toEqual([]);
    expect(answer.data?.org).toEqual({
      id: lab,
      name: 'Research Lab',
      slug: 'research-lab',
      description: 'papers',
      tags: ['ml'],
      status: 'ACTIVE',
      metadata: [{ key: 'region', value: 'eu' }],
      owner: { kind: 'ADMIN' },
      parent: null,
      children: { edges: [{ node: { slug: 'lab-annex', parent: { slug: 'research-lab' } } }] },
    });
    expect(answer.data?.orgBySlug).toEqual({ id: lab, slug: 'research-lab' });
    expect(answer.data?.annex).toEqual({ slug: 'lab-annex', parentOrgId: lab, parent: { slug: 'research-lab' } });
    expect(answer.data?.missing).toBeNull();
  });

  it('reads the roster through relations: roles with holders and inheritance, groups, job spaces, conflicts, applications', async () => {
    const answer = await gql<{ org: Record<string, Page<Record<string, unknown>>> }>(
      server,
      `query($lab: ID!) { org(id: $lab) {
        roles { edges { node { id name maxHolders assignmentType inherits inheritedRoles { name } org { slug }
          holders { edges { node { subject { displayName } jobSpace active } } } } } }
        groups { edges { node { name parentName parent { name } roles { name } } } }
        jobSpaces { edges { node { name description } } }
        roleConflicts { edges { node { roles reason } } }
        applications { edges { node { role status motivation subject { displayName } } } }
      } }`,
      { lab },
    );
    expect(answer.errors).toEqual([]);
    const org = answer.data?.org;
    const roles = org?.roles?.edges.map((edge) => edge.node) ?? [];
    expect(roles.map((role) => role.name)).toEqual(['editor', 'helper', 'member', 'reviewer', 'writer']);
    const editor = roles.find((role) => role.name === 'editor');
    expect(editor).toMatchObject({
      id: `${lab}:editor`,
      maxHolders: 1,
      assignmentType: 'FIXED',
      inherits: ['writer'],
      inheritedRoles: [{ name: 'writer' }],
      org: { slug: 'research-lab' },
      holders: { edges: [{ node: { subject: { displayName: 'Ada' }, jobSpace: null, active: true } }] },
    });
    expect(roles.find((role) => role.name === 'writer')?.holders).toEqual({
      edges: [{ node: { subject: { displayName: 'Wes' }, jobSpace: 'paper-2027', active: true } }],
    });
    expect(org?.groups?.edges.map((edge) => edge.node)).toEqual([
      { name: 'board', parentName: 'staff', parent: { name: 'staff' }, roles: [{ name: 'editor' }] },
      { name: 'staff', parentName: null, parent: null, roles: [{ name: 'member' }] },
    ]);
    expect(org?.jobSpaces?.edges.map((edge) => edge.node)).toEqual([{ name: 'paper-2027', description: 'one paper' }]);
    expect(org?.roleConflicts?.edges.map((edge) => edge.node)).toEqual([{ roles: ['reviewer', 'writer'], reason: 'no self review' }]);
    expect(org?.applications?.edges.map((edge) => edge.node)).toEqual([
      { role: 'helper', status: 'PENDING', motivation: 'I can help', subject: { displayName: 'Lin' } },
    ]);
  });

  it('reads associations with their subjects and orgs, filtered', async () => {
    const answer = await gql<Record<string, Page<Record<string, unknown>> | null>>(
      server,
      `query($lab: ID!, $wes: ID!) {
        all: associations(orgId: $lab) { edges { node { role subjectId subject { displayName kind } org { slug } roleDefinition { name } status active grantedBy { kind } } } }
        scoped: associations(orgId: $lab, filter: { orgWide: false }) { edges { node { role jobSpace } } }
        either: associations(orgId: $lab, filter: { or: [{ role: "editor" }, { subjectId: $wes }] }) { edges { node { role } } }
        notEditor: associations(orgId: $lab, filter: { not: { role: "editor" }, active: true }) { edges { node { role } } }
      }`,
      { lab, wes },
    );
    expect(answer.errors).toEqual([]);
    expect(answer.data?.all?.edges.map((edge) => edge.node)).toEqual([
      {
        role: 'editor',
        subjectId: ada,
        subject: { displayName: 'Ada', kind: 'AGENT' },
        org: { slug: 'research-lab' },
        roleDefinition: { name: 'editor' },
        status: 'ACTIVE',
        active: true,
        grantedBy: { kind: 'ADMIN' },
      },
      {
        role: 'writer',
        subjectId: wes,
        subject: { displayName: 'Wes', kind: 'AGENT' },
        org: { slug: 'research-lab' },
        roleDefinition: { name: 'writer' },
        status: 'ACTIVE',
        active: true,
        grantedBy: { kind: 'ADMIN' },
      },
      {
        role: 'reviewer',
        subjectId: lin.id,
        subject: { displayName: 'Lin', kind: 'AGENT' },
        org: { slug: 'research-lab' },
        roleDefinition: { name: 'reviewer' },
        status: 'ACTIVE',
        active: true,
        grantedBy: { kind: 'ADMIN' },
      },
    ]);
    expect(answer.data?.scoped?.edges.map((edge) => edge.node)).toEqual([{ role: 'writer', jobSpace: 'paper-2027' }]);
    expect(answer.data?.either?.edges.map((edge) => edge.node.role)).toEqual(['editor', 'writer']);
    expect(answer.data?.notEditor?.edges.map((edge) => edge.node.role)).toEqual(['writer', 'reviewer']);
  });

  it('computes effective roles from the read models with the domain rules, as the REST route does', async () => {
    const query = `query($lab: ID!, $subject: ID!, $jobSpace: String) { effectiveRoles(orgId: $lab, subjectId: $subject, jobSpace: $jobSpace) { roles groups source position } }`;
    for (const [subject, jobSpace] of [
      [ada, null],
      [wes, null],
      [wes, 'paper-2027'],
      [lin.id, null],
    ] as const) {
      const answer = await gql<{ effectiveRoles: { roles: string[]; groups: string[]; source: string } }>(server, query, { lab, subject, jobSpace });
      expect(answer.errors).toEqual([]);
      const rest = await api.expectStatus(await api.get(`/orgs/${lab}/subjects/${subject}/effective-roles${jobSpace ? `?jobSpace=${jobSpace}` : ''}`), 200);
      expect(answer.data?.effectiveRoles).toMatchObject({ roles: rest.roles, groups: rest.groups });
    }
    const adas = await gql<{ effectiveRoles: { roles: string[]; groups: string[] } }>(server, query, { lab, subject: ada, jobSpace: null });
    expect(adas.data?.effectiveRoles).toMatchObject({ roles: ['editor', 'member', 'writer'], groups: ['board', 'staff'] });
  });

  it('reads policies and decisions with typed filters', async () => {
    const answer = await gql<{ org: { policies: Page<Record<string, unknown>>; publishedPolicy: Record<string, unknown> }; [name: string]: unknown }>(
      server,
      `query($lab: ID!, $lin: String!) {
        org(id: $lab) { policies { edges { node { version status rules { id effect actions when reason } } } } publishedPolicy { version hash } }
        denied: decisions(orgId: $lab, filter: { outcome: NOT_PERMITTED }) { edges { node { action outcome principal { id roles } streamId reasons } } }
        roster: decisions(orgId: $lab, filter: { actionPrefix: "roster.", principalId: $lin }) { edges { node { action outcome } } }
        grants: decisions(orgId: $lab, filter: { action: "roster.role.grant" }, orderBy: OLDEST_FIRST) { edges { node { action position policy { source } } } }
        future: decisions(orgId: $lab, filter: { since: "2999-01-01T00:00:00Z" }) { edges { node { id } } }
        past: decisions(orgId: $lab, filter: { until: "2000-01-01T00:00:00+02:00" }) { edges { node { id } } }
      }`,
      { lab, lin: lin.id },
    );
    expect(answer.errors).toEqual([]);
    expect(answer.data?.org.policies.edges.map((edge) => edge.node)).toEqual([
      {
        version: 1,
        status: 'PUBLISHED',
        rules: [{ id: 'members-read', effect: 'PERMIT', actions: ['*.read'], when: 'size(principal.roles) > 0', reason: 'members read' }],
      },
    ]);
    expect(answer.data?.org.publishedPolicy).toMatchObject({ version: 1 });
    const data = required(answer.data, 'the data of the answer');
    const denied = (data.denied as Page<Record<string, unknown>>).edges.map((edge) => edge.node);
    expect(denied).toEqual([
      {
        action: 'roster.role.define',
        outcome: 'NOT_PERMITTED',
        principal: { id: lin.id, roles: ['member', 'reviewer'] },
        streamId: `audit-${lab}`,
        reasons: expect.any(Array),
      },
    ]);
    expect((data.roster as Page<Record<string, unknown>>).edges.map((edge) => edge.node)).toEqual([
      { action: 'roster.role.define', outcome: 'NOT_PERMITTED' },
      { action: 'roster.application.submit', outcome: 'PERMITTED' },
    ]);
    const grants = (data.grants as Page<{ action: string; position: string; policy: { source: string } }>).edges.map((edge) => edge.node);
    expect(grants).toHaveLength(3);
    expect(grants.map((grant) => BigInt(grant.position))).toEqual([...grants.map((grant) => BigInt(grant.position))].sort((a, b) => (a < b ? -1 : 1)));
    expect(grants.every((grant) => grant.policy.source === 'DEFAULT')).toBe(true);
    expect((data.future as Page<unknown>).edges).toEqual([]);
    expect((data.past as Page<unknown>).edges).toEqual([]);
  });

  it('translates org filters literally: a prefix is never a pattern', async () => {
    const slugs = async (filter: Record<string, unknown>) => {
      const answer = await gql<{ orgs: Page<{ slug: string }> }>(
        server,
        `query($filter: OrgFilter) { orgs(filter: $filter, first: 100) { edges { node { slug } } } }`,
        { filter },
      );
      expect(answer.errors).toEqual([]);
      return answer.data?.orgs.edges.map((edge) => edge.node.slug) ?? [];
    };
    expect(await slugs({ slugPrefix: '.*' })).toEqual([]);
    expect(await slugs({ slugPrefix: '^' })).toEqual([]);
    expect(await slugs({ namePrefix: '.*' })).toEqual(['dot-star']);
    expect(await slugs({ nameEq: '.* literally' })).toEqual(['dot-star']);
    expect(await slugs({ slug: '{"$ne": null}' })).toEqual([]);
    expect(await slugs({ tag: 'ml' })).toEqual(['research-lab']);
    expect(await slugs({ metadata: [{ key: 'region', value: 'eu' }] })).toEqual(['research-lab']);
    expect(await slugs({ hasParent: true })).toEqual(['lab-annex']);
    expect(await slugs({ parentOrgId: lab })).toEqual(['lab-annex']);
    expect(await slugs({ slugPrefix: 'page-0', tag: 'even' })).toEqual(['page-00', 'page-02', 'page-04', 'page-06', 'page-08']);
    expect(await slugs({ or: [{ slug: 'page-01' }, { slug: 'research-lab' }] })).toEqual(['page-01', 'research-lab']);
    expect(await slugs({ slugPrefix: 'page-0', not: { tag: 'even' } })).toEqual(['page-01', 'page-03', 'page-05', 'page-07', 'page-09']);
    expect(await slugs({ and: [{ slugPrefix: 'page-1' }, { slugPrefix: 'page-11' }] })).toEqual(['page-11']);
    expect(await slugs({ statusIn: ['SUSPENDED', 'ARCHIVED'] })).toEqual([]);
    expect(await slugs({ registeredSince: '2999-01-01T00:00:00Z' })).toEqual([]);
  });

  it('refuses hostile or oversized filters with VALIDATION_FAILED, never a lookup', async () => {
    const attempt = async (filter: unknown) => gql(server, `query($filter: OrgFilter) { orgs(filter: $filter) { edges { cursor } } }`, { filter });
    let nested: Record<string, unknown> = { slug: 'x' };
    for (let depth = 0; depth < 6; depth += 1) nested = { not: nested };
    for (const filter of [
      { metadata: [{ key: '__proto__', value: 'x' }] },
      { metadata: [{ key: '$where', value: 'x' }] },
      { metadata: [{ key: 'a b', value: 'x' }] },
      { slugPrefix: 'x'.repeat(300) },
      { nameEq: 'y'.repeat(5000) },
      { registeredSince: 'yesterday' },
      { or: [] },
      nested,
    ]) {
      const answer = await attempt(filter);
      expect(codes(answer), JSON.stringify(filter).slice(0, 80)).toEqual(['VALIDATION_FAILED']);
    }
    // Unknown fields and raw operators are not part of the input types at all.
    const raw = await attempt({ slug: { $ne: null } });
    expect(raw.status).toBe(400);
    expect(codes(raw)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    const unknown = await attempt({ $where: 'sleep(1000)' });
    expect(codes(unknown)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
  });

  it('pages through 60 orgs seven at a time, each exactly once, in order', async () => {
    const query = `query($after: String, $order: OrgOrder) { orgs(filter: { slugPrefix: "page-" }, first: 7, after: $after, orderBy: $order) {
      edges { cursor node { slug } } pageInfo { hasNextPage endCursor } } }`;
    for (const order of ['SLUG_ASC', 'SLUG_DESC'] as const) {
      const seen: string[] = [];
      let after: string | null = null;
      let pages = 0;
      for (;;) {
        const answer: { data: { orgs: Page<{ slug: string }> } | null; errors: unknown[] } = await gql(server, query, { after, order });
        expect(answer.errors).toEqual([]);
        const page = answer.data?.orgs;
        if (!page) throw new Error('no page');
        pages += 1;
        seen.push(...page.edges.map((edge) => edge.node.slug));
        expect(page.pageInfo.endCursor).toBe(page.edges.at(-1)?.cursor ?? null);
        if (!page.pageInfo.hasNextPage) break;
        expect(page.edges).toHaveLength(7);
        after = page.pageInfo.endCursor;
      }
      const expected = Array.from({ length: 60 }, (_, index) => `page-${String(index).padStart(2, '0')}`);
      expect(pages).toBe(9);
      expect(seen).toEqual(order === 'SLUG_ASC' ? expected : expected.reverse());
    }
  });

  it('continues after any edge cursor, and refuses cursors it did not issue for the list', async () => {
    const query = `query($after: String, $order: OrgOrder) { orgs(filter: { slugPrefix: "page-" }, first: 3, after: $after, orderBy: $order) { edges { cursor node { slug } } } }`;
    const first = await gql<{ orgs: Page<{ slug: string }> }>(server, query, { after: null });
    const second = first.data?.orgs.edges[1]?.cursor;
    const next = await gql<{ orgs: Page<{ slug: string }> }>(server, query, { after: second });
    expect(next.data?.orgs.edges.map((edge) => edge.node.slug)).toEqual(['page-02', 'page-03', 'page-04']);

    const otherOrder = await gql(server, query, { after: second, order: 'NAME_ASC' });
    expect(codes(otherOrder)).toEqual(['INVALID_CURSOR']);
    const tampered = await gql(server, query, { after: Buffer.from(JSON.stringify({ v: 1, s: 'x', k: ['a'], id: 'b' })).toString('base64url') });
    expect(codes(tampered)).toEqual(['INVALID_CURSOR']);
    const garbage = await gql(server, query, { after: '{"$gt":""}' });
    expect(codes(garbage)).toEqual(['VALIDATION_FAILED']);
    for (const size of [0, 101, -1]) {
      expect(codes(await gql(server, `{ orgs(first: ${size}) { edges { cursor } } }`))).toEqual(['VALIDATION_FAILED']);
    }
    const unsized = await gql<{ orgs: Page<unknown> }>(server, `{ orgs { edges { cursor } } }`);
    expect(unsized.data?.orgs.edges).toHaveLength(20);
  });

  it('answers bad arguments and oversized queries with coded errors', async () => {
    expect(codes(await gql(server, `{ org(id: "not-a-uuid") { id } }`))).toEqual(['VALIDATION_FAILED']);
    expect(codes(await gql(server, `{ orgBySlug(slug: "Not A Slug") { id } }`))).toEqual(['VALIDATION_FAILED']);
    expect(codes(await gql(server, `query($lab: ID!) { effectiveRoles(orgId: $lab, subjectId: "${ada}", jobSpace: "../etc") { roles } }`, { lab }))).toEqual([
      'VALIDATION_FAILED',
    ]);
    const missing = await gql(server, `{ associations(orgId: "00000000-0000-4000-8000-000000000000") { edges { cursor } } }`);
    expect(codes(missing)).toEqual(['ORG_NOT_FOUND']);
    const huge = await gql(
      server,
      `{ orgs(first: 100) { edges { node { roles(first: 100) { edges { node { holders(first: 100) { edges { cursor } } } } } } } } }`,
    );
    expect(huge.status).toBe(400);
    expect(codes(huge)).toEqual(['QUERY_TOO_COMPLEX']);
    const syntax = await gql(server, `{ orgs( }`);
    expect(syntax.status).toBe(400);
    expect(codes(syntax)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
  });

  it('serves GraphiQL publicly while /graphql requires the API key', async () => {
    const page = await server.app.inject({ method: 'GET', url: '/graphiql' });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('graphiql');
    const script = await server.app.inject({ method: 'GET', url: '/graphiql/assets/graphiql.js' });
    expect(script.statusCode).toBe(200);
    const anonymous = await server.app.inject({ method: 'POST', url: '/graphql', payload: { query: '{ orgs { edges { cursor } } }' } });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.json()).toMatchObject({ code: 'UNAUTHENTICATED' });
    const anonymousGet = await server.app.inject({ method: 'GET', url: `/graphql?query=${encodeURIComponent('{ orgs { edges { cursor } } }')}` });
    expect(anonymousGet.statusCode).toBe(401);
    // A lone `Upgrade` header does not make a request a WebSocket upgrade: still authenticated.
    const fakeUpgrade = await server.app.inject({
      method: 'GET',
      url: `/graphql?query=${encodeURIComponent('{ orgs { edges { cursor } } }')}`,
      headers: { upgrade: 'websocket' },
    });
    expect(fakeUpgrade.statusCode).toBe(401);
    const wrongKey = await gql(server, `{ orgs { edges { cursor } } }`, {}, { key: 'agk_wrong.0123456789abcdefghijkl' });
    expect(wrongKey.status).toBe(401);
    const get = await server.app.inject({
      method: 'GET',
      url: `/graphql?query=${encodeURIComponent('{ orgBySlug(slug: "research-lab") { slug } }')}`,
      headers: server.auth,
    });
    expect(get.json()).toEqual({ data: { orgBySlug: { slug: 'research-lab' } } });
  });
});
