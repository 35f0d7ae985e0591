import { describe, expect, it } from 'vitest';
import { required } from '../../domain/shared/required.ts';
import { isAppError } from '../../domain/shared/app-error.ts';
import { collect } from '../support/async.ts';
import { governance, ok } from '../support/governance-fixtures.ts';
import { governedPipelineOn, tempStore } from '../support/pipeline.ts';

describe('role cardinality under concurrency', () => {
  it('lets exactly 3 of 50 parallel grants of a role with max 3 succeed, across two processes', async () => {
    const store = tempStore();
    const processes = [governedPipelineOn(store).pipeline, governedPipelineOn(store).pipeline];
    const g = governance(required(processes[0], 'a process'));
    const orgId = await g.registerOrg('busy');
    ok(await g.defineRole(orgId, { name: 'reviewer', maxHolders: 3, assignmentType: 'dynamic_multi_subject' }));
    const subjects = await Promise.all(Array.from({ length: 50 }, (_, n) => g.registerSubject(`agent-${n}`)));

    const results = await Promise.all(subjects.map((subjectId, n) => governance(required(processes[n % 2], 'a process')).grant(orgId, subjectId, 'reviewer')));
    const granted = results.filter((result) => !isAppError(result));
    const refusals = results.filter(isAppError);
    expect(granted).toHaveLength(3);
    expect(refusals).toHaveLength(47);
    for (const refusal of refusals) expect(refusal).toMatchObject({ code: 'ROLE_MAX_HOLDERS' });
    const grantsInLog = (await collect(store.readStream(`roster-${orgId}`))).filter((event) => event.type === 'RoleGranted');
    expect(grantsInLog).toHaveLength(3);
  });
});
