import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { recogniseCommand } from '../../commands/audit/governed-aggregates.ts';

describe('recorded commands, recognised for replay', () => {
  const orgId = randomUUID();

  it('finds the aggregate whose schema takes the command and whose stream is the recorded one', () => {
    const grant = { type: 'GrantRole', data: { orgId, associationId: randomUUID(), subjectId: randomUUID(), role: 'reviewer' } };
    expect(recogniseCommand(grant, `roster-${orgId}`)).toMatchObject({ aggregate: 'roster', streamId: `roster-${orgId}`, contextNotInLog: null });
    // The same command recorded on another stream is not that aggregate's: nothing is guessed.
    expect(recogniseCommand(grant, `org-${orgId}`)).toBeNull();
    expect(recogniseCommand({ type: 'Nonsense', data: {} }, `roster-${orgId}`)).toBeNull();
  });

  it('says when a decision context is not in the log: a job submission is decided on a read model count', () => {
    const jobId = randomUUID();
    const submit = { type: 'SubmitJob', data: { jobId, orgId, goal: 'Summarise', completionMode: 'single' } };
    expect(recogniseCommand(submit, `job-${jobId}`)?.contextNotInLog).toMatch(/read model/);
  });
});
