import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { useTestServer } from '../support/api-server.ts';
import { useWorkReadsFlow } from '../support/work-reads-flow.ts';
import { codes, gql } from './graphql.client.ts';

interface Page<T> {
  edges: Array<{ cursor: string; node: T }>;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}
type Node = Record<string, unknown>;
const nodes = (page: Page<Node> | null | undefined) => (page?.edges ?? []).map((edge) => edge.node);

describe('GraphQL: contracts, tasks, assignments, bids and escalations', () => {
  const { server } = useTestServer();
  const flow = useWorkReadsFlow(server);

  it('reads a contract with its terms, signatures, breaches and relations', async () => {
    const { orgId, contractId, jobId, taskId, cheap, deadline } = flow;
    const answer = await gql<{ contract: Node }>(
      server,
      `query($org: ID!, $id: ID!) { contract(orgId: $org, contractId: $id) {
        id orgId jobId status assigneeSubjectId permittedTools escalateTo reviewRequired breachCount revision position
        obligations { obligationId dueAt } signatures { org { signedBy { kind } } assignee { signedBy { id kind } } }
        breaches { kind clause details } rejection { reason } activatedAt endedAt
        job { id status } assignee { displayName } org { id } tasks { edges { node { id } } }
      } }`,
      { org: orgId, id: contractId },
    );
    expect(answer.errors).toEqual([]);
    expect(answer.data?.contract).toMatchObject({
      id: contractId,
      orgId,
      jobId,
      status: 'FULFILLED',
      assigneeSubjectId: cheap.id,
      permittedTools: ['text.summarise'],
      escalateTo: 'reviewer',
      reviewRequired: false,
      breachCount: 1,
      obligations: [{ obligationId: 'delivery', dueAt: deadline }],
      signatures: { org: { signedBy: { kind: 'SYSTEM' } }, assignee: { signedBy: { id: cheap.id, kind: 'SUBJECT' } } },
      breaches: [{ kind: 'FORBIDDEN_ACTION', clause: 'permittedTools' }],
      rejection: null,
      activatedAt: expect.any(String),
      endedAt: expect.any(String),
      job: { id: jobId, status: 'VERIFIED' },
      assignee: { displayName: 'Cheap' },
      org: { id: orgId },
      tasks: { edges: [{ node: { id: taskId } }] },
    });

    // Another org's contract, and one that does not exist: null.
    for (const [org, id] of [
      [flow.otherOrgId, contractId],
      [orgId, randomUUID()],
    ]) {
      const missing = await gql<{ contract: unknown }>(server, `query($org: ID!, $id: ID!) { contract(orgId: $org, contractId: $id) { id } }`, { org, id });
      expect(missing.errors).toEqual([]);
      expect(missing.data).toEqual({ contract: null });
    }
  });

  it('lists contracts and tasks with typed filters', async () => {
    const { orgId, contractId, taskId, jobId, cheap, dear } = flow;
    const contracts = async (filter: Record<string, unknown>) => {
      const answer = await gql<{ contracts: Page<Node> }>(
        server,
        `query($org: ID!, $f: ContractFilter) { contracts(orgId: $org, filter: $f) { edges { node { id status } } pageInfo { hasNextPage } } }`,
        {
          org: orgId,
          f: filter,
        },
      );
      expect(answer.errors).toEqual([]);
      return nodes(answer.data?.contracts).map((node) => node.id);
    };
    expect(await contracts({})).toEqual([contractId]);
    expect(await contracts({ status: 'FULFILLED', assigneeSubjectId: cheap.id, jobId })).toEqual([contractId]);
    expect(await contracts({ assigneeSubjectId: dear.id })).toEqual([]);
    expect(await contracts({ open: true })).toEqual([]);
    expect(await contracts({ or: [{ status: 'ACTIVE' }, { statusIn: ['FULFILLED', 'TERMINATED'] }] })).toEqual([contractId]);

    const tasks = async (filter: Record<string, unknown>) => {
      const answer = await gql<{ tasks: Page<Node> }>(server, `query($org: ID!, $f: TaskFilter) { tasks(orgId: $org, filter: $f) { edges { node { id } } } }`, {
        org: orgId,
        f: filter,
      });
      expect(answer.errors).toEqual([]);
      return nodes(answer.data?.tasks).map((node) => node.id);
    };
    expect(await tasks({ assigneeSubjectId: cheap.id, status: 'COMPLETED', jobId })).toEqual([taskId]);
    expect(await tasks({ status: 'FAILED' })).toEqual([]);
    expect(await tasks({ assigneeSubjectId: dear.id })).toEqual([]);
  });

  it('reads a task with its progress and the outputs as the agent wrote them', async () => {
    const { orgId, taskId, jobId, contractId, cheap, outputs } = flow;
    const answer = await gql<{ task: Node }>(
      server,
      `query($org: ID!, $id: ID!) { task(orgId: $org, taskId: $id) {
        id jobId status attempt maxAttempts progress lastHeartbeatAt outputs input assigneeSubjectId closedAt position
        completion { attempt completedBy { id kind } } lastFailure { reason } review { verdict }
        contract { id status } job { id } assignee { displayName }
      } }`,
      { org: orgId, id: taskId },
    );
    expect(answer.errors).toEqual([]);
    expect(answer.data?.task).toMatchObject({
      id: taskId,
      jobId,
      status: 'COMPLETED',
      attempt: 1,
      progress: 50,
      lastHeartbeatAt: null,
      outputs,
      input: expect.anything(),
      assigneeSubjectId: cheap.id,
      closedAt: null,
      completion: { attempt: 1, completedBy: { id: cheap.id, kind: 'SUBJECT' } },
      lastFailure: null,
      review: null,
      contract: { id: contractId, status: 'FULFILLED' },
      job: { id: jobId },
      assignee: { displayName: 'Cheap' },
    });
  });

  it("reads a job's assignment with its bids, and the bids alone with filters (why a bid was refused)", async () => {
    const { orgId, jobId, contractId, cheap, dear, unqualified } = flow;
    const answer = await gql<{ assignment: Node }>(
      server,
      `query($org: ID!, $job: ID!) { assignment(orgId: $org, jobId: $job) {
        jobId strategy round phase failedRounds bidCount validBidCount invitedCount assessedCount eligibleCount
        award { round subjectId contractId basis declined subject { displayName } } roundFailures { reason } job { id }
        bids { edges { node { subjectId price etaSeconds valid reasons round } } }
      } }`,
      { org: orgId, job: jobId },
    );
    expect(answer.errors).toEqual([]);
    const assignment = answer.data?.assignment as Node;
    expect(assignment).toMatchObject({
      jobId,
      strategy: 'AUCTION',
      round: 1,
      phase: 'COMPLETED',
      failedRounds: 0,
      bidCount: 3,
      validBidCount: 2,
      invitedCount: 2,
      award: { round: 1, subjectId: cheap.id, contractId, declined: [dear.id], subject: { displayName: 'Cheap' }, basis: expect.any(String) },
      roundFailures: [],
      job: { id: jobId },
    });
    expect(assignment.assessedCount).toBeGreaterThanOrEqual(3);
    expect(assignment.eligibleCount).toBe(2);
    const bids = nodes(assignment.bids as Page<Node>);
    expect(bids.map((bid) => [bid.subjectId, bid.price, bid.valid]).sort()).toEqual(
      [
        [cheap.id, 5, true],
        [dear.id, 10, true],
        [unqualified.id, 1, false],
      ].sort(),
    );

    const refused = await gql<{ bids: Page<Node> }>(
      server,
      `query($org: ID!, $job: ID!, $f: BidFilter) { bids(orgId: $org, jobId: $job, filter: $f) { edges { node { id subjectId reasons subject { displayName } } } } }`,
      { org: orgId, job: jobId, f: { valid: false } },
    );
    expect(refused.errors).toEqual([]);
    expect(nodes(refused.data?.bids)).toEqual([
      { id: expect.any(String), subjectId: unqualified.id, reasons: ['ineligible: lacks capability summarise'], subject: { displayName: 'Unqualified' } },
    ]);
    const mine = await gql<{ bids: Page<Node> }>(
      server,
      `query($org: ID!, $job: ID!, $f: BidFilter) { bids(orgId: $org, jobId: $job, filter: $f) { edges { node { price } } } }`,
      {
        org: orgId,
        job: jobId,
        f: { subjectId: dear.id, round: 1 },
      },
    );
    expect(nodes(mine.data?.bids)).toEqual([{ price: 10 }]);

    const first = await gql<{ bids: Page<Node> }>(
      server,
      `query($org: ID!, $job: ID!) { bids(orgId: $org, jobId: $job, first: 2) { edges { node { id } } pageInfo { hasNextPage endCursor } } }`,
      { org: orgId, job: jobId },
    );
    expect(first.data?.bids.edges).toHaveLength(2);
    expect(first.data?.bids.pageInfo.hasNextPage).toBe(true);
    const rest = await gql<{ bids: Page<Node> }>(
      server,
      `query($org: ID!, $job: ID!, $after: String) { bids(orgId: $org, jobId: $job, first: 2, after: $after) { edges { node { id } } pageInfo { hasNextPage } } }`,
      {
        org: orgId,
        job: jobId,
        after: first.data?.bids.pageInfo.endCursor,
      },
    );
    expect(rest.data?.bids.edges).toHaveLength(1);
    expect(rest.data?.bids.pageInfo.hasNextPage).toBe(false);

    const none = await gql<{ assignment: unknown }>(server, `query($org: ID!, $job: ID!) { assignment(orgId: $org, jobId: $job) { jobId } }`, {
      org: flow.otherOrgId,
      job: jobId,
    });
    expect(none.data).toEqual({ assignment: null });
  });

  it("lists escalations: the inbox of a role, the ended ones, pages, and each job's own", async () => {
    const { orgId, escalatedJobId, cancelledJobId } = flow;
    const list = async (variables: Record<string, unknown>) => {
      const answer = await gql<{ escalations: Page<Node> }>(
        server,
        `query($org: ID!, $f: EscalationFilter, $first: Int, $after: String, $order: WorkOrder) { escalations(orgId: $org, filter: $f, first: $first, after: $after, orderBy: $order) {
          edges { node { id jobId escalateTo from open resolution note statusAfter resolvedBy { kind } job { id status } } } pageInfo { hasNextPage endCursor } } }`,
        { org: orgId, ...variables },
      );
      expect(answer.errors).toEqual([]);
      return answer.data?.escalations as Page<Node>;
    };
    expect(nodes(await list({ f: { open: true, escalateTo: 'reviewer' } }))).toEqual([
      expect.objectContaining({
        jobId: escalatedJobId,
        escalateTo: 'reviewer',
        from: 'CONTRACTING',
        open: true,
        resolution: null,
        resolvedBy: null,
        job: { id: escalatedJobId, status: 'ESCALATED' },
      }),
    ]);
    expect(nodes(await list({ f: { open: false } }))).toEqual([
      expect.objectContaining({
        jobId: cancelledJobId,
        open: false,
        resolution: 'CANCEL',
        note: 'out of scope',
        statusAfter: 'CANCELLED',
        resolvedBy: { kind: 'ADMIN' },
      }),
    ]);
    expect(nodes(await list({ f: { open: true, escalateTo: 'owner' } }))).toEqual([]);

    const first = await list({ first: 1, order: 'OLDEST_FIRST' });
    expect(nodes(first).map((node) => node.jobId)).toEqual([escalatedJobId]);
    expect(first.pageInfo.hasNextPage).toBe(true);
    const second = await list({ first: 1, order: 'OLDEST_FIRST', after: first.pageInfo.endCursor });
    expect(nodes(second).map((node) => node.jobId)).toEqual([cancelledJobId]);
    expect(second.pageInfo.hasNextPage).toBe(false);
  });

  it('links a job to its contract, tasks, assignment and escalations', async () => {
    const { orgId, jobId, contractId, taskId, escalatedJobId } = flow;
    const fields = `contract { id } contracts { edges { node { id } } } tasks { edges { node { id } } } assignment { phase } escalations { edges { node { open escalateTo } } }`;
    const worked = await gql<{ job: Node }>(server, `query($org: ID!, $job: ID!) { job(orgId: $org, jobId: $job) { ${fields} } }`, { org: orgId, job: jobId });
    expect(worked.errors).toEqual([]);
    expect(worked.data?.job).toEqual({
      contract: { id: contractId },
      contracts: { edges: [{ node: { id: contractId } }] },
      tasks: { edges: [{ node: { id: taskId } }] },
      assignment: { phase: 'COMPLETED' },
      escalations: { edges: [] },
    });
    const escalated = await gql<{ job: Node }>(server, `query($org: ID!, $job: ID!) { job(orgId: $org, jobId: $job) { ${fields} } }`, {
      org: orgId,
      job: escalatedJobId,
    });
    expect(escalated.data?.job).toEqual({
      contract: null,
      contracts: { edges: [] },
      tasks: { edges: [] },
      assignment: { phase: 'ESCALATED' },
      escalations: { edges: [{ node: { open: true, escalateTo: 'reviewer' } }] },
    });
  });

  it("lets the org's members read, and gives an outsider nothing: every field null with ORG_NOT_FOUND, as for an unknown org", async () => {
    const { orgId, contractId, taskId, jobId, cheap, outsider } = flow;
    const query = `query($org: ID!, $contract: ID!, $task: ID!, $job: ID!) {
      contract(orgId: $org, contractId: $contract) { id }
      contracts(orgId: $org) { edges { node { id } } }
      task(orgId: $org, taskId: $task) { id }
      tasks(orgId: $org) { edges { node { id } } }
      assignment(orgId: $org, jobId: $job) { jobId }
      bids(orgId: $org, jobId: $job) { edges { node { id } } }
      escalations(orgId: $org) { edges { node { id } } }
    }`;
    const variables = { org: orgId, contract: contractId, task: taskId, job: jobId };
    const member = await gql<Record<string, unknown>>(server, query, variables, { key: cheap.key });
    expect(member.errors).toEqual([]);
    expect(member.data).toMatchObject({ contract: { id: contractId }, task: { id: taskId }, assignment: { jobId } });
    expect(nodes(member.data?.escalations as Page<Node>)).toHaveLength(2);

    const refused = await gql<Record<string, unknown>>(server, query, variables, { key: outsider.key });
    expect(refused.data).toEqual({ contract: null, contracts: null, task: null, tasks: null, assignment: null, bids: null, escalations: null });
    // An outsider learns no more than it would of an org that does not exist (README "What a refusal tells whom").
    expect(codes(refused)).toEqual(Array(7).fill('ORG_NOT_FOUND'));
    expect(JSON.stringify(refused)).not.toContain(cheap.id);
  });

  it('refuses bad filters and arguments: GraphQL validation errors (400) and VALIDATION_FAILED with the argument path', async () => {
    const { orgId, jobId } = flow;
    for (const [query, variables] of [
      [`query($org: ID!) { contracts(orgId: $org, filter: { status: SIGNED }) { edges { node { id } } } }`, { org: orgId }],
      [`query($org: ID!) { tasks(orgId: $org, filter: { sql: "1=1" }) { edges { node { id } } } }`, { org: orgId }],
      [`query($org: ID!, $f: EscalationFilter) { escalations(orgId: $org, filter: $f) { edges { node { id } } } }`, { org: orgId, f: { open: 'yes' } }],
      [
        `query($org: ID!, $f: EscalationFilter) { escalations(orgId: $org, filter: $f) { edges { node { id } } } }`,
        { org: orgId, f: { field: 'escalateTo', op: 'eq' } },
      ],
    ] as const) {
      const answer = await gql(server, query, variables);
      expect(answer.status, query).toBe(400);
      expect(answer.errors.length, query).toBeGreaterThan(0);
      expect([...new Set(codes(answer))], query).toEqual(['GRAPHQL_VALIDATION_FAILED']);
      expect(answer.data, query).toBeNull();
    }
    for (const [query, variables, path] of [
      [
        `query($org: ID!, $f: EscalationFilter) { escalations(orgId: $org, filter: $f) { edges { node { id } } } }`,
        { org: orgId, f: { escalateTo: 'Not A Role' } },
        ['filter', 'escalateTo'],
      ],
      [
        `query($org: ID!, $f: ContractFilter) { contracts(orgId: $org, filter: $f) { edges { node { id } } } }`,
        { org: orgId, f: { assigneeSubjectId: 'alice' } },
        ['filter', 'assigneeSubjectId'],
      ],
      [
        `query($org: ID!, $job: ID!, $f: BidFilter) { bids(orgId: $org, jobId: $job, filter: $f) { edges { node { id } } } }`,
        { org: orgId, job: jobId, f: { round: -1 } },
        ['filter', 'round'],
      ],
      [`query($org: ID!) { task(orgId: $org, taskId: "42") { id } }`, { org: orgId }, ['taskId']],
      [`query($org: ID!) { tasks(orgId: $org, first: 500) { edges { node { id } } } }`, { org: orgId }, ['first']],
    ] as const) {
      const answer = await gql(server, query, variables);
      expect(codes(answer), query).toEqual(['VALIDATION_FAILED']);
      expect(answer.errors[0]?.extensions?.details?.issues, query).toContainEqual(expect.objectContaining({ path }));
    }
    const cursor = await gql(server, `query($org: ID!) { escalations(orgId: $org, after: "AAAA") { edges { node { id } } } }`, { org: orgId });
    expect(codes(cursor)).toEqual(['INVALID_CURSOR']);
  });
});
