import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { useTestServer } from '../support/api-server.ts';
import { useWorkReadsFlow } from '../support/work-reads-flow.ts';
import { orgNotFound } from '../../domain/org/not-found.ts';

describe('GET routes of the work read models: contracts, tasks, assignments with bids, escalations', () => {
  const { server, api } = useTestServer();
  const flow = useWorkReadsFlow(server);

  it('reads a contract: parties, terms, obligations, signatures and the breach, with its revision as ETag', async () => {
    const { orgId, contractId, jobId, cheap, deadline } = flow;
    const response = await api.get(`/orgs/${orgId}/contracts/${contractId}`);
    expect(response.statusCode, response.body).toBe(200);
    const contract = response.json();
    expect(contract).toMatchObject({
      contractId,
      orgId,
      jobId,
      assigneeSubjectId: cheap.id,
      status: 'fulfilled',
      permittedTools: ['text.summarise'],
      obligations: [{ obligationId: 'delivery', dueAt: deadline }],
      escalateTo: 'reviewer',
      signatures: { org: { signedBy: { kind: 'system' } }, assignee: { signedBy: { id: cheap.id, kind: 'subject' } } },
      breaches: [{ kind: 'forbidden_action', clause: 'permittedTools' }],
      breachCount: 1,
      activatedAt: expect.any(String),
      endedAt: expect.any(String),
      position: expect.stringMatching(/^\d+$/),
    });
    expect(response.headers.etag).toBe(`"${contract.revision}"`);
    expect(contract.revision).toBeGreaterThanOrEqual(4);
  });

  it('reads a task: status, attempt, progress, outputs as the agent wrote them', async () => {
    const { orgId, taskId, jobId, contractId, cheap, outputs } = flow;
    const response = await api.get(`/orgs/${orgId}/tasks/${taskId}`);
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toMatchObject({
      taskId,
      orgId,
      jobId,
      contractId,
      assigneeSubjectId: cheap.id,
      // The platform delivers the job on completion; reviewing the task (accept / reject) is left to people.
      status: 'completed',
      attempt: 1,
      progress: 50,
      lastHeartbeatAt: null,
      outputs,
      completion: { outputs, attempt: 1, completedBy: { id: cheap.id } },
      closedAt: null,
    });
    expect(response.headers.etag).toMatch(/^"\d+"$/);

    // Reviewed: read at once as reviewed (the read waits for the tasks read model to reach the log's head).
    await api.expectStatus(await api.post(`/orgs/${orgId}/tasks/${taskId}/review`, { verdict: 'accept', note: 'good summary' }), 200);
    const reviewed = await api.get(`/orgs/${orgId}/tasks/${taskId}`);
    expect(reviewed.json()).toMatchObject({
      status: 'accepted',
      review: { verdict: 'accept', note: 'good summary', reviewedBy: { kind: 'admin' } },
      closedAt: expect.any(String),
    });
    // The stream moved on (the review and the decision permitting it): the ETag with it.
    expect(Number(JSON.parse(reviewed.headers.etag as string))).toBeGreaterThan(Number(JSON.parse(response.headers.etag as string)));
  });

  it("reads a job's assignment with every bid, the refused one with its reasons", async () => {
    const { orgId, jobId, contractId, cheap, dear, unqualified } = flow;
    const response = await api.get(`/orgs/${orgId}/jobs/${jobId}/assignment`);
    expect(response.statusCode, response.body).toBe(200);
    const body = response.json();
    expect(body.assignment).toMatchObject({
      jobId,
      orgId,
      strategy: 'auction',
      round: 1,
      phase: 'completed',
      award: { round: 1, subjectId: cheap.id, contractId, declined: [dear.id] },
      failedRounds: 0,
      roundFailures: [],
      invitedCount: 2,
      validBidCount: 2,
      bidCount: 3,
    });
    expect(body.bidsTruncated).toBe(false);
    const bids = body.bids as Array<Record<string, unknown>>;
    expect(bids.map((bid) => [bid.subjectId, bid.price, bid.valid]).sort()).toEqual(
      [
        [cheap.id, 5, true],
        [dear.id, 10, true],
        [unqualified.id, 1, false],
      ].sort(),
    );
    expect(bids.find((bid) => bid.subjectId === unqualified.id)).toMatchObject({
      round: 1,
      reasons: ['ineligible: lacks capability summarise'],
      etaSeconds: null,
    });
    expect(bids.find((bid) => bid.subjectId === cheap.id)).toMatchObject({ reasons: [], etaSeconds: 60 });

    const failed = await api.get(`/orgs/${orgId}/jobs/${flow.escalatedJobId}/assignment`);
    expect(failed.json().assignment).toMatchObject({
      phase: 'escalated',
      failedRounds: 1,
      roundFailures: [{ round: 1, reason: 'no_eligible_candidates' }],
      escalation: { rounds: 1 },
      award: null,
      bidCount: 0,
    });
    expect(failed.json().bids).toEqual([]);
  });

  it('lists escalations: a role inbox of open ones, ended ones with their resolution, pages', async () => {
    const { orgId, escalatedJobId, cancelledJobId } = flow;
    const list = async (query: string) => {
      const response = await api.get(`/orgs/${orgId}/escalations${query}`);
      expect(response.statusCode, response.body).toBe(200);
      return response.json() as { escalations: Array<Record<string, unknown>>; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
    };
    const inbox = await list('?open=true&escalateTo=reviewer');
    expect(inbox.escalations).toHaveLength(1);
    expect(inbox.escalations[0]).toMatchObject({
      jobId: escalatedJobId,
      escalateTo: 'reviewer',
      from: 'contracting',
      open: true,
      resolution: null,
      escalatedBy: { kind: 'system' },
    });
    expect(inbox.escalations[0]?.escalationId).toBe(`${escalatedJobId}:${String(inbox.escalations[0]?.escalationId).split(':')[1]}`);

    const ended = await list('?open=false');
    expect(ended.escalations).toHaveLength(1);
    expect(ended.escalations[0]).toMatchObject({
      jobId: cancelledJobId,
      open: false,
      resolution: 'cancel',
      note: 'out of scope',
      statusAfter: 'cancelled',
      resolvedBy: { kind: 'admin' },
    });

    expect((await list('?open=true&escalateTo=owner')).escalations).toEqual([]);
    expect((await list(`?jobId=${cancelledJobId}`)).escalations.map((item) => item.jobId)).toEqual([cancelledJobId]);

    const first = await list('?limit=1&order=oldest');
    expect(first.escalations.map((item) => item.jobId)).toEqual([escalatedJobId]);
    expect(first.pageInfo.hasNextPage).toBe(true);
    const second = await list(`?limit=1&order=oldest&after=${first.pageInfo.endCursor}`);
    expect(second.escalations.map((item) => item.jobId)).toEqual([cancelledJobId]);
    expect(second.pageInfo.hasNextPage).toBe(false);
  });

  it("lets the org's members read, and answers an outsider every one as for an org that does not exist", async () => {
    const { orgId, contractId, taskId, jobId, cheap, outsider } = flow;
    const urls = [
      `/orgs/${orgId}/contracts/${contractId}`,
      `/orgs/${orgId}/tasks/${taskId}`,
      `/orgs/${orgId}/jobs/${jobId}/assignment`,
      `/orgs/${orgId}/escalations?open=true`,
    ];
    for (const url of urls) {
      const member = await api.get(url, cheap.key);
      expect(member.statusCode, `${url}: ${member.body}`).toBe(200);
      const refused = await api.get(url, outsider.key);
      expect(refused.statusCode, url).toBe(404);
      expect(refused.json(), url).toEqual({ code: 'ORG_NOT_FOUND', message: orgNotFound(orgId).message, details: { orgId } });
      expect(refused.body, url).not.toContain(jobId);
    }
  });

  it('answers 404 for what the org does not have, another org included, and for an org that does not exist', async () => {
    const { orgId, otherOrgId, contractId, taskId, jobId } = flow;
    const cases: Array<[string, string]> = [
      [`/orgs/${orgId}/contracts/${randomUUID()}`, 'CONTRACT_NOT_FOUND'],
      [`/orgs/${otherOrgId}/contracts/${contractId}`, 'CONTRACT_NOT_FOUND'],
      [`/orgs/${orgId}/tasks/${randomUUID()}`, 'TASK_NOT_FOUND'],
      [`/orgs/${otherOrgId}/tasks/${taskId}`, 'TASK_NOT_FOUND'],
      [`/orgs/${otherOrgId}/jobs/${jobId}/assignment`, 'ASSIGNMENT_NOT_FOUND'],
      [`/orgs/${randomUUID()}/escalations`, 'ORG_NOT_FOUND'],
    ];
    for (const [url, code] of cases) {
      const response = await api.get(url);
      expect(response.statusCode, url).toBe(404);
      expect(response.json(), url).toMatchObject({ code, message: expect.any(String), details: expect.any(Object) });
    }
  });

  it('refuses bad paths and query strings with 400 and the uniform error, never a lookup', async () => {
    const { orgId } = flow;
    const cases: Array<[string, string, string[]]> = [
      [`/orgs/${orgId}/escalations?open=maybe`, 'VALIDATION_FAILED', ['open']],
      [`/orgs/${orgId}/escalations?escalateTo=Not%20A%20Role`, 'VALIDATION_FAILED', ['escalateTo']],
      [`/orgs/${orgId}/escalations?status=open`, 'VALIDATION_FAILED', []],
      [`/orgs/${orgId}/escalations?limit=0`, 'VALIDATION_FAILED', ['limit']],
      [`/orgs/${orgId}/escalations?jobId=not-a-uuid`, 'VALIDATION_FAILED', ['jobId']],
      [`/orgs/${orgId}/contracts/not-a-uuid`, 'VALIDATION_FAILED', ['contractId']],
      [`/orgs/${orgId}/tasks/42`, 'VALIDATION_FAILED', ['taskId']],
      [`/orgs/not-an-org/jobs/${flow.jobId}/assignment`, 'VALIDATION_FAILED', ['orgId']],
    ];
    for (const [url, code, path] of cases) {
      const response = await api.get(url);
      expect(response.statusCode, url).toBe(400);
      const body = response.json();
      expect(body, url).toMatchObject({ code, message: expect.any(String), details: { issues: expect.any(Array) } });
      if (path.length > 0)
        expect(
          body.details.issues.map((issue: { path: string[] }) => issue.path),
          url,
        ).toContainEqual(path);
    }
    const cursor = await api.get(`/orgs/${orgId}/escalations?after=AAAA`);
    expect(cursor.statusCode).toBe(400);
    expect(cursor.json()).toMatchObject({ code: 'INVALID_CURSOR', message: expect.any(String), details: expect.any(Object) });
  });
});
