import { beforeAll, describe, expect, it } from 'vitest';
import { required } from '../../domain/shared/required.ts';
import { useWorkOrg } from '../support/work-org.ts';
import { streamEvents, submitJob, waitForJobEvent, type TestAgent } from '../support/work-fixtures.ts';

describe('criteria assignment when the best candidate refuses the contract', () => {
  const work = useWorkOrg({ 'work.assignmentStrategy': 'criteria' });
  const { server } = work;
  let expert: TestAgent;
  let novice: TestAgent;

  beforeAll(async () => {
    expert = await work.agent({
      name: 'Expert',
      capabilities: { summarise: 5 },
      handlers: { onAward: () => ({ sign: false, reason: 'fully booked' }), onTask: async () => ({ by: 'expert' }) },
    });
    novice = await work.agent({ name: 'Novice', capabilities: { summarise: 2 }, handlers: { onTask: async () => ({ by: 'novice' }) } });
  });

  it('offers the job to the highest score first, then, after the refusal, to the next without the refuser', async () => {
    const jobId = await submitJob(server, work.orgId, { goal: 'summarise', requiredCapabilities: [{ name: 'summarise', level: 1 }] });
    const delivered = await waitForJobEvent(server, jobId, 'JobDelivered');
    expect(delivered.deliverable).toEqual({ by: 'novice' });

    const assignment = await streamEvents(server, `assignment-${jobId}`);
    const awards = assignment.filter((event) => event.type === 'AssignmentAwarded').map((event) => event.data);
    expect(awards.map((award) => award.subjectId)).toEqual([expert.id, novice.id]);
    const firstAward = required(awards[0], 'the first award');
    expect(String(firstAward.basis)).toContain('highest score 50');
    expect(assignment.find((event) => event.type === 'AssignmentRoundFailed')?.data).toMatchObject({ round: 1, reason: 'contract_rejected' });
    const secondRound = required(assignment.filter((event) => event.type === 'CandidatesAssessed')[1], 'the second assessment').data.candidates as Array<{
      subjectId: string;
      eligible: boolean;
      reasons: string[];
    }>;
    expect(secondRound.find((candidate) => candidate.subjectId === expert.id)).toMatchObject({ eligible: false, reasons: ['refused or lost this job before'] });

    const rejected = (await streamEvents(server, `contract-${firstAward.contractId}`)).map((event) => event.type);
    expect(rejected).toEqual(['ContractDrafted', 'ContractSigned', 'ContractRejected']);
    expect((await streamEvents(server, `job-${jobId}`)).filter((event) => event.type === 'JobAssigned')).toHaveLength(1);
  });
});
