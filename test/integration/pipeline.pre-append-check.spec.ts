import { describe, expect, it } from 'vitest';
import { required } from '../../domain/shared/required.ts';
import { appError } from '../../domain/shared/app-error.ts';
import { orgAggregate } from '../../commands/handlers/org.ts';
import type { PreAppendCheck, PreAppendInput } from '../../commands/pre-append-check.ts';
import { collect } from '../support/async.ts';
import { admin, commandId, newOrgId, pipelineOn, registerOrg, tempStore } from '../support/pipeline.ts';

describe('the pre-append check', () => {
  it('sees the action, org, principal and current stream state before every decision', async () => {
    const store = tempStore();
    const seen: PreAppendInput[] = [];
    const check: PreAppendCheck = async (input) => {
      seen.push(input);
      return { allowed: true };
    };
    const { pipeline } = pipelineOn(store, { check });
    const orgId = newOrgId();
    await pipeline.execute(orgAggregate, registerOrg(orgId), { commandId: commandId(), principal: admin });
    await pipeline.execute(orgAggregate, { type: 'SuspendOrg', data: { orgId, reason: 'r' } }, { commandId: commandId(), principal: admin });
    expect(seen.map((input) => [input.action, input.orgId, input.principal.id, input.streamRevision])).toEqual([
      ['org.register', orgId, admin.id, -1n],
      ['org.suspend', orgId, admin.id, 0n],
    ]);
    expect(required(seen[1], 'the second check').state).toMatchObject({ orgId, status: 'active' });
  });

  it('stops a denied command before anything is appended', async () => {
    const store = tempStore();
    const check: PreAppendCheck = async ({ action }) => ({ allowed: false, error: appError('forbidden', 'FORBIDDEN', `no ${action}`) });
    const { pipeline } = pipelineOn(store, { check });
    const result = await pipeline.execute(orgAggregate, registerOrg(newOrgId()), { commandId: commandId(), principal: admin });
    expect(result).toMatchObject({ kind: 'forbidden', code: 'FORBIDDEN', message: 'no org.register' });
    expect(await store.headPosition()).toBe(0n);
  });

  it('denies by default: a non-admin principal changes nothing until policies say otherwise', async () => {
    const store = tempStore();
    const { pipeline } = pipelineOn(store);
    const result = await pipeline.execute(orgAggregate, registerOrg(newOrgId()), { commandId: commandId(), principal: { id: 'agent-7', kind: 'subject' } });
    expect(result).toMatchObject({ code: 'FORBIDDEN' });
    expect(await store.headPosition()).toBe(0n);
  });

  it("appends the check's own events atomically with the command's, stamped with its decision id", async () => {
    const store = tempStore();
    const orgId = newOrgId();
    const check: PreAppendCheck = async () => ({
      allowed: true,
      decisionId: 'decision-1',
      events: [{ type: 'OrgMetadataUpdated', data: { orgId, changes: { description: 'stamped by the check' } } }],
    });
    const { pipeline } = pipelineOn(store, { check });
    const result = await pipeline.execute(orgAggregate, registerOrg(orgId), { commandId: commandId(), principal: admin });
    expect(result).toMatchObject({ streamRevision: 1n });
    const events = await collect(store.readStream(`org-${orgId}`));
    // The check's events (the decision record) come first: the decision precedes the change it permits.
    expect(events.map((event) => [event.type, event.metadata.decisionId])).toEqual([
      ['OrgMetadataUpdated', 'decision-1'],
      ['OrgRegistered', 'decision-1'],
    ]);
  });
});
