import { expect } from 'vitest';
import type { AgentHandlers } from '../../api/agent-client/index.ts';
import type { TestServer } from './server.ts';
import { streamEvents, submitJob, waitForJobEvent, waitForStreamEvent, type TestAgent } from './work-fixtures.ts';

/** The org's `work.*` settings for the summarise auction: bids open for three seconds, one tool permitted. */
export const summariseAuctionSettings = { 'work.assignmentStrategy': 'auction', 'work.bidWindowMs': '3000', 'work.permittedTools': 'text.summarise' };

/** A bidder at `price` that notes each refused bid as `price:jobId` in `rejected` and answers with the goal in capitals. */
export function summarisingBidder(price: number, rejected: string[]): AgentHandlers {
  return {
    onCallForProposals: () => ({ price, etaSeconds: 60 }),
    onProposalRejected: (proposal) => void rejected.push(`${price}:${proposal.jobId}`),
    onTask: async (task, context) => {
      await context.useTool('text.summarise');
      await context.progress(50, 'halfway');
      const { goal } = task.input as { goal: string };
      return { summary: goal.toUpperCase(), by: price };
    },
  };
}

/**
 * Submits the summarise job (verified by `verifier`, due in a minute), has `unqualified` bid once the call for
 * proposals is out, waits for the job to be verified, and checks that it went through in one pass: verified by
 * `verifier`, with no step repeated or escalated on the way. Returns the job's id.
 */
export async function summariseJobVerified(server: TestServer, orgId: string, verifier: TestAgent, unqualified: TestAgent): Promise<string> {
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
  return jobId;
}

/** The awarded contract runs to fulfilled, and the job delivers the summary made by the bidder at 5. */
export async function expectCheapestSummaryDelivered(server: TestServer, jobId: string, contractId: string): Promise<void> {
  await waitForStreamEvent(server, `contract-${contractId}`, 'ContractFulfilled');
  const contract = (await streamEvents(server, `contract-${contractId}`)).map((event) => event.type);
  expect(contract).toEqual(['ContractDrafted', 'ContractSigned', 'ContractSigned', 'ContractActivated', 'ContractFulfilled']);
  const delivered = await waitForJobEvent(server, jobId, 'JobDelivered');
  expect(delivered.deliverable).toEqual({ summary: 'SUMMARISE THE QUARTERLY REPORT', by: 5 });
}
