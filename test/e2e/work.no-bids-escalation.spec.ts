import { beforeAll, describe, expect, it } from 'vitest';
import { useWorkOrg } from '../support/work-org.ts';
import { apiClient } from './api.client.ts';
import { streamEvents, submitJob, waitForJobEvent, waitForStreamEvent, type TestAgent } from '../support/work-fixtures.ts';

describe('an auction nobody bids on: rounds retried, then escalated; reassigning starts over', () => {
  // A short window while nobody bids (the rounds must fail quickly); a long one once the agent is willing, so its bid
  // (through the gateway, the policy and an append) is in time on a loaded machine: with 150 ms it sometimes was not.
  const settings = { 'work.assignmentStrategy': 'auction', 'work.bidWindowMs': '150', 'work.maxRounds': '2' };
  const work = useWorkOrg(settings);
  const { server } = work;
  let shy: TestAgent;
  let willing = false;

  beforeAll(async () => {
    shy = await work.agent({
      name: 'Shy',
      capabilities: { summarise: 2 },
      handlers: { onCallForProposals: () => (willing ? { price: 3 } : null), onTask: async () => ({ done: true }) },
    });
  });

  it('fails each round for want of bids, escalates the job to the owner, and assigns it after a reassign', async () => {
    const jobId = await submitJob(server, work.orgId, { goal: 'nobody wants this' });
    const escalated = await waitForJobEvent(server, jobId, 'JobEscalated');
    expect(escalated).toMatchObject({ escalateTo: 'owner', from: 'contracting' });

    const assignment = await streamEvents(server, `assignment-${jobId}`);
    const failures = assignment.filter((event) => event.type === 'AssignmentRoundFailed').map((event) => event.data);
    expect(failures).toEqual([expect.objectContaining({ round: 1, reason: 'no_valid_bids' }), expect.objectContaining({ round: 2, reason: 'no_valid_bids' })]);
    expect(assignment.filter((event) => event.type === 'AssignmentEscalated')).toHaveLength(1);
    expect(assignment.some((event) => event.type === 'AssignmentAwarded')).toBe(false);

    willing = true;
    const api = apiClient(server);
    const widened = await api.post(`/orgs/${work.orgId}/metadata`, { metadata: { ...settings, 'work.bidWindowMs': '5000' } });
    expect(widened.statusCode, widened.body).toBe(200);
    const resolved = await api.post(`/orgs/${work.orgId}/jobs/${jobId}/resolve-escalation`, { resolution: 'reassign', note: 'try again' });
    expect(resolved.statusCode, resolved.body).toBe(200);
    await waitForJobEvent(server, jobId, 'JobVerified');
    const restarted = await waitForStreamEvent(server, `assignment-${jobId}`, 'AssignmentAwarded');
    expect(restarted).toMatchObject({ subjectId: shy.id, round: 3 });
  });
});
