import { afterAll, beforeAll, expect } from 'vitest';
import { AgentRequestError } from '../../api/agent-client/index.ts';
import { apiClient } from '../e2e/api.client.ts';
import { lateBound } from './late-bound.ts';
import type { TestServer } from './server.ts';
import { streamEvents, submitJob, waitForJobEvent, waitForStreamEvent, workAgent, workOrg, type TestAgent } from './work-fixtures.ts';
import { required } from '../../domain/shared/required.ts';

export interface WorkReadsFlow {
  orgId: string;
  otherOrgId: string;
  cheap: TestAgent;
  dear: TestAgent;
  unqualified: TestAgent;
  outsider: { id: string; key: string };
  /** Auctioned, worked (one forbidden tool use: a breach) and verified. */
  jobId: string;
  contractId: string;
  taskId: string;
  deadline: string;
  /** Nobody is eligible: escalated to `reviewer`, still open. */
  escalatedJobId: string;
  /** Nobody is eligible: escalated to `reviewer`, resolved by cancelling. */
  cancelledJobId: string;
  outputs: Record<string, unknown>;
  stop(): Promise<void>;
}

/**
 * A real flow with agents over the in-process bus, for the work read APIs to read back: an auction with two valid
 * bids and a refused one, a contract signed by both parties and breached once (a tool outside it), a task worked and
 * completed with outputs whose keys are not storable document keys, and two jobs nobody is eligible for, escalated
 * to the `reviewer` role (one left open, one resolved by cancelling). An outsider (registered, no role in the org)
 * has a key.
 */
export async function workReadsFlow(server: TestServer): Promise<WorkReadsFlow> {
  const api = apiClient(server);
  const orgId = await workOrg(server, {
    'work.assignmentStrategy': 'auction',
    'work.bidWindowMs': '3000',
    'work.maxRounds': '1',
    'work.permittedTools': 'text.summarise',
    'work.escalateTo': 'reviewer',
  });
  const otherOrgId = await api.registerOrg(`other-${orgId.slice(0, 8)}`);
  const outputs = { 'summary.text': 'SUMMARISE THE REPORT', $by: 5 };
  let refused: unknown;
  const worker = (price: number) => ({
    onCallForProposals: () => ({ price, etaSeconds: 60 }),
    onTask: async (_task: unknown, context: { progress(p: number, m?: string): Promise<void>; useTool(t: string, purpose?: string): Promise<void> }) => {
      try {
        await context.useTool('web.search', 'look it up');
      } catch (error) {
        refused = error;
      }
      await context.useTool('text.summarise');
      await context.progress(50, 'halfway');
      return outputs;
    },
  });
  const cheap = await workAgent(server, { orgId, name: 'Cheap', capabilities: { summarise: 3 }, handlers: worker(5) });
  const dear = await workAgent(server, { orgId, name: 'Dear', capabilities: { summarise: 3 }, handlers: worker(10) });
  const unqualified = await workAgent(server, { orgId, name: 'Unqualified', capabilities: {}, handlers: worker(1) });
  const outsider = await api.subjectWithKey('Outsider');

  const deadline = new Date(Date.now() + 120_000).toISOString();
  const jobId = await submitJob(server, orgId, { goal: 'summarise the report', requiredCapabilities: [{ name: 'summarise', level: 2 }], deadline });
  const impossible = { requiredCapabilities: [{ name: 'astrophysics', level: 9 }] };
  const escalatedJobId = await submitJob(server, orgId, { goal: 'map the galaxy', ...impossible });
  await waitForStreamEvent(server, `assignment-${jobId}`, 'CallForProposalsIssued');
  // Not invited (it lacks the capability): recorded and refused with the reasons.
  await unqualified.client.request('propose', { orgId, jobId, round: 1, bid: { price: 1 } });
  await waitForJobEvent(server, jobId, 'JobVerified', 20_000);
  await waitForJobEvent(server, escalatedJobId, 'JobEscalated');

  const cancelledJobId = await submitJob(server, orgId, { goal: 'chart the stars', ...impossible });
  await waitForJobEvent(server, cancelledJobId, 'JobEscalated');
  await api.expectStatus(await api.post(`/orgs/${orgId}/jobs/${cancelledJobId}/resolve-escalation`, { resolution: 'cancel', note: 'out of scope' }), 200);

  expect(refused).toBeInstanceOf(AgentRequestError);
  const assigned = required(
    (await streamEvents(server, `job-${jobId}`)).find((event) => event.type === 'JobAssigned'),
    'the job was assigned',
  ).data;
  const contractId = String(assigned.contractId);
  await waitForStreamEvent(server, `contract-${contractId}`, 'ContractFulfilled');
  const delivered = required(
    (await streamEvents(server, `job-${jobId}`)).find((event) => event.type === 'JobDelivered'),
    'the contract was fulfilled, so the job was delivered',
  ).data;
  const taskId = String(delivered.note).replace('delivered by task ', '');
  expect(taskId).toMatch(/^[0-9a-f-]{36}$/);

  return {
    orgId,
    otherOrgId,
    cheap,
    dear,
    unqualified,
    outsider,
    jobId,
    contractId,
    taskId,
    deadline,
    escalatedJobId,
    cancelledJobId,
    outputs,
    async stop() {
      for (const agent of [cheap, dear, unqualified]) await agent.client.stop();
    },
  };
}

/**
 * The flow for the describe block this is called in, run once before its tests (after the server's start) and
 * stopped after them (before the server closes).
 */
export function useWorkReadsFlow(server: TestServer): WorkReadsFlow {
  let flow: WorkReadsFlow | undefined;
  beforeAll(async () => {
    flow = await workReadsFlow(server);
  }, 60_000);
  afterAll(async () => {
    await flow?.stop();
  });
  return lateBound('the work reads flow', () => flow);
}
