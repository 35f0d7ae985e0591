import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { required } from '../../domain/shared/required.ts';
import { useTestServer } from '../support/api-server.ts';
import { streamEvents, submitJob, waitForJobEvent, waitForStreamEvent, workAgent, workOrg, type TestAgent } from '../support/work-fixtures.ts';

describe('a job assigned by auction, worked, delivered and verified by agents over the bus', () => {
  const { server } = useTestServer();
  let orgId: string;
  let cheap: TestAgent;
  let dear: TestAgent;
  let unqualified: TestAgent;
  let verifier: TestAgent;
  const rejectedProposals: string[] = [];

  beforeAll(async () => {
    orgId = await workOrg(server, { 'work.assignmentStrategy': 'auction', 'work.bidWindowMs': '3000', 'work.permittedTools': 'text.summarise' });
    const worker = (price: number) => ({
      onCallForProposals: () => ({ price, etaSeconds: 60 }),
      onProposalRejected: (rejected: { jobId: string }) => void rejectedProposals.push(`${price}:${rejected.jobId}`),
      onTask: async (task: { input: unknown }, context: { progress(p: number, m?: string): Promise<void>; useTool(t: string): Promise<void> }) => {
        await context.useTool('text.summarise');
        await context.progress(50, 'halfway');
        const { goal } = task.input as { goal: string };
        return { summary: goal.toUpperCase(), by: price };
      },
    });
    cheap = await workAgent(server, { orgId, name: 'Cheap', capabilities: { summarise: 3 }, handlers: worker(5) });
    dear = await workAgent(server, { orgId, name: 'Dear', capabilities: { summarise: 3 }, handlers: worker(10) });
    // Lacks the capability: it is not invited, bids anyway (lowest of all), and its bid is recorded and refused.
    unqualified = await workAgent(server, { orgId, name: 'Unqualified', capabilities: {}, handlers: worker(1) });
    verifier = await workAgent(server, {
      orgId,
      name: 'Verifier',
      role: 'reviewer',
      handlers: { onVerify: (request) => ({ accept: JSON.stringify(request.deliverable).includes('SUMMARISE'), note: 'checked' }) },
    });
  });
  afterAll(async () => {
    for (const agent of [cheap, dear, unqualified, verifier]) await agent?.client.stop();
  });

  it('awards the lowest valid bid, records every bid with its reasons, and runs the job to verified', async () => {
    const jobId = await submitJob(server, orgId, {
      goal: 'summarise the quarterly report',
      completionMode: 'verified',
      verifierSubjectIds: [verifier.id],
      requiredCapabilities: [{ name: 'summarise', level: 2 }],
      deadline: new Date(Date.now() + 60_000).toISOString(),
    });
    await waitForStreamEvent(server, `assignment-${jobId}`, 'CallForProposalsIssued');
    await unqualified.client.request('propose', { orgId, jobId, round: 1, bid: { price: 1 } });
    const verified = await waitForJobEvent(server, jobId, 'JobVerified', 15_000);
    expect(verified.verifiedBy).toMatchObject({ id: verifier.id, kind: 'subject' });

    const job = (await streamEvents(server, `job-${jobId}`)).map((event) => event.type);
    expect(job).toEqual(['JobSubmitted', 'JobContractingStarted', 'JobAssigned', 'JobWorkStarted', 'JobDelivered', 'JobVerified']);

    const assignment = await streamEvents(server, `assignment-${jobId}`);
    const assessed = required(
      assignment.find((event) => event.type === 'CandidatesAssessed'),
      'the assessment',
    ).data.candidates as Array<{
      subjectId: string;
      eligible: boolean;
      reasons: string[];
    }>;
    expect(assessed.find((candidate) => candidate.subjectId === unqualified.id)).toMatchObject({ eligible: false, reasons: ['lacks capability summarise'] });
    // The verifier holds no worker role but is a member: ineligible because it verifies the job.
    expect(assessed.find((candidate) => candidate.subjectId === verifier.id)?.reasons).toContain('verifies this job (separation of duties)');

    const proposals = assignment.filter((event) => event.type === 'ProposalRecorded').map((event) => event.data);
    expect(proposals).toHaveLength(3);
    expect(proposals.find((proposal) => proposal.subjectId === unqualified.id)).toMatchObject({
      valid: false,
      reasons: ['ineligible: lacks capability summarise'],
    });
    const awarded = required(
      assignment.find((event) => event.type === 'AssignmentAwarded'),
      'the award',
    ).data;
    // Declined: the valid bids that lost (an invalid bid was refused when it came, with its reasons).
    expect(awarded).toMatchObject({ subjectId: cheap.id, declined: [dear.id] });
    expect(assignment.filter((event) => event.type === 'AssignmentAwarded')).toHaveLength(1);
    expect(assignment.at(-1)?.type).toBe('AssignmentCompleted');
    expect(rejectedProposals).toContain(`10:${jobId}`);

    const contractId = awarded.contractId as string;
    await waitForStreamEvent(server, `contract-${contractId}`, 'ContractFulfilled');
    const contract = (await streamEvents(server, `contract-${contractId}`)).map((event) => event.type);
    expect(contract).toEqual(['ContractDrafted', 'ContractSigned', 'ContractSigned', 'ContractActivated', 'ContractFulfilled']);

    const delivered = await waitForJobEvent(server, jobId, 'JobDelivered');
    expect(delivered.deliverable).toEqual({ summary: 'SUMMARISE THE QUARTERLY REPORT', by: 5 });
  });

  it('reports where the sagas are and the timers waiting, in /ready and /metrics', async () => {
    const ready = await server.app.inject({ method: 'GET', url: '/ready' });
    expect(ready.json().checks.work).toMatchObject({
      ok: true,
      detail: expect.stringMatching(/^assignment at [1-9]\d*, execution at [1-9]\d*, obligations at \d+, escalations at \d+; \d+ timers pending$/),
    });
    const metrics = (await server.app.inject({ method: 'GET', url: '/metrics', headers: server.auth })).body;
    expect(metrics).toMatch(/^agencygrid_saga_position\{saga="assignment"\} [1-9]\d*$/m);
    expect(metrics).toMatch(/^agencygrid_timers_pending \d+$/m);
    expect(metrics).toMatch(/^agencygrid_saga_dead_letters 0$/m);
  });
});
