import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useWorkOrg } from '../support/work-org.ts';
import { apiClient } from './api.client.ts';
import { escalatedAtWorkThenResolved, streamEvents, submitJob, waitForJobEvent, waitForStreamEvent, type TestAgent } from '../support/work-fixtures.ts';

describe('a missed deadline: breach recorded, job escalated, escalation resolved by extending', () => {
  const work = useWorkOrg({ 'work.assignmentStrategy': 'criteria', 'work.escalateTo': 'reviewer' });
  const { server } = work;
  let slow: TestAgent;
  let finish: () => void = () => undefined;

  beforeAll(async () => {
    const finished = new Promise<void>((resolve) => (finish = resolve));
    slow = await work.agent({
      name: 'Slow',
      capabilities: { summarise: 2 },
      handlers: {
        onTask: async () => {
          await finished;
          return { summary: 'late but done' };
        },
      },
    });
  });
  afterAll(async () => {
    finish();
    await slow?.client.stop();
  });

  it('records the breach against the obligation, escalates to the configured role, and resumes on extend', async () => {
    const api = apiClient(server);
    const jobId = await submitJob(server, work.orgId, { goal: 'summarise in a hurry', deadline: new Date(Date.now() + 1_500).toISOString() });
    const assigned = await waitForJobEvent(server, jobId, 'JobAssigned');
    const contractId = assigned.contractId as string;

    const breach = await waitForStreamEvent(server, `contract-${contractId}`, 'ContractBreached', 10_000);
    expect(breach).toMatchObject({ kind: 'deadline_missed', clause: 'obligations.delivery', escalateTo: 'reviewer' });
    const escalated = await waitForJobEvent(server, jobId, 'JobEscalated');
    expect(escalated).toMatchObject({ escalateTo: 'reviewer', from: 'in_progress', escalatedBy: { kind: 'system' } });
    expect(String(escalated.reason)).toContain('missed deadline');

    const newDeadline = new Date(Date.now() + 60_000).toISOString();
    const resolved = await api.post(`/orgs/${work.orgId}/jobs/${jobId}/resolve-escalation`, {
      resolution: 'extend',
      deadline: newDeadline,
      note: 'one more minute',
    });
    expect(resolved.statusCode, resolved.body).toBe(200);
    const extended = await waitForStreamEvent(server, `contract-${contractId}`, 'ObligationExtended');
    expect(extended).toMatchObject({ obligationId: 'delivery', dueAt: newDeadline });

    finish();
    await waitForJobEvent(server, jobId, 'JobVerified');
    const job = (await streamEvents(server, `job-${jobId}`)).map((event) => event.type);
    expect(job).toEqual([...escalatedAtWorkThenResolved, 'JobDelivered', 'JobVerified']);
    // One breach only: the extended obligation was met, and the first timer found the obligation moved.
    const contract = await streamEvents(server, `contract-${contractId}`);
    expect(contract.filter((event) => event.type === 'ContractBreached')).toHaveLength(1);
  });
});
