import { describe, expect, it } from 'vitest';
import { required } from '../../domain/shared/required.ts';
import { useWorkOrg } from '../support/work-org.ts';
import { streamEvents, submitJob, waitForJobEvent } from '../support/work-fixtures.ts';

const never = <T>() => new Promise<T>(() => undefined);

describe('nobody is waited for forever: an unsigned offer is withdrawn, a missing verdict escalates', () => {
  const work = useWorkOrg({ 'work.signatureTimeoutMs': '300', 'work.verificationTimeoutMs': '300', 'work.escalateTo': 'reviewer' });
  const { server } = work;

  it('withdraws an offer the chosen agent does not sign in time and offers the job to the next candidate', async () => {
    const silent = await work.agent({
      name: 'Never signs',
      capabilities: { translate: 9 },
      handlers: { onAward: () => never(), onTask: async () => ({ by: 'silent' }) },
    });
    const next = await work.agent({ name: 'Signs', capabilities: { translate: 1 }, handlers: { onTask: async () => ({ by: 'next' }) } });
    const jobId = await submitJob(server, work.orgId, { goal: 'translate', requiredCapabilities: [{ name: 'translate', level: 1 }] });
    const delivered = await waitForJobEvent(server, jobId, 'JobDelivered');
    expect(delivered.deliverable).toEqual({ by: 'next' });
    const awards = (await streamEvents(server, `assignment-${jobId}`)).filter((event) => event.type === 'AssignmentAwarded').map((event) => event.data);
    expect(awards.map((award) => award.subjectId)).toEqual([silent.id, next.id]);
    const firstContract = String(required(awards[0], 'the first award').contractId);
    const withdrawn = required(
      (await streamEvents(server, `contract-${firstContract}`)).find((event) => event.type === 'ContractRejected'),
      'the rejection',
    ).data;
    expect(withdrawn).toMatchObject({ party: 'org', reason: 'the assignee did not sign within 300 ms', rejectedBy: { kind: 'system' } });
  });

  it('escalates a delivery whose verifier gives no verdict in time', async () => {
    await work.agent({ name: 'Worker', capabilities: { render: 1 }, handlers: { onTask: async () => ({ rendered: true }) } });
    const mute = await work.agent({ name: 'Mute verifier', role: 'reviewer', handlers: { onVerify: () => never() } });
    const jobId = await submitJob(server, work.orgId, {
      goal: 'render',
      completionMode: 'verified',
      verifierSubjectIds: [mute.id],
      requiredCapabilities: [{ name: 'render', level: 1 }],
    });
    const escalated = await waitForJobEvent(server, jobId, 'JobEscalated');
    expect(escalated).toMatchObject({ from: 'delivered', escalateTo: 'reviewer', reason: 'no verdict on the delivery within 300 ms' });
  });
});
