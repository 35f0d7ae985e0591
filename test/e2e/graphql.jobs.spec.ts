import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestServer } from '../support/api-server.ts';
import { codes, gql } from './graphql.client.ts';

interface Page<T> {
  edges: Array<{ cursor: string; node: T }>;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}
interface JobNode {
  id: string;
  status: string;
  priority: string;
  assigneeSubjectId: string | null;
}

const jobFields = 'id orgId status priority completionMode assignmentStrategy goal assigneeSubjectId contractId revision position closedAt';

describe('GraphQL: jobs and workloads', () => {
  const { server, api } = useTestServer();
  let orgId: string;
  let otherOrgId: string;
  let alice: { id: string; key: string };
  let bob: string;
  let outsider: { id: string; key: string };
  const ids: Record<'working' | 'escalated' | 'verified' | 'waiting' | 'cancelled', string> = {
    working: '',
    escalated: '',
    verified: '',
    waiting: '',
    cancelled: '',
  };
  let lastPosition = '0';

  beforeAll(async () => {
    // These tests drive each job by hand; the work processes (which take every submission up: contracting,
    // assignment, escalation) would race them, so they are stopped.
    await server.platform.work.stop();
    orgId = await api.registerOrg('gql-jobs');
    otherOrgId = await api.registerOrg('gql-other');
    alice = await api.subjectWithKey('Alice');
    bob = await api.registerSubject('Bob');
    outsider = await api.subjectWithKey('Outsider');
    await api.defineRole(orgId, { name: 'member' });
    await api.expectStatus(await api.grant(orgId, alice.id, 'member'), 201);

    const post = async (path: string, body: Record<string, unknown>, status = 200) => {
      const answer = await api.expectStatus(await api.post(`/orgs/${orgId}/jobs${path}`, body), status);
      lastPosition = answer.position;
      return answer;
    };
    const submit = async (extra: Record<string, unknown> = {}) =>
      (await post('', { goal: 'Write it', completionMode: 'single', ...extra }, 201)).jobId as string;
    const assign = async (jobId: string, subjectId: string) => {
      await post(`/${jobId}/start-contracting`, {});
      await post(`/${jobId}/assign`, { assigneeSubjectId: subjectId, contractId: randomUUID() });
    };
    ids.working = await submit({ priority: 'high', assignmentStrategy: 'criteria', outputTemplate: { 'sections.count': 3 } });
    await assign(ids.working, alice.id);
    await post(`/${ids.working}/start`, {});
    ids.escalated = await submit({ priority: 'high' });
    await assign(ids.escalated, alice.id);
    await post(`/${ids.escalated}/escalate`, { reason: 'stuck', escalateTo: 'board' });
    ids.verified = await submit();
    await assign(ids.verified, bob);
    await post(`/${ids.verified}/start`, {});
    await post(`/${ids.verified}/deliver`, { deliverable: { 'a.b': ['$c'] } });
    await post(`/${ids.verified}/verify`, {});
    ids.waiting = await submit({ priority: 'low' });
    ids.cancelled = await submit({ priority: 'low' });
    await post(`/${ids.cancelled}/cancel`, { reason: 'not needed' });
  }, 60_000);

  it('reads one job with its relations, free JSON as written', async () => {
    const answer = await gql<{ job: Record<string, unknown> }>(
      server,
      `query($org: ID!, $job: ID!, $pos: String) { job(orgId: $org, jobId: $job, minPosition: $pos) {
        ${jobFields} outputTemplate org { slug } assignee { displayName }
        delivery { deliverable note deliveredBy { kind } } verification { verifiedBy { kind } } escalation { from escalateTo }
      } }`,
      { org: orgId, job: ids.working, pos: lastPosition },
    );
    expect(answer.errors).toEqual([]);
    expect(answer.data?.job).toMatchObject({
      id: ids.working,
      orgId,
      status: 'IN_PROGRESS',
      priority: 'HIGH',
      completionMode: 'SINGLE',
      assignmentStrategy: 'CRITERIA',
      assigneeSubjectId: alice.id,
      outputTemplate: { 'sections.count': 3 },
      org: { slug: 'gql-jobs' },
      assignee: { displayName: 'Alice' },
      delivery: null,
      escalation: null,
      closedAt: null,
    });

    const verified = await gql<{ job: Record<string, unknown> }>(
      server,
      `query($org: ID!, $job: ID!) { job(orgId: $org, jobId: $job) { status closedAt delivery { deliverable deliveredBy { kind } } verification { verifiedBy { kind } } } }`,
      { org: orgId, job: ids.verified },
    );
    expect(verified.data?.job).toMatchObject({
      status: 'VERIFIED',
      closedAt: expect.any(String),
      delivery: { deliverable: { 'a.b': ['$c'] }, deliveredBy: { kind: 'ADMIN' } },
      verification: { verifiedBy: { kind: 'ADMIN' } },
    });

    const escalated = await gql<{ job: Record<string, unknown> }>(
      server,
      `query($org: ID!, $job: ID!) { job(orgId: $org, jobId: $job) { status escalation { from escalateTo reason } } }`,
      {
        org: orgId,
        job: ids.escalated,
      },
    );
    expect(escalated.data?.job).toEqual({ status: 'ESCALATED', escalation: { from: 'ASSIGNED', escalateTo: 'board', reason: 'stuck' } });

    // Absent, or another org's: null.
    for (const [org, job] of [
      [orgId, randomUUID()],
      [otherOrgId, ids.working],
    ]) {
      const missing = await gql<{ job: unknown }>(server, `query($org: ID!, $job: ID!) { job(orgId: $org, jobId: $job) { id } }`, { org, job });
      expect(missing.errors).toEqual([]);
      expect(missing.data).toEqual({ job: null });
    }
  });

  it('lists jobs with typed filters, orders and pages, at the root and on the org', async () => {
    const list = async (variables: Record<string, unknown>) => {
      const answer = await gql<{ jobs: Page<JobNode> }>(
        server,
        `query($org: ID!, $filter: JobFilter, $first: Int, $after: String, $order: JobOrder) {
          jobs(orgId: $org, filter: $filter, first: $first, after: $after, orderBy: $order) { edges { cursor node { id status priority assigneeSubjectId } } pageInfo { hasNextPage endCursor } } }`,
        { org: orgId, ...variables },
      );
      expect(answer.errors).toEqual([]);
      return answer.data?.jobs as Page<JobNode>;
    };
    const idsOf = (page: Page<JobNode>) => page.edges.map((edge) => edge.node.id);

    expect(idsOf(await list({ order: 'OLDEST_FIRST' }))).toEqual([ids.working, ids.escalated, ids.verified, ids.waiting, ids.cancelled]);
    expect(idsOf(await list({}))).toEqual([ids.cancelled, ids.waiting, ids.verified, ids.escalated, ids.working]);
    expect(idsOf(await list({ filter: { status: 'ESCALATED' } }))).toEqual([ids.escalated]);
    expect(idsOf(await list({ filter: { priority: 'LOW' }, order: 'OLDEST_FIRST' }))).toEqual([ids.waiting, ids.cancelled]);
    expect(idsOf(await list({ filter: { open: true }, order: 'OLDEST_FIRST' }))).toEqual([ids.working, ids.escalated, ids.waiting]);
    expect(idsOf(await list({ filter: { assigneeSubjectId: alice.id, statusIn: ['IN_PROGRESS', 'VERIFIED'] } }))).toEqual([ids.working]);
    expect(idsOf(await list({ filter: { or: [{ priority: 'HIGH' }, { status: 'VERIFIED' }], not: { status: 'ESCALATED' } }, order: 'OLDEST_FIRST' }))).toEqual([
      ids.working,
      ids.verified,
    ]);

    const first = await list({ first: 2, order: 'OLDEST_FIRST' });
    expect(idsOf(first)).toEqual([ids.working, ids.escalated]);
    expect(first.pageInfo.hasNextPage).toBe(true);
    const second = await list({ first: 2, order: 'OLDEST_FIRST', after: first.pageInfo.endCursor });
    expect(idsOf(second)).toEqual([ids.verified, ids.waiting]);
    const third = await list({ first: 2, order: 'OLDEST_FIRST', after: second.pageInfo.endCursor });
    expect(idsOf(third)).toEqual([ids.cancelled]);
    expect(third.pageInfo.hasNextPage).toBe(false);

    const onOrg = await gql<{ org: { jobs: Page<JobNode> } }>(
      server,
      `query($org: ID!) { org(id: $org) { jobs(filter: { status: CANCELLED }) { edges { node { id } } } } }`,
      { org: orgId },
    );
    expect(onOrg.errors).toEqual([]);
    expect(onOrg.data?.org.jobs.edges.map((edge) => edge.node.id)).toEqual([ids.cancelled]);
  });

  it('lists the workload: subjects holding open jobs, most loaded first', async () => {
    const answer = await gql<{ workload: Array<Record<string, unknown>> }>(
      server,
      `query($org: ID!) { workload(orgId: $org) { orgId subjectId openAssignments openJobIds subject { displayName } position } }`,
      { org: orgId },
    );
    expect(answer.errors).toEqual([]);
    // Bob's only job was verified: he holds nothing open, so he is not listed.
    expect(answer.data?.workload).toEqual([
      {
        orgId,
        subjectId: alice.id,
        openAssignments: 2,
        openJobIds: expect.arrayContaining([ids.working, ids.escalated]),
        subject: { displayName: 'Alice' },
        position: expect.stringMatching(/^\d+$/),
      },
    ]);
    const one = await gql<{ workload: unknown[] }>(server, `query($org: ID!, $s: ID) { workload(orgId: $org, subjectId: $s) { subjectId } }`, {
      org: orgId,
      s: bob,
    });
    expect(one.data).toEqual({ workload: [] });
  });

  it('scopes every field by job.read: members read, outsiders are refused, and a subject profile stays subject.read', async () => {
    const asMember = await gql<{ jobs: Page<JobNode>; workload: unknown[]; job: { id: string; assignee: unknown } }>(
      server,
      `query($org: ID!, $job: ID!) { jobs(orgId: $org, first: 10) { edges { node { id } } } workload(orgId: $org) { subjectId } job(orgId: $org, jobId: $job) { id assignee { displayName } } }`,
      { org: orgId, job: ids.verified },
      { key: alice.key },
    );
    expect(asMember.data?.jobs.edges).toHaveLength(5);
    expect(asMember.data?.workload).toHaveLength(1);
    // Alice reads the job, but not Bob's profile (subject.read: only admins and Bob himself).
    expect(asMember.data?.job).toEqual({ id: ids.verified, assignee: null });
    expect(codes(asMember)).toEqual(['POLICY_DENIED']);
    expect(asMember.errors[0]?.path).toEqual(['job', 'assignee']);

    const asOutsider = await gql<Record<string, unknown>>(
      server,
      `query($org: ID!, $job: ID!) { jobs(orgId: $org) { edges { node { id } } } workload(orgId: $org) { subjectId } job(orgId: $org, jobId: $job) { id } }`,
      { org: orgId, job: ids.working },
      { key: outsider.key },
    );
    expect(asOutsider.data).toEqual({ jobs: null, workload: null, job: null });
    // An outsider is answered as for an org that does not exist.
    expect(codes(asOutsider)).toEqual(['ORG_NOT_FOUND', 'ORG_NOT_FOUND', 'ORG_NOT_FOUND']);
    expect(asOutsider.errors.map((error) => error.extensions?.details)).toEqual([{ orgId }, { orgId }, { orgId }]);
  });

  it('refuses malformed arguments with VALIDATION_FAILED or INVALID_CURSOR, and an org that does not exist with ORG_NOT_FOUND', async () => {
    const bad: Array<[string, Record<string, unknown>, string]> = [
      [`query($org: ID!) { job(orgId: $org, jobId: "not-a-uuid") { id } }`, { org: orgId }, 'VALIDATION_FAILED'],
      [`query($org: ID!) { jobs(orgId: $org, filter: { assigneeSubjectId: "bob" }) { edges { node { id } } } }`, { org: orgId }, 'VALIDATION_FAILED'],
      [`query($org: ID!) { jobs(orgId: $org, filter: { submittedSince: "yesterday" }) { edges { node { id } } } }`, { org: orgId }, 'VALIDATION_FAILED'],
      [`query($org: ID!) { jobs(orgId: $org, first: 0) { edges { node { id } } } }`, { org: orgId }, 'VALIDATION_FAILED'],
      [`query($org: ID!) { jobs(orgId: $org, after: "bm90LWEtY3Vyc29y") { edges { node { id } } } }`, { org: orgId }, 'INVALID_CURSOR'],
      [`query($org: ID!) { workload(orgId: $org, subjectId: "bob") { subjectId } }`, { org: orgId }, 'VALIDATION_FAILED'],
      [`query($org: ID!) { jobs(orgId: $org) { edges { node { id } } } }`, { org: randomUUID() }, 'ORG_NOT_FOUND'],
    ];
    for (const [query, variables, code] of bad) {
      const answer = await gql(server, query, variables);
      expect(codes(answer), query).toEqual([code]);
    }
    const unknownStatus = await gql(server, `query($org: ID!) { jobs(orgId: $org, filter: { status: DONE }) { edges { node { id } } } }`, { org: orgId });
    expect(unknownStatus.status).toBe(400);
    expect(codes(unknownStatus)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
  });
});
