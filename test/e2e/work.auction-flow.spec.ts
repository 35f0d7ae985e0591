import { beforeAll, describe, expect, it } from 'vitest';
import { required } from '../../domain/shared/required.ts';
import { useWorkOrg } from '../support/work-org.ts';
import { streamEvents, type TestAgent } from '../support/work-fixtures.ts';
import { expectCheapestSummaryDelivered, summariseAuctionSettings, summariseJobVerified, summarisingBidder } from '../support/summarise-auction.ts';

describe('a job assigned by auction, worked, delivered and verified by agents over the bus', () => {
  const work = useWorkOrg(summariseAuctionSettings);
  const { server } = work;
  let cheap: TestAgent;
  let dear: TestAgent;
  let unqualified: TestAgent;
  let verifier: TestAgent;
  const rejectedProposals: string[] = [];

  beforeAll(async () => {
    const worker = (price: number) => summarisingBidder(price, rejectedProposals);
    cheap = await work.agent({ name: 'Cheap', capabilities: { summarise: 3 }, handlers: worker(5) });
    dear = await work.agent({ name: 'Dear', capabilities: { summarise: 3 }, handlers: worker(10) });
    // Lacks the capability: it is not invited, bids anyway (lowest of all), and its bid is recorded and refused.
    unqualified = await work.agent({ name: 'Unqualified', capabilities: {}, handlers: worker(1) });
    verifier = await work.agent({
      name: 'Verifier',
      role: 'reviewer',
      handlers: { onVerify: (request) => ({ accept: JSON.stringify(request.deliverable).includes('SUMMARISE'), note: 'checked' }) },
    });
  });

  it('awards the lowest valid bid, records every bid with its reasons, and runs the job to verified', async () => {
    const jobId = await summariseJobVerified(server, work.orgId, verifier, unqualified);

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
    await expectCheapestSummaryDelivered(server, jobId, contractId);
  });

  it('reports where the sagas are and the timers waiting, in /ready and /metrics', async () => {
    const ready = await server.app.inject({ method: 'GET', url: '/ready' });
    expect(ready.json().checks.work).toMatchObject({
      ok: true,
      detail: expect.stringMatching(
        /^assignment at [1-9]\d*, execution at [1-9]\d*, obligations at \d+, escalations at \d+, tool-calls at \d+; \d+ timers pending$/,
      ),
    });
    const metrics = (await server.app.inject({ method: 'GET', url: '/metrics', headers: server.auth })).body;
    expect(metrics).toMatch(/^agencygrid_saga_position\{saga="assignment"\} [1-9]\d*$/m);
    expect(metrics).toMatch(/^agencygrid_timers_pending \d+$/m);
    expect(metrics).toMatch(/^agencygrid_saga_dead_letters 0$/m);
  });
});
