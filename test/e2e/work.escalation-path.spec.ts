import { beforeAll, describe, expect, it } from 'vitest';
import { useWorkOrg } from '../support/work-org.ts';
import { streamEvents, submitJob, waitForJobEvent } from '../support/work-fixtures.ts';

describe('the escalation path: the role first, then the org owner', () => {
  const work = useWorkOrg({ 'work.escalateTo': 'reviewer', 'work.escalationTimeoutMs': '300' });
  const { server } = work;

  beforeAll(async () => {
    await work.agent({
      name: 'Stuck',
      capabilities: { summarise: 1 },
      handlers: { onTask: (_task, context) => new Promise((resolve) => context.signal.addEventListener('abort', () => resolve({ aborted: true }))) },
    });
  });

  it('raises an escalation nobody resolved in time to the owner, once', async () => {
    const jobId = await submitJob(server, work.orgId, { goal: 'will be late', deadline: new Date(Date.now() + 1_000).toISOString() });
    const escalated = await waitForJobEvent(server, jobId, 'JobEscalated');
    expect(escalated.escalateTo).toBe('reviewer');
    const raised = await waitForJobEvent(server, jobId, 'JobEscalationRaised');
    expect(raised).toMatchObject({ escalateTo: 'owner', previousEscalateTo: 'reviewer', raisedBy: { kind: 'system' } });
    expect(String(raised.reason)).toContain('not resolved within 300 ms');
    await new Promise((resolve) => setTimeout(resolve, 500)); // a fixed wait: no second raise may follow within it
    expect((await streamEvents(server, `job-${jobId}`)).filter((event) => event.type === 'JobEscalationRaised')).toHaveLength(1);
  });
});
