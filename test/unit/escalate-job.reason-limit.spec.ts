import { describe, expect, it } from 'vitest';
import { jobCommandSchema } from '../../domain/job/commands.ts';
import { escalateJob } from '../../processes/work/escalate-job.ts';

const job = { jobId: '7f1c2a9e-3b4d-4e5f-8a6b-1c2d3e4f5a6b', orgId: '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d' };

describe('the escalation step of a work saga', () => {
  it('cuts a reason longer than a job takes, so the escalation is not refused for its length', () => {
    const step = escalateJob(job, { reason: 'x'.repeat(1500), escalateTo: 'owner', commandId: 'escalate-1' });
    const { aggregate: _aggregate, ...command } = step.command;
    const parsed = jobCommandSchema.safeParse(command);
    expect(parsed.success).toBe(true);
    expect(step.command.data).toMatchObject({ jobId: job.jobId, orgId: job.orgId, escalateTo: 'owner' });
    expect(step.command.type === 'EscalateJob' && step.command.data.reason).toBe('x'.repeat(1000));
    expect(step.commandId).toBe('escalate-1');
  });

  it('keeps a reason within the limit as it is', () => {
    const step = escalateJob(job, { reason: 'no verdict in time', escalateTo: 'reviewer', commandId: 'escalate-2' });
    expect(step.command.data).toEqual({ jobId: job.jobId, orgId: job.orgId, reason: 'no verdict in time', escalateTo: 'reviewer' });
  });
});
