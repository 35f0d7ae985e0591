import { describe, expect, it } from 'vitest';
import { required } from '../../domain/shared/required.ts';
import { useWorkOrg } from '../support/work-org.ts';
import { apiClient } from './api.client.ts';
import { streamEvents, submitJob, waitForJobEvent, waitForStreamEvent, escalatedAtWorkThenResolved } from '../support/work-fixtures.ts';

describe('reassignment when the assignee is suspended or keeps failing', () => {
  const work = useWorkOrg({ 'work.assignmentStrategy': 'criteria', 'work.taskMaxAttempts': '2', 'work.retryBackoffMs': '20' });
  const { server } = work;

  it('moves the job of a suspended assignee to the next candidate, terminating the old contract', async () => {
    let started!: () => void;
    const working = new Promise<void>((resolve) => (started = resolve));
    const first = await work.agent({
      name: 'Soon suspended',
      capabilities: { audit: 5 },
      handlers: {
        onTask: (_task, context) => {
          started();
          return new Promise((resolve) => context.signal.addEventListener('abort', () => resolve({ aborted: true })));
        },
      },
    });
    await work.agent({ name: 'Standby', capabilities: { audit: 1 }, handlers: { onTask: async () => ({ audited: true }) } });
    const jobId = await submitJob(server, work.orgId, { goal: 'audit the books', requiredCapabilities: [{ name: 'audit', level: 1 }] });
    const assigned = await waitForJobEvent(server, jobId, 'JobAssigned');
    expect(assigned.assigneeSubjectId).toBe(first.id);
    await working;

    const api = apiClient(server);
    const suspended = await api.post(`/subjects/${first.id}/suspend`, { reason: 'misbehaving' });
    expect(suspended.statusCode, suspended.body).toBe(200);

    const delivered = await waitForJobEvent(server, jobId, 'JobDelivered');
    expect(delivered.deliverable).toEqual({ audited: true });
    await waitForJobEvent(server, jobId, 'JobVerified');
    const job = (await streamEvents(server, `job-${jobId}`)).map((event) => event.type);
    expect(job).toEqual([...escalatedAtWorkThenResolved, 'JobAssigned', 'JobWorkStarted', 'JobDelivered', 'JobVerified']);
    const terminated = await waitForStreamEvent(server, `contract-${String(assigned.contractId)}`, 'ContractTerminated');
    expect(String(terminated.reason)).toContain('contracting');
  });

  it('moves the job of an agent whose every attempt fails to another agent', async () => {
    const failing = await work.agent({
      name: 'Always fails',
      capabilities: { render: 5 },
      handlers: {
        onTask: async () => {
          throw new Error('renderer crashed');
        },
      },
    });
    const steady = await work.agent({ name: 'Steady', capabilities: { render: 1 }, handlers: { onTask: async () => ({ rendered: true }) } });
    const jobId = await submitJob(server, work.orgId, { goal: 'render the chart', requiredCapabilities: [{ name: 'render', level: 1 }] });
    const delivered = await waitForJobEvent(server, jobId, 'JobDelivered');
    expect(delivered.deliverable).toEqual({ rendered: true });
    const escalated = required(
      (await streamEvents(server, `job-${jobId}`)).find((event) => event.type === 'JobEscalated'),
      'the escalation',
    );
    expect(String(escalated.data.reason)).toContain('task failed after 2 attempt(s): renderer crashed');
    const assignees = (await streamEvents(server, `job-${jobId}`)).filter((event) => event.type === 'JobAssigned').map((event) => event.data.assigneeSubjectId);
    expect(assignees).toEqual([failing.id, steady.id]);
  });
});
