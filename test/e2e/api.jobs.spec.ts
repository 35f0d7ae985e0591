import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectRefusal, type BadRequest } from '../support/refusal.ts';
import { useTestServer } from '../support/api-server.ts';
import { readActionFor } from '../../api/streaming/access.ts';
import { orgNotFound } from '../../domain/org/not-found.ts';

type Job = Record<string, unknown> & { jobId: string; status: string };

describe('jobs over HTTP', () => {
  const { server, api } = useTestServer();
  let orgId: string;
  let assignee: string;
  let verifier: string;
  beforeAll(async () => {
    // These tests drive each job by hand; the work processes (which take every submission up: contracting,
    // assignment, escalation) would race them, so they are stopped.
    await server.platform.work.stop();
    orgId = await api.registerOrg('job-shop');
    assignee = await api.registerSubject('worker');
    verifier = await api.registerSubject('checker');
  });

  const future = () => new Date(Date.now() + 24 * 3600 * 1000).toISOString();
  const submit = (body: Record<string, unknown>, key = api.adminKey, headers: Record<string, string> = {}) =>
    api.post(`/orgs/${orgId}/jobs`, { goal: 'Translate the manual', completionMode: 'single', ...body }, key, headers);
  const act = async (jobId: string, path: string, body: Record<string, unknown> = {}, status = 200) =>
    api.expectStatus(await api.post(`/orgs/${orgId}/jobs/${jobId}/${path}`, body), status);
  const read = async (jobId: string): Promise<Job> => api.expectStatus(await api.get(`/orgs/${orgId}/jobs/${jobId}`), 200);

  it('submits a job and reads it back, by id and in the list; a retry with the same Idempotency-Key submits nothing new', async () => {
    const deadline = future();
    const headers = { 'idempotency-key': 'submit-job-manual-1' };
    const submitted = await api.expectStatus(
      await submit({ priority: 'high', deadline, objectives: ['all chapters'], budget: { amount: 120, currency: 'EUR' } }, api.adminKey, headers),
      201,
    );
    expect(submitted.jobId).toMatch(/^[0-9a-f-]{36}$/);
    expect(submitted.events.map((event: { type: string }) => event.type)).toEqual(['DecisionRecorded', 'JobSubmitted']);
    const retried = await api.expectStatus(
      await submit({ priority: 'high', deadline, objectives: ['all chapters'], budget: { amount: 120, currency: 'EUR' } }, api.adminKey, headers),
      201,
    );
    expect(retried).toMatchObject({ jobId: submitted.jobId, replayed: true });

    const response = await api.get(`/orgs/${orgId}/jobs/${submitted.jobId}`);
    expect(response.statusCode).toBe(200);
    const job = response.json();
    expect(job).toMatchObject({
      jobId: submitted.jobId,
      orgId,
      status: 'submitted',
      goal: 'Translate the manual',
      objectives: ['all chapters'],
      priority: 'high',
      completionMode: 'single',
      deadline,
      budget: { amount: 120, currency: 'EUR' },
      assigneeSubjectId: null,
      contractId: null,
      delivery: null,
      escalation: null,
      closedAt: null,
      submittedBy: { kind: 'admin' },
      revision: submitted.streamRevision,
    });
    expect(response.headers.etag).toBe(`"${submitted.streamRevision}"`);

    const list = await api.expectStatus(await api.get(`/orgs/${orgId}/jobs`), 200);
    expect(list.jobs.map((item: Job) => item.jobId)).toContain(submitted.jobId);
  });

  it('runs the whole lifecycle as an admin, each step visible in the read model', async () => {
    const template = { 'a.b': 'dotted key', $op: ['dollar key'], nested: { deeper: [true, 1.5] } };
    const { jobId } = await api.expectStatus(await submit({ completionMode: 'verified', verifierSubjectIds: [verifier], outputTemplate: template }), 201);
    await act(jobId, 'start-contracting');
    expect((await read(jobId)).status).toBe('contracting');
    const contractId = randomUUID();
    await act(jobId, 'assign', { assigneeSubjectId: assignee, contractId });
    expect(await read(jobId)).toMatchObject({ status: 'assigned', assigneeSubjectId: assignee, contractId });
    await act(jobId, 'start');
    expect((await read(jobId)).status).toBe('in_progress');
    const deliverable = { 'chapter.1': 'done', $ref: [1, 2, { x: null }] };
    await act(jobId, 'deliver', { deliverable, note: 'all there' });
    expect(await read(jobId)).toMatchObject({ status: 'delivered', delivery: { deliverable, note: 'all there', deliveredBy: { kind: 'admin' } } });
    await act(jobId, 'verify', { note: 'good' });
    const verified = await read(jobId);
    expect(verified).toMatchObject({ status: 'verified', verification: { note: 'good' }, outputTemplate: template, delivery: { deliverable } });
    expect(verified.closedAt).toEqual(expect.any(String));

    // A verified job is final: anything more is an illegal transition.
    const again = await api.post(`/orgs/${orgId}/jobs/${jobId}/cancel`, { reason: 'too late' });
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ code: 'ILLEGAL_TRANSITION', details: { jobId, status: 'verified', command: 'CancelJob' } });

    // Escalated, then reassigned: back to contracting, the assignment cleared; then failed once held again.
    const second = (await api.expectStatus(await submit({}), 201)).jobId as string;
    await act(second, 'start-contracting');
    await act(second, 'assign', { assigneeSubjectId: assignee, contractId: randomUUID() });
    await act(second, 'escalate', { reason: 'stuck', escalateTo: 'board' });
    expect(await read(second)).toMatchObject({ status: 'escalated', escalation: { reason: 'stuck', escalateTo: 'board', from: 'assigned' } });
    await act(second, 'resolve-escalation', { resolution: 'reassign', note: 'someone else' });
    expect(await read(second)).toMatchObject({ status: 'contracting', escalation: null, assigneeSubjectId: null, contractId: null });
    await act(second, 'assign', { assigneeSubjectId: assignee, contractId: randomUUID() });
    await act(second, 'fail', { reason: 'agent crashed' });
    expect(await read(second)).toMatchObject({ status: 'failed', statusReason: 'agent crashed' });

    // Delivered and rejected; and one cancelled straight away.
    const third = (await api.expectStatus(await submit({ priority: 'low' }), 201)).jobId as string;
    await act(third, 'start-contracting');
    await act(third, 'assign', { assigneeSubjectId: assignee, contractId: randomUUID() });
    await act(third, 'start');
    await act(third, 'deliver', { deliverable: 'a string deliverable' });
    await act(third, 'reject', { reason: 'wrong language' });
    expect(await read(third)).toMatchObject({ status: 'rejected', statusReason: 'wrong language', delivery: { deliverable: 'a string deliverable' } });
    const fourth = (await api.expectStatus(await submit({ priority: 'low', deadline: future() }), 201)).jobId as string;
    await act(fourth, 'escalate', { reason: 'deadline too tight', escalateTo: 'board' });
    const extended = new Date(Date.now() + 7 * 24 * 3600 * 1000).toISOString();
    await act(fourth, 'resolve-escalation', { resolution: 'extend', deadline: extended });
    expect(await read(fourth)).toMatchObject({ status: 'submitted', deadline: extended, escalation: null });
    await act(fourth, 'cancel', { reason: 'not needed' });
    expect(await read(fourth)).toMatchObject({ status: 'cancelled', statusReason: 'not needed' });

    // The typed filters and the pages.
    const failed = await api.expectStatus(await api.get(`/orgs/${orgId}/jobs?status=failed`), 200);
    expect(failed.jobs.map((job: Job) => job.jobId)).toEqual([second]);
    const low = await api.expectStatus(await api.get(`/orgs/${orgId}/jobs?priority=low&order=oldest`), 200);
    expect(low.jobs.map((job: Job) => job.jobId)).toEqual([third, fourth]);
    const lowRejected = await api.expectStatus(await api.get(`/orgs/${orgId}/jobs?priority=low&status=rejected`), 200);
    expect(lowRejected.jobs.map((job: Job) => job.jobId)).toEqual([third]);
    const byAssignee = await api.expectStatus(await api.get(`/orgs/${orgId}/jobs?assigneeSubjectId=${assignee}&order=oldest`), 200);
    expect(byAssignee.jobs.map((job: Job) => job.jobId)).toEqual([jobId, second, third]);

    const all = await api.expectStatus(await api.get(`/orgs/${orgId}/jobs?limit=100`), 200);
    const paged: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 20; page += 1) {
      const query: string = after === null ? '?limit=2' : `?limit=2&after=${after}`;
      const body = await api.expectStatus(await api.get(`/orgs/${orgId}/jobs${query}`), 200);
      expect(body.jobs.length).toBeLessThanOrEqual(2);
      paged.push(...body.jobs.map((job: Job) => job.jobId));
      if (!body.pageInfo.hasNextPage) break;
      after = body.pageInfo.endCursor;
    }
    expect(paged).toEqual(all.jobs.map((job: Job) => job.jobId));
    expect(paged.length).toBeGreaterThanOrEqual(5);
    expect(new Set(paged).size).toBe(paged.length);
  });

  it('reads a job of another org as absent', async () => {
    const otherOrg = await api.registerOrg('other-shop');
    const { jobId } = await api.expectStatus(await submit({}), 201);
    const response = await api.get(`/orgs/${otherOrg}/jobs/${jobId}`);
    expect(response.statusCode).toBe(404);
    expect(response.json()).toMatchObject({ code: 'JOB_NOT_FOUND', details: { orgId: otherOrg, jobId } });
    const commanded = await api.post(`/orgs/${otherOrg}/jobs/${jobId}/cancel`, { reason: 'not mine' });
    expect(commanded.statusCode).toBe(404);
    expect(commanded.json().code).toBe('JOB_NOT_FOUND');
    expect((await read(jobId)).status).toBe('submitted');
  });

  describe('malformed requests', () => {
    let jobId: string;
    let firstCursor = '';
    beforeAll(async () => {
      jobId = (await api.expectStatus(await submit({}), 201)).jobId as string;
      await api.expectStatus(await submit({}), 201);
      firstCursor = (await api.expectStatus(await api.get(`${jobs()}?limit=1`), 200)).pageInfo.endCursor as string;
      expect(firstCursor).toMatch(/^[A-Za-z0-9_-]+$/);
    });

    const json = { 'content-type': 'application/json' };
    const jobs = () => `/orgs/${orgId}/jobs`;
    const cases: Array<[string, () => BadRequest, number, string]> = [
      ['a submission without a goal', () => ({ url: jobs(), payload: { completionMode: 'single' } }), 400, 'VALIDATION_FAILED'],
      ['a submission with an unknown field', () => ({ url: jobs(), payload: { goal: 'g', completionMode: 'single', owner: 'me' } }), 400, 'VALIDATION_FAILED'],
      ['a submission naming the org in the body', () => ({ url: jobs(), payload: { goal: 'g', completionMode: 'single', orgId } }), 400, 'VALIDATION_FAILED'],
      [
        'a submission with an unknown priority',
        () => ({ url: jobs(), payload: { goal: 'g', completionMode: 'single', priority: 'urgent' } }),
        400,
        'VALIDATION_FAILED',
      ],
      ['a submission with verification and no verifier', () => ({ url: jobs(), payload: { goal: 'g', completionMode: 'verified' } }), 400, 'VALIDATION_FAILED'],
      [
        'a submission with a deadline without a zone',
        () => ({ url: jobs(), payload: { goal: 'g', completionMode: 'single', deadline: '2030-01-01T00:00:00' } }),
        400,
        'VALIDATION_FAILED',
      ],
      [
        'a submission with a malformed job id',
        () => ({ url: jobs(), payload: { goal: 'g', completionMode: 'single', jobId: 'job-1' } }),
        400,
        'VALIDATION_FAILED',
      ],
      ['a submission as a JSON array', () => ({ url: jobs(), headers: json, payload: '[1]' }), 400, 'VALIDATION_FAILED'],
      ['a submission that is not JSON', () => ({ url: jobs(), headers: json, payload: '{"goal":' }), 400, 'INVALID_JSON'],
      ['a submission as text/plain', () => ({ url: jobs(), headers: { 'content-type': 'text/plain' }, payload: 'goal=x' }), 415, 'UNSUPPORTED_MEDIA_TYPE'],
      [
        'a submission to a malformed org id',
        () => ({ url: '/orgs/not-an-org/jobs', payload: { goal: 'g', completionMode: 'single' } }),
        400,
        'VALIDATION_FAILED',
      ],
      [
        'an assignment to a name',
        () => ({ url: `${jobs()}/${jobId}/assign`, payload: { assigneeSubjectId: 'bob', contractId: randomUUID() } }),
        400,
        'VALIDATION_FAILED',
      ],
      [
        'an assignment without a contract',
        () => ({ url: `${jobs()}/${jobId}/assign`, payload: { assigneeSubjectId: randomUUID() } }),
        400,
        'VALIDATION_FAILED',
      ],
      ['a delivery without a deliverable', () => ({ url: `${jobs()}/${jobId}/deliver`, payload: {} }), 400, 'VALIDATION_FAILED'],
      ['a delivery of null', () => ({ url: `${jobs()}/${jobId}/deliver`, payload: { deliverable: null } }), 400, 'VALIDATION_FAILED'],
      ['a cancellation with a blank reason', () => ({ url: `${jobs()}/${jobId}/cancel`, payload: { reason: '  ' } }), 400, 'VALIDATION_FAILED'],
      ['a cancellation repeating the job id', () => ({ url: `${jobs()}/${jobId}/cancel`, payload: { reason: 'x', jobId } }), 400, 'VALIDATION_FAILED'],
      [
        'an escalation to a role that is not a role name',
        () => ({ url: `${jobs()}/${jobId}/escalate`, payload: { reason: 'x', escalateTo: 'The Board' } }),
        400,
        'VALIDATION_FAILED',
      ],
      ['an unknown resolution', () => ({ url: `${jobs()}/${jobId}/resolve-escalation`, payload: { resolution: 'postpone' } }), 400, 'VALIDATION_FAILED'],
      [
        'an extension without a deadline',
        () => ({ url: `${jobs()}/${jobId}/resolve-escalation`, payload: { resolution: 'extend' } }),
        400,
        'VALIDATION_FAILED',
      ],
      ['a command on a malformed job id', () => ({ url: `${jobs()}/not-a-job/start-contracting`, payload: {} }), 400, 'VALIDATION_FAILED'],
      ['a command on a job that does not exist', () => ({ url: `${jobs()}/${randomUUID()}/start-contracting`, payload: {} }), 404, 'JOB_NOT_FOUND'],
      ['an unknown lifecycle step', () => ({ url: `${jobs()}/${jobId}/reopen`, payload: {} }), 404, 'ROUTE_NOT_FOUND'],
      ['a list with an unknown status', () => ({ method: 'GET', url: `${jobs()}?status=done` }), 400, 'VALIDATION_FAILED'],
      ['a list with two statuses', () => ({ method: 'GET', url: `${jobs()}?status=failed&status=verified` }), 400, 'VALIDATION_FAILED'],
      ['a list with an unknown filter', () => ({ method: 'GET', url: `${jobs()}?goal=x` }), 400, 'VALIDATION_FAILED'],
      ['a list with a limit of 0', () => ({ method: 'GET', url: `${jobs()}?limit=0` }), 400, 'VALIDATION_FAILED'],
      ['a list with a limit over 100', () => ({ method: 'GET', url: `${jobs()}?limit=101` }), 400, 'VALIDATION_FAILED'],
      ['a list with a cursor it did not issue', () => ({ method: 'GET', url: `${jobs()}?after=bm90LWEtY3Vyc29y` }), 400, 'INVALID_CURSOR'],
      ['a list with a cursor of another order', () => ({ method: 'GET', url: `${jobs()}?limit=1&order=oldest&after=${firstCursor}` }), 400, 'INVALID_CURSOR'],
      ['a read of a malformed job id', () => ({ method: 'GET', url: `${jobs()}/1%20OR%201=1` }), 400, 'VALIDATION_FAILED'],
      ['a read of a job that does not exist', () => ({ method: 'GET', url: `${jobs()}/${randomUUID()}` }), 404, 'JOB_NOT_FOUND'],
      ['a read in an org that does not exist', () => ({ method: 'GET', url: `/orgs/${randomUUID()}/jobs` }), 404, 'ORG_NOT_FOUND'],
    ];
    it.each(cases)('answers %s with a 4xx {code, message, details} and changes nothing', async (_name, build, status, code) => {
      const before = await read(jobId);
      await expectRefusal(server, build(), status, code);
      expect(await read(jobId)).toEqual(before);
    });
  });

  it('answers an outsider as for an org that does not exist, on reads and commands, and lets members read', async () => {
    const { jobId } = await api.expectStatus(await submit({}), 201);
    const outsider = await api.subjectWithKey('outsider');
    const denied = [
      await api.get(`/orgs/${orgId}/jobs`, outsider.key),
      await api.get(`/orgs/${orgId}/jobs/${jobId}`, outsider.key),
      await api.post(`/orgs/${orgId}/jobs`, { goal: 'sneak in', completionMode: 'single' }, outsider.key),
      await api.post(`/orgs/${orgId}/jobs/${jobId}/cancel`, { reason: 'sabotage' }, outsider.key),
    ];
    for (const response of denied) {
      expect(response.statusCode, response.body).toBe(404);
      expect(response.json()).toEqual({ code: 'ORG_NOT_FOUND', message: orgNotFound(orgId).message, details: { orgId } });
    }
    expect((await read(jobId)).status).toBe('submitted');

    // A member reads the org's jobs under the default policy, but only the owner (and admins) manage them.
    await api.defineRole(orgId, { name: 'member' });
    await api.expectStatus(await api.grant(orgId, outsider.id, 'member'), 201);
    expect((await api.get(`/orgs/${orgId}/jobs/${jobId}`, outsider.key)).statusCode).toBe(200);
    expect((await api.get(`/orgs/${orgId}/jobs`, outsider.key)).statusCode).toBe(200);
    expect((await api.post(`/orgs/${orgId}/jobs/${jobId}/cancel`, { reason: 'sabotage' }, outsider.key)).statusCode).toBe(403);

    // An org policy may hide jobs from members while they still read the org.
    const owner = await api.subjectWithKey('owner');
    const ownedOrg = await api.registerOrg('owned-shop', owner.key);
    const owned = await api.expectStatus(await api.post(`/orgs/${ownedOrg}/jobs`, { goal: 'Owner work', completionMode: 'single' }, owner.key), 201);
    await api.defineRole(ownedOrg, { name: 'intern' });
    await api.expectStatus(await api.grant(ownedOrg, outsider.id, 'intern'), 201);
    await api.publishPolicy(ownedOrg, [
      { id: 'interns-read-the-org', effect: 'permit', actions: ['org.read'], roles: ['intern'], reason: 'interns see the org' },
    ]);
    expect((await api.get(`/orgs/${ownedOrg}`, outsider.key)).statusCode).toBe(200);
    const hidden = await api.get(`/orgs/${ownedOrg}/jobs/${owned.jobId}`, outsider.key);
    expect(hidden.statusCode).toBe(403);
    expect(hidden.json()).toMatchObject({ code: 'POLICY_DENIED', details: { action: 'job.read' } });
    // The live event streams (SSE, GraphQL subscriptions) judge a job's events by the same read.
    expect(readActionFor({ type: 'JobSubmitted', streamId: `job-${owned.jobId}` })).toBe('job.read');
    // And so the events of a job's work: its contract, tasks, bids and timers.
    for (const streamId of ['contract-c', 'task-t', 'assignment-a', 'timer-x']) expect(readActionFor({ type: 'Anything', streamId })).toBe('job.read');
    expect(readActionFor({ type: 'OrgRegistered', streamId: 'org-o' })).toBe('org.read');
  });
});
