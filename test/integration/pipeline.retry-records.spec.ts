import { describe, expect, it } from 'vitest';
import { orgAggregate } from '../../commands/handlers/org.ts';
import { collect } from '../support/async.ts';
import { admin, commandId, newOrgId, pipelineOn, registerOrg, tempStore } from '../support/pipeline.ts';

describe('completion records of retryable commands', () => {
  it('answers a retried no-op the same, even after later changes, instead of applying it now', async () => {
    const store = tempStore();
    const { pipeline } = pipelineOn(store);
    const orgId = newOrgId();
    await pipeline.execute(orgAggregate, registerOrg(orgId), { commandId: commandId(), principal: admin });
    const noop = { type: 'UpdateOrgMetadata', data: { orgId, description: '' } };
    const key = commandId();
    const first = await pipeline.execute(orgAggregate, noop, { commandId: key, principal: admin, retryable: true });
    expect(first).toMatchObject({ streamRevision: 0n, position: null, events: [], replayed: false });
    await pipeline.execute(orgAggregate, { type: 'UpdateOrgMetadata', data: { orgId, description: 'later' } }, { commandId: commandId(), principal: admin });

    const retried = await pipelineOn(store).pipeline.execute(orgAggregate, noop, { commandId: key, principal: admin, retryable: true });
    expect(retried).toMatchObject({ streamRevision: 0n, position: null, events: [], replayed: true });
    const events = await collect(store.readStream(`org-${orgId}`));
    expect(events.map((event) => event.type)).toEqual(['OrgRegistered', 'OrgMetadataUpdated']);
  });

  it('refuses a key reused for the same command on another stream', async () => {
    const store = tempStore();
    const { pipeline } = pipelineOn(store);
    const [a, b] = [newOrgId(), newOrgId()];
    await pipeline.execute(orgAggregate, registerOrg(a), { commandId: commandId(), principal: admin });
    await pipeline.execute(orgAggregate, registerOrg(b), { commandId: commandId(), principal: admin });
    const key = commandId();
    await pipeline.execute(orgAggregate, { type: 'SuspendOrg', data: { orgId: a, reason: 'x' } }, { commandId: key, principal: admin, retryable: true });
    const other = await pipeline.execute(
      orgAggregate,
      { type: 'SuspendOrg', data: { orgId: b, reason: 'x' } },
      { commandId: key, principal: admin, retryable: true },
    );
    expect(other).toMatchObject({ kind: 'unprocessable', code: 'IDEMPOTENCY_KEY_REUSED' });
    expect(await collect(store.readStream(`org-${b}`))).toHaveLength(1);
  });

  it('writes the record of a command that crashed after its effect when it is retried', async () => {
    const store = tempStore();
    const orgId = newOrgId();
    const key = commandId();
    // No record: the first run was not retryable, as if the process died right after the org append.
    await pipelineOn(store).pipeline.execute(orgAggregate, registerOrg(orgId), { commandId: key, principal: admin });
    const retried = await pipelineOn(store).pipeline.execute(orgAggregate, registerOrg(orgId), { commandId: key, principal: admin, retryable: true });
    expect(retried).toMatchObject({ replayed: true, streamRevision: 0n });
    const [record] = await collect(store.readStream(`command-${key}`));
    expect(record).toMatchObject({ type: 'CommandCompleted', data: { streamId: `org-${orgId}`, streamRevision: '0', noop: false } });
  });
});
