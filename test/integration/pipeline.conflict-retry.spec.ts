import { describe, expect, it } from 'vitest';
import { required } from '../../domain/shared/required.ts';
import { isAppError } from '../../domain/shared/app-error.ts';
import { orgAggregate } from '../../commands/handlers/org.ts';
import { collect } from '../support/async.ts';
import { admin, commandId, newOrgId, pipelineOn, registerOrg, tempStore } from '../support/pipeline.ts';

describe('optimistic concurrency in the pipeline', () => {
  it('retries on a conflict: 20 concurrent updates from two processes all land, none lost', async () => {
    const store = tempStore();
    const processes = [pipelineOn(store).pipeline, pipelineOn(store).pipeline];
    const orgId = newOrgId();
    await required(processes[0], 'a process').execute(orgAggregate, registerOrg(orgId), { commandId: commandId(), principal: admin });
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, n) =>
        required(processes[n % 2], 'a process').execute(
          orgAggregate,
          { type: 'UpdateOrgMetadata', data: { orgId, description: `d${n}` } },
          { commandId: commandId(), principal: admin },
        ),
      ),
    );
    expect(results.filter(isAppError)).toEqual([]);
    const events = await collect(store.readStream(`org-${orgId}`));
    expect(events).toHaveLength(21);
    expect(new Set(events.slice(1).map((event) => (event.data.changes as { description: string }).description)).size).toBe(20);
  });

  it('decides on the latest state even when its cache is stale', async () => {
    const store = tempStore();
    const a = pipelineOn(store).pipeline;
    const b = pipelineOn(store).pipeline;
    const orgId = newOrgId();
    await a.execute(orgAggregate, registerOrg(orgId), { commandId: commandId(), principal: admin });
    await b.execute(orgAggregate, { type: 'UpdateOrgMetadata', data: { orgId, name: 'Warm cache' } }, { commandId: commandId(), principal: admin });
    await a.execute(orgAggregate, { type: 'ArchiveOrg', data: { orgId, reason: 'closed' } }, { commandId: commandId(), principal: admin });
    const refused = await b.execute(orgAggregate, { type: 'SuspendOrg', data: { orgId, reason: 'late' } }, { commandId: commandId(), principal: admin });
    expect(refused).toMatchObject({ code: 'ILLEGAL_TRANSITION', details: { status: 'archived' } });
  });

  it('gives up after the bounded number of attempts with CONCURRENCY_CONFLICT', async () => {
    const store = tempStore();
    const orgId = newOrgId();
    await pipelineOn(store).pipeline.execute(orgAggregate, registerOrg(orgId), { commandId: commandId(), principal: admin });
    const impatient = Array.from({ length: 10 }, () => pipelineOn(store, { maxAttempts: 1 }).pipeline);
    const results = await Promise.all(
      impatient.map((pipeline, n) =>
        pipeline.execute(orgAggregate, { type: 'UpdateOrgMetadata', data: { orgId, description: `x${n}` } }, { commandId: commandId(), principal: admin }),
      ),
    );
    const conflicts = results.filter(isAppError);
    expect(conflicts.length).toBeGreaterThan(0);
    for (const conflict of conflicts) expect(conflict).toMatchObject({ kind: 'conflict', code: 'CONCURRENCY_CONFLICT', details: { attempts: 1 } });
    const events = await collect(store.readStream(`org-${orgId}`));
    expect(events).toHaveLength(1 + results.length - conflicts.length);
  });

  it("honours the client's expected revision and reports a stale one instead of retrying", async () => {
    const store = tempStore();
    const { pipeline } = pipelineOn(store);
    const orgId = newOrgId();
    await pipeline.execute(orgAggregate, registerOrg(orgId), { commandId: commandId(), principal: admin });
    const update = (description: string) => ({ type: 'UpdateOrgMetadata', data: { orgId, description } });
    const applied = await pipeline.execute(orgAggregate, update('one'), { commandId: commandId(), principal: admin, expectedRevision: 0n });
    expect(applied).toMatchObject({ streamRevision: 1n });
    const stale = await pipeline.execute(orgAggregate, update('two'), { commandId: commandId(), principal: admin, expectedRevision: 0n });
    expect(stale).toMatchObject({ kind: 'precondition_failed', code: 'REVISION_MISMATCH', details: { expectedRevision: '0', actualRevision: '1' } });
    expect(await collect(store.readStream(`org-${orgId}`))).toHaveLength(2);
  });
});
