import { afterEach, describe, expect, it } from 'vitest';
import { AgentClient } from '../../api/agent-client/index.ts';
import { tempStorePath } from '../support/pipeline.ts';
import { startTestServer } from '../support/server.ts';
import { streamEvents, submitJob, waitForJobEvent, waitForStreamEvent, workAgent, workOrg } from '../support/work-fixtures.ts';

describe('the work sagas resume after a restart, and nothing is done twice', () => {
  const cleanup: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const step of cleanup.reverse()) await step();
    cleanup.length = 0;
  });

  it('closes an auction whose deadline passed while the platform was down, awarding it once', async () => {
    const path = tempStorePath();
    const first = await startTestServer({ path });
    const orgId = await workOrg(first, { 'work.assignmentStrategy': 'auction', 'work.bidWindowMs': '1500' });
    const handlers = { onCallForProposals: () => ({ price: 7 }), onTask: async () => ({ ok: true }) };
    const bidder = await workAgent(first, { orgId, name: 'Bidder', capabilities: { summarise: 1 }, handlers });
    const jobId = await submitJob(first, orgId, { goal: 'survive a restart' });
    await waitForStreamEvent(first, `assignment-${jobId}`, 'ProposalRecorded');
    await bidder.client.stop();
    await first.close();

    await new Promise((resolve) => setTimeout(resolve, 1_600)); // the bid deadline passes while nothing runs
    const second = await startTestServer({ path });
    const again = new AgentClient({ bus: second.platform.bus, subjectId: bidder.id, apiKey: bidder.key }, handlers);
    await again.start();
    cleanup.push(async () => {
      await again.stop();
      await second.close();
    });

    await waitForJobEvent(second, jobId, 'JobVerified', 15_000);
    const assignment = await streamEvents(second, `assignment-${jobId}`);
    expect(assignment.filter((event) => event.type === 'AssignmentAwarded')).toHaveLength(1);
    expect(assignment.filter((event) => event.type === 'CallForProposalsIssued')).toHaveLength(1);
    expect(assignment.filter((event) => event.type === 'ProposalRecorded')).toHaveLength(1);
    const job = await streamEvents(second, `job-${jobId}`);
    expect(job.filter((event) => event.type === 'JobAssigned')).toHaveLength(1);
  });

  it('retries a task whose agent went silent across a restart, under the same single assignment', async () => {
    const path = tempStorePath();
    const first = await startTestServer({ path });
    const orgId = await workOrg(first, { 'work.assignmentStrategy': 'criteria', 'work.taskHeartbeatMs': '1000', 'work.retryBackoffMs': '50' });
    let started!: () => void;
    const taskStarted = new Promise<void>((resolve) => (started = resolve));
    const stuck = await workAgent(first, {
      orgId,
      name: 'Worker',
      capabilities: { summarise: 1 },
      handlers: {
        onTask: async (_task, context) => {
          started();
          await new Promise((resolve) => context.signal.addEventListener('abort', resolve)); // works until stopped
          return { never: true };
        },
      },
    });
    const jobId = await submitJob(first, orgId, { goal: 'finish after a restart' });
    await taskStarted;
    await stuck.client.stop();
    await first.close();

    const second = await startTestServer({ path });
    const fresh = new AgentClient(
      { bus: second.platform.bus, subjectId: stuck.id, apiKey: stuck.key },
      { onTask: async (task) => ({ attempt: task.attempt }) },
    );
    await fresh.start();
    cleanup.push(async () => {
      await fresh.stop();
      await second.close();
    });

    const delivered = await waitForJobEvent(second, jobId, 'JobDelivered', 15_000);
    expect(delivered.deliverable).toEqual({ attempt: 2 });
    const assigned = (await streamEvents(second, `job-${jobId}`)).filter((event) => event.type === 'JobAssigned');
    expect(assigned).toHaveLength(1);
    const task = await streamEvents(second, `task-${String(delivered.note).replace('delivered by task ', '')}`);
    expect(task.map((event) => event.type)).toEqual([
      'TaskCreated',
      'TaskDispatched',
      'TaskProgressReported',
      'TaskAttemptFailed',
      'TaskDispatched',
      'TaskProgressReported',
      'TaskCompleted',
    ]);
    expect(task.find((event) => event.type === 'TaskAttemptFailed')?.data).toMatchObject({
      attempt: 1,
      willRetry: true,
      reason: 'no heartbeat for 1000 ms',
      failedBy: { kind: 'system' },
    });
  });
});
