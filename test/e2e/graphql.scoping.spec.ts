import { beforeAll, describe, expect, it } from 'vitest';
import { required } from '../../domain/shared/required.ts';
import { useTestServer } from '../support/api-server.ts';
import { codes, gql, graphqlServer, GraphqlWsClient, listenForWebSocket, readModelsCaughtUp, type WsMessage } from './graphql.client.ts';

interface Page<T> {
  edges: Array<{ node: T }>;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

/**
 * A subject of org A sees nothing of org B through GraphQL, queries or subscriptions; platform admins see all.
 * Every decision here is the policy engine's (default org policy: members read; platform policy: admins).
 */
describe('GraphQL scoping', () => {
  const { server, api } = useTestServer(graphqlServer());
  let url: string;
  let orgA: string;
  let orgB: string;
  let orgC: string;
  let alice: { id: string; key: string };
  let bob: { id: string; key: string };
  let intern: { id: string; key: string };
  const extraOrgs: string[] = [];

  beforeAll(async () => {
    url = await listenForWebSocket(server);
    orgA = await api.registerOrg('org-a');
    orgB = await api.registerOrg('org-b');
    alice = await api.subjectWithKey('Alice');
    bob = await api.subjectWithKey('Bob');
    intern = await api.subjectWithKey('Ivy');
    for (const orgId of [orgA, orgB]) {
      await api.defineRole(orgId, { name: 'member' });
      await api.defineRole(orgId, { name: 'intern' });
    }
    await api.expectStatus(await api.grant(orgA, alice.id, 'member'), 201);
    await api.expectStatus(await api.grant(orgB, bob.id, 'member'), 201);
    await api.expectStatus(await api.grant(orgA, intern.id, 'intern'), 201);
    // Alice once held a role in B: revoked, she is no longer a member there.
    const once = await api.expectStatus(await api.grant(orgB, alice.id, 'intern'), 201);
    await api.expectStatus(await api.post(`/orgs/${orgB}/associations/${once.associationId}/revoke`, { reason: 'left' }), 200);
    // Bob founds an org of his own (he owns it: the default policy lets its owner read it).
    orgC = (await api.expectStatus(await api.post('/orgs', { name: 'Bob Co', slug: 'org-c' }, bob.key), 201)).orgId;
    for (let index = 0; index < 5; index += 1) {
      const orgId = await api.registerOrg(`alice-extra-${index}`);
      extraOrgs.push(orgId);
      await api.defineRole(orgId, { name: 'member' });
      await api.expectStatus(await api.grant(orgId, alice.id, 'member'), 201);
    }
    // Org A lets members read everything but keeps its audit log from interns.
    await api.publishPolicy(orgA, [
      { id: 'members-read', effect: 'permit', actions: ['*.read'], when: 'size(principal.roles) > 0', reason: 'members read' },
      { id: 'interns-no-audit', effect: 'forbid', actions: ['audit.read'], roles: ['intern'], reason: 'interns do not read the audit log' },
    ]);
    await readModelsCaughtUp(server);
  }, 60_000);

  it('answers every org-scoped root query on an org she may not see exactly as on an org that does not exist', async () => {
    const missingOrg = '00000000-0000-4000-8000-000000000000';
    const queries = (orgId: string, slug: string) => [
      `{ org(id: "${orgId}") { id } }`,
      `{ orgBySlug(slug: "${slug}") { id } }`,
      `{ associations(orgId: "${orgId}") { edges { node { id } } } }`,
      `{ decisions(orgId: "${orgId}") { edges { node { id } } } }`,
      `{ effectiveRoles(orgId: "${orgId}", subjectId: "${bob.id}") { roles } }`,
      `{ policyVersions(orgId: "${orgId}") { edges { node { id } } } }`,
    ];
    const hidden = queries(orgB, 'org-b');
    const missing = queries(missingOrg, 'org-nobody');
    for (const [index, query] of hidden.entries()) {
      const answer = await gql(server, query, {}, { key: alice.key });
      const unknown = await gql(server, required(missing[index], 'the same query about no org'), {}, { key: alice.key });
      expect(JSON.stringify(answer).replaceAll(orgB, missingOrg).replaceAll('org-b', 'org-nobody'), query).toEqual(JSON.stringify(unknown));
      expect(Object.values(answer.data ?? {})).toEqual([null]);
    }
    expect(codes(await gql(server, required(hidden[0], 'the first query'), {}, { key: alice.key }))).toEqual(['ORG_NOT_FOUND']);
    // Subjects are platform-level: another subject's record is refused by the platform policy.
    const subject = await gql(server, `{ subject(id: "${bob.id}") { displayName } }`, {}, { key: alice.key });
    expect(codes(subject)).toEqual(['POLICY_DENIED']);
    expect(subject.errors[0]?.extensions?.details).toMatchObject({ outcome: 'not-permitted' });
  });

  it('lists only what the principal may read; admins see everything', async () => {
    const list = async (key: string) => {
      const seen: string[] = [];
      let after: string | null = null;
      for (;;) {
        const answer: { data: { orgs: Page<{ slug: string }> } | null; errors: unknown[] } = await gql(
          server,
          `query($after: String) { orgs(first: 2, after: $after) { edges { node { slug } } pageInfo { hasNextPage endCursor } } }`,
          { after },
          { key },
        );
        expect(answer.errors).toEqual([]);
        const page = answer.data?.orgs;
        if (!page) throw new Error('no page');
        seen.push(...page.edges.map((edge) => edge.node.slug));
        if (!page.pageInfo.hasNextPage) return seen;
        after = page.pageInfo.endCursor;
      }
    };
    expect(await list(alice.key)).toEqual(['alice-extra-0', 'alice-extra-1', 'alice-extra-2', 'alice-extra-3', 'alice-extra-4', 'org-a']);
    expect(await list(bob.key)).toEqual(['org-b', 'org-c']);
    expect(await list(api.adminKey)).toEqual(['alice-extra-0', 'alice-extra-1', 'alice-extra-2', 'alice-extra-3', 'alice-extra-4', 'org-a', 'org-b', 'org-c']);

    const subjects = async (key: string) =>
      (
        await gql<{ subjects: Page<{ displayName: string }> }>(server, `{ subjects(first: 100) { edges { node { displayName } } } }`, {}, { key })
      ).data?.subjects.edges.map((edge) => edge.node.displayName);
    expect(await subjects(alice.key)).toEqual(['Alice']);
    expect(await subjects(api.adminKey)).toEqual(['Alice', 'Bob', 'Ivy']);
  });

  it("hides another org's data inside relations, and other subjects' profiles", async () => {
    const answer = await gql<{
      subject: { associations: Page<{ org: { slug: string }; role: string }> };
      org: { associations: Page<{ subjectId: string; subject: { displayName: string } | null }> };
    }>(
      server,
      `query($alice: ID!, $orgA: ID!) {
        subject(id: $alice) { associations(first: 50) { edges { node { role org { slug } } } } }
        org(id: $orgA) { associations { edges { node { subjectId subject { displayName } } } } }
      }`,
      { alice: alice.id, orgA },
      { key: alice.key },
    );
    // Her revoked association in B is left out: she may no longer read B's roster.
    expect(answer.data?.subject.associations.edges.map((edge) => edge.node.org.slug).sort()).toEqual([
      'alice-extra-0',
      'alice-extra-1',
      'alice-extra-2',
      'alice-extra-3',
      'alice-extra-4',
      'org-a',
    ]);
    const members = answer.data?.org.associations.edges.map((edge) => edge.node) ?? [];
    expect(members).toEqual([
      { subjectId: alice.id, subject: { displayName: 'Alice' } },
      { subjectId: intern.id, subject: null },
    ]);
    expect(codes(answer)).toEqual(['POLICY_DENIED']);
    // (mercurius's response schema serializes path segments as strings)
    expect(answer.errors[0]?.path?.map(String)).toEqual(['org', 'associations', 'edges', '1', 'node', 'subject']);

    const admin = await gql<{ subject: { associations: Page<{ org: { slug: string }; status: string }> } }>(
      server,
      `query($alice: ID!) { subject(id: $alice) { associations(first: 50, filter: { orgId: "${orgB}" }) { edges { node { status org { slug } } } } } }`,
      { alice: alice.id },
    );
    expect(admin.data?.subject.associations.edges.map((edge) => edge.node)).toEqual([{ status: 'REVOKED', org: { slug: 'org-b' } }]);
  });

  it('decides each family of an org by its own action: an org policy can hide the audit log from a role', async () => {
    const answer = await gql<{ org: { slug: string; roles: Page<unknown> | null; decisions: Page<unknown> | null } }>(
      server,
      `query($orgA: ID!) { org(id: $orgA) { slug roles { edges { node { name } } } decisions { edges { node { id } } } } }`,
      { orgA },
      { key: intern.key },
    );
    expect(answer.data?.org.slug).toBe('org-a');
    expect(answer.data?.org.roles?.edges).toHaveLength(2);
    expect(answer.data?.org.decisions).toBeNull();
    expect(codes(answer)).toEqual(['POLICY_DENIED']);
    expect(answer.errors[0]?.extensions?.details).toMatchObject({ outcome: 'forbidden', determiningRuleIds: ['interns-no-audit'] });
    const members = await gql<{ org: { decisions: Page<unknown> } }>(
      server,
      `query($orgA: ID!) { org(id: $orgA) { decisions(first: 5) { edges { node { id } } } } }`,
      { orgA },
      { key: alice.key },
    );
    expect(members.errors).toEqual([]);
    expect(members.data?.org.decisions.edges.length).toBeGreaterThan(0);
  });

  it("delivers over WebSocket only events of orgs the subscriber may read; admins get everyone's", async () => {
    const subscription = `subscription { events { position orgId streamId type } }`;
    const aliceWs = await GraphqlWsClient.connect(url);
    const adminWs = await GraphqlWsClient.connect(url);
    try {
      expect((await aliceWs.init({ authorization: `Bearer ${alice.key}` })).type).toBe('connection_ack');
      expect((await adminWs.init({ Authorization: `Bearer ${api.adminKey}` })).type).toBe('connection_ack');
      aliceWs.subscribe('all', subscription);
      adminWs.subscribe('all', subscription);

      await api.defineRole(orgB, { name: 'secret-b' });
      const last = await api.expectStatus(await api.post(`/orgs/${orgA}/roles`, { name: 'visible-a' }), 200);
      const reached = (message: WsMessage) => message.type === 'next' && eventOf(message).position === last.position;
      await aliceWs.waitFor(reached);
      await adminWs.waitFor(reached);

      const aliceEvents = aliceWs
        .of('all')
        .filter((message) => message.type === 'next')
        .map(eventOf);
      const adminEvents = adminWs
        .of('all')
        .filter((message) => message.type === 'next')
        .map(eventOf);
      expect(aliceEvents.length).toBeGreaterThan(0);
      const readable = new Set([orgA, ...extraOrgs]);
      expect(aliceEvents.filter((event) => event.orgId === null || !readable.has(event.orgId))).toEqual([]);
      expect(aliceEvents.some((event) => event.type === 'RoleDefined' && event.orgId === orgA)).toBe(true);
      expect(adminEvents.some((event) => event.orgId === orgB)).toBe(true);
      expect(adminEvents.some((event) => event.orgId === orgC)).toBe(true);
      expect(adminEvents.some((event) => event.orgId === null)).toBe(true);
      // Admins see the whole log in order: what Alice got is exactly the subsequence of her orgs.
      expect(aliceEvents.map((event) => event.position)).toEqual(
        adminEvents.filter((event) => event.orgId !== null && readable.has(event.orgId)).map((event) => event.position),
      );

      // Naming an org she may not read is refused up front.
      aliceWs.subscribe('b', `subscription($orgB: ID) { events(orgId: $orgB) { position } }`, { orgB });
      const refused = await aliceWs.waitFor((message) => message.id === 'b' && message.type === 'error');
      expect(refused.payload).toMatchObject([{ extensions: { code: 'ORG_NOT_FOUND', details: { orgId: orgB } } }]);
    } finally {
      aliceWs.close();
      adminWs.close();
    }
  });
});

function eventOf(message: WsMessage): { position: string; orgId: string | null; streamId: string; type: string } {
  const payload = message.payload as { data: { events: { position: string; orgId: string | null; streamId: string; type: string } } };
  return payload.data.events;
}
