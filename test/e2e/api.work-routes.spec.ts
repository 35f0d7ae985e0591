import { afterAll, describe, expect, it } from 'vitest';
import { required } from '../../domain/shared/required.ts';
import { useTestServer } from '../support/api-server.ts';
import { agentInboxSubject } from '../../domain/agent-protocol/subjects.ts';
import { awardSchema, type Award } from '../../domain/agent-protocol/messages.ts';
import { taskIdFor } from '../../processes/work/execution-saga.ts';
import { streamEvents, submitJob, waitForJobEvent, waitForStreamEvent, workAgent, workOrg, type TestAgent } from '../support/work-fixtures.ts';

const types = (events: Array<{ type: string }>) => events.map((event) => event.type);
/** A command's events without the policy decision recorded with them. */
const changes = (events: Array<{ type: string; data: Record<string, unknown> }>) => events.filter((event) => event.type !== 'DecisionRecorded');
/** Long enough that no heartbeat timer fires during a test: the agents here report when the test says so. */
const quietTasks = { 'work.taskHeartbeatMs': '86400000' };

/**
 * The work command routes through the real server: agents that speak HTTP instead of the bus (their AgentClient is
 * never started, so every step of theirs below is a request to /agent/requests/<kind>), and the people who review,
 * extend and end contracts and tasks. The sagas run as in production, asynchronously: the tests wait for events.
 */
describe('the work command routes', () => {
  const { server, api } = useTestServer();
  const agents: TestAgent[] = [];

  afterAll(async () => {
    for (const agent of agents) await agent.client.stop();
  });

  async function httpAgent(orgId: string, name: string): Promise<TestAgent> {
    const agent = await workAgent(server, { orgId, name, capabilities: { summarise: 3 }, handlers: {}, start: false });
    agents.push(agent);
    return agent;
  }

  const agentRequest = (agent: TestAgent, kind: string, payload: unknown, headers: Record<string, string> = {}) =>
    api.post(`/agent/requests/${kind}?explain=full`, payload, agent.key, headers);

  /** A job awarded to the org's one agent: its contract id, once the assignment saga drafted it. */
  async function awardedJob(orgId: string, job: Record<string, unknown> = {}): Promise<{ jobId: string; contractId: string; subjectId: string }> {
    const jobId = await submitJob(server, orgId, { requiredCapabilities: [{ name: 'summarise', level: 1 }], ...job });
    const awarded = await waitForStreamEvent(server, `assignment-${jobId}`, 'AssignmentAwarded');
    return { jobId, contractId: awarded.contractId as string, subjectId: awarded.subjectId as string };
  }

  /** The agent signs over HTTP once the org has; the job is assigned and its task dispatched. */
  async function signedAndDispatched(agent: TestAgent, orgId: string, jobId: string, contractId: string): Promise<string> {
    await waitForStreamEvent(server, `contract-${contractId}`, 'ContractSigned');
    const signed = await api.expectStatus(await agentRequest(agent, 'sign', { orgId, contractId }), 200);
    expect(signed.streamId).toBe(`contract-${contractId}`);
    expect(types(changes(signed.events))).toEqual(['ContractSigned', 'ContractActivated']);
    const assigned = await waitForJobEvent(server, jobId, 'JobAssigned');
    expect(assigned).toMatchObject({ assigneeSubjectId: agent.id, contractId });
    const taskId = taskIdFor(contractId);
    await waitForStreamEvent(server, `task-${taskId}`, 'TaskDispatched');
    return taskId;
  }

  it('an agent signs and works its task over HTTP; a tool outside its contract is refused with the clause and recorded as a breach', async () => {
    const orgId = await workOrg(server, { 'work.permittedTools': 'text.summarise', ...quietTasks });
    const agent = await httpAgent(orgId, 'Http worker');
    const { jobId, contractId, subjectId } = await awardedJob(orgId);
    expect(subjectId).toBe(agent.id);
    const taskId = await signedAndDispatched(agent, orgId, jobId, contractId);

    const progress = await agentRequest(agent, 'progress', { orgId, taskId, progress: 40, message: 'halfway' }, { 'idempotency-key': 'progress-1' });
    const reported = await api.expectStatus(progress, 200);
    expect(reported).toMatchObject({ streamId: `task-${taskId}`, replayed: false });
    expect(changes(reported.events)).toEqual([
      expect.objectContaining({ type: 'TaskProgressReported', data: expect.objectContaining({ progress: 40, message: 'halfway' }) }),
    ]);
    expect(progress.headers.etag).toBe(`"${reported.streamRevision}"`);
    // A retry with the same key answers the same and reports nothing twice.
    const retried = await api.expectStatus(
      await agentRequest(agent, 'progress', { orgId, taskId, progress: 40, message: 'halfway' }, { 'idempotency-key': 'progress-1' }),
      200,
    );
    expect(retried).toMatchObject({ replayed: true, streamRevision: reported.streamRevision });

    await api.expectStatus(await agentRequest(agent, 'tool', { orgId, taskId, tool: 'text.summarise', purpose: 'summarise' }), 200);

    const forbidden = await agentRequest(agent, 'tool', { orgId, taskId, tool: 'shell.exec' });
    expect(forbidden.statusCode).toBe(403);
    expect(forbidden.json()).toEqual({
      code: 'CONTRACT_VIOLATION',
      message: expect.any(String),
      details: expect.objectContaining({ taskId, contractId, clause: 'permittedTools', action: 'task.tool.use', tool: 'shell.exec' }),
    });
    // Recorded before the answer: the breach is on the contract's stream now, not eventually.
    const breaches = (await streamEvents(server, `contract-${contractId}`)).filter((event) => event.type === 'ContractBreached');
    expect(breaches).toEqual([expect.objectContaining({ data: expect.objectContaining({ kind: 'forbidden_action', clause: 'permittedTools', contractId }) })]);
    expect(String(required(breaches[0], 'the breach').data.details)).toContain('shell.exec');

    const task = await streamEvents(server, `task-${taskId}`);
    expect(types(task)).toEqual(['TaskCreated', 'TaskDispatched', 'TaskProgressReported', 'TaskToolUsed']);
    expect(task.find((event) => event.type === 'TaskToolUsed')?.data).toMatchObject({ tool: 'text.summarise' });

    // Another agent of the org cannot work a task that is not its own.
    const other = await httpAgent(orgId, 'Bystander');
    const meddling = await agentRequest(other, 'progress', { orgId, taskId, progress: 90 });
    expect(meddling.statusCode, meddling.body).toBe(403);
    expect(meddling.json().code).toBe('NOT_THE_ASSIGNEE');

    // The agent completes; the platform delivers and (no verifiers) verifies the job; an admin accepts the task.
    const informed = await api.expectStatus(await agentRequest(agent, 'inform', { orgId, taskId, outputs: { summary: 'short' } }), 200);
    expect(types(changes(informed.events))).toEqual(['TaskCompleted']);
    expect((await waitForJobEvent(server, jobId, 'JobDelivered')).deliverable).toEqual({ summary: 'short' });
    const review = await api.expectStatus(await api.post(`/orgs/${orgId}/tasks/${taskId}/review?explain=full`, { verdict: 'accept', note: 'fine work' }), 200);
    expect(review.taskId).toBe(taskId);
    expect(changes(review.events)).toEqual([
      expect.objectContaining({ type: 'TaskReviewed', data: expect.objectContaining({ verdict: 'accept', note: 'fine work' }) }),
    ]);
    expect(types(await streamEvents(server, `task-${taskId}`)).at(-1)).toBe('TaskReviewed');
  });

  it('a contract of an org that reviews contracts waits for the review; approved, it is offered to the agent, who signs, and the job is assigned', async () => {
    const orgId = await workOrg(server, { 'work.contractReview': 'required', ...quietTasks });
    const agent = await httpAgent(orgId, 'Reviewed worker');
    const offers: Award[] = [];
    const inbox = await server.platform.bus.subscribe(agentInboxSubject(agent.id, 'accept'), (message) => void offers.push(awardSchema.parse(message.data)));
    try {
      const { jobId, contractId } = await awardedJob(orgId);
      const drafted = await waitForStreamEvent(server, `contract-${contractId}`, 'ContractDrafted');
      expect(drafted).toMatchObject({ reviewRequired: true, assigneeSubjectId: agent.id });

      // In review: nobody signed, nothing was offered, and the agent cannot sign yet.
      const early = await agentRequest(agent, 'sign', { orgId, contractId });
      expect(early.statusCode).toBe(409);
      expect(early.json()).toMatchObject({ code: 'ILLEGAL_TRANSITION', details: { contractId, status: 'in_review', command: 'SignContract' } });
      expect(types(await streamEvents(server, `contract-${contractId}`))).toEqual(['ContractDrafted']);
      expect(offers).toEqual([]);

      const reviewed = await api.expectStatus(
        await api.post(`/orgs/${orgId}/contracts/${contractId}/review?explain=full`, { approve: true, note: 'terms are fine' }),
        200,
      );
      expect(reviewed).toMatchObject({ contractId, streamId: `contract-${contractId}` });
      expect(changes(reviewed.events)).toEqual([expect.objectContaining({ type: 'ContractReviewed', data: expect.objectContaining({ approved: true }) })]);

      // The saga signs for the org and offers the contract to the agent (accept-proposal on its inbox).
      const orgSigned = await waitForStreamEvent(server, `contract-${contractId}`, 'ContractSigned');
      expect(orgSigned.party).toBe('org');
      await expect.poll(() => offers.length, { timeout: 5_000 }).toBe(1);
      expect(offers[0]).toMatchObject({ orgId, jobId, basis: 'approved after review', contract: { contractId } });

      await signedAndDispatched(agent, orgId, jobId, contractId);
      expect(types(await streamEvents(server, `contract-${contractId}`))).toEqual([
        'ContractDrafted',
        'ContractReviewed',
        'ContractSigned',
        'ContractSigned',
        'ContractActivated',
      ]);
      expect((await waitForStreamEvent(server, `assignment-${jobId}`, 'AssignmentCompleted')).contractId).toBe(contractId);
    } finally {
      await inbox.unsubscribe();
    }
  });

  it('a disapproved contract is rejected for the org and the next round goes to another agent, whose contract the org rejects in turn', async () => {
    const orgId = await workOrg(server, { 'work.contractReview': 'required', 'work.maxRounds': '3', ...quietTasks });
    await httpAgent(orgId, 'First');
    await httpAgent(orgId, 'Second');
    const { jobId, contractId, subjectId } = await awardedJob(orgId);
    await waitForStreamEvent(server, `contract-${contractId}`, 'ContractDrafted');

    const disapproved = await api.expectStatus(
      await api.post(`/orgs/${orgId}/contracts/${contractId}/review?explain=full`, { approve: false, note: 'too broad' }),
      200,
    );
    expect(types(changes(disapproved.events))).toEqual(['ContractReviewed', 'ContractRejected']);
    expect(required(changes(disapproved.events)[1], 'the rejection').data).toMatchObject({ party: 'org', reason: 'too broad' });

    // The assignment goes on without the first awardee.
    const failed = await waitForStreamEvent(server, `assignment-${jobId}`, 'AssignmentRoundFailed');
    expect(failed).toMatchObject({ round: 1, reason: 'contract_rejected' });
    const second = await waitForAward(jobId, 2);
    expect(second.subjectId).not.toBe(subjectId);
    await waitForStreamEvent(server, `contract-${second.contractId}`, 'ContractDrafted');

    const rejected = await api.expectStatus(
      await api.post(`/orgs/${orgId}/contracts/${second.contractId}/reject?explain=full`, { party: 'org', reason: 'budget withdrawn' }),
      200,
    );
    expect(changes(rejected.events)).toEqual([
      expect.objectContaining({ type: 'ContractRejected', data: expect.objectContaining({ party: 'org', reason: 'budget withdrawn' }) }),
    ]);
    const roundFailed = async (round: number) =>
      (await streamEvents(server, `assignment-${jobId}`)).find((event) => event.type === 'AssignmentRoundFailed' && event.data.round === round)?.data;
    await expect.poll(() => roundFailed(2), { timeout: 10_000 }).toMatchObject({ reason: 'contract_rejected' });
  });

  async function waitForAward(jobId: string, round: number): Promise<{ subjectId: string; contractId: string }> {
    let award: Record<string, unknown> | undefined;
    await expect
      .poll(
        async () => {
          award = (await streamEvents(server, `assignment-${jobId}`)).find((event) => event.type === 'AssignmentAwarded' && event.data.round === round)?.data;
          return award !== undefined;
        },
        { timeout: 10_000 },
      )
      .toBe(true);
    const { subjectId, contractId } = required(award, `the award of round ${round}`);
    return { subjectId: subjectId as string, contractId: contractId as string };
  }

  it('an admin extends an obligation and terminates a contract; reassigns and cancels a task', async () => {
    const orgId = await workOrg(server, quietTasks);
    const agent = await httpAgent(orgId, 'Deadline worker');
    const deadline = new Date(Date.now() + 3_600_000).toISOString();
    const { jobId, contractId } = await awardedJob(orgId, { deadline });
    const taskId = await signedAndDispatched(agent, orgId, jobId, contractId);

    const later = new Date(Date.parse(deadline) + 86_400_000).toISOString();
    const extended = await api.expectStatus(
      await api.post(`/orgs/${orgId}/contracts/${contractId}/obligations/delivery/extend?explain=full`, { dueAt: later }),
      200,
    );
    expect(extended.contractId).toBe(contractId);
    expect(changes(extended.events)).toEqual([
      expect.objectContaining({ type: 'ObligationExtended', data: expect.objectContaining({ obligationId: 'delivery', dueAt: later }) }),
    ]);

    const replacement = await httpAgent(orgId, 'Replacement');
    const reassigned = await api.expectStatus(
      await api.post(`/orgs/${orgId}/tasks/${taskId}/reassign?explain=full`, {
        assigneeSubjectId: replacement.id,
        reason: 'the first agent is overloaded',
        contractId: null,
      }),
      200,
    );
    expect(reassigned.taskId).toBe(taskId);
    expect(changes(reassigned.events)).toEqual([
      expect.objectContaining({ type: 'TaskReassigned', data: expect.objectContaining({ assigneeSubjectId: replacement.id }) }),
    ]);
    // The first agent no longer works it.
    const stale = await agentRequest(agent, 'progress', { orgId, taskId, progress: 10 });
    expect(stale.statusCode, stale.body).toBe(409);
    expect(stale.json()).toMatchObject({ code: 'ILLEGAL_TRANSITION', details: { taskId, status: 'pending' } });

    const cancelled = await api.expectStatus(await api.post(`/orgs/${orgId}/tasks/${taskId}/cancel?explain=full`, { reason: 'no longer needed' }), 200);
    expect(changes(cancelled.events)).toEqual([
      expect.objectContaining({ type: 'TaskCancelled', data: expect.objectContaining({ reason: 'no longer needed' }) }),
    ]);

    const terminated = await api.expectStatus(
      await api.post(`/orgs/${orgId}/contracts/${contractId}/terminate?explain=full`, { reason: 'the work was called off' }),
      200,
    );
    expect(changes(terminated.events)).toEqual([
      expect.objectContaining({ type: 'ContractTerminated', data: expect.objectContaining({ reason: 'the work was called off', from: 'active' }) }),
    ]);
    expect(types(await streamEvents(server, `contract-${contractId}`)).slice(-2)).toEqual(['ObligationExtended', 'ContractTerminated']);
    expect(types(await streamEvents(server, `task-${taskId}`)).slice(-2)).toEqual(['TaskReassigned', 'TaskCancelled']);
  });
});
