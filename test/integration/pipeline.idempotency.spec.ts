import { describe, expect, it } from 'vitest';
import { isAppError } from '../../domain/shared/app-error.ts';
import { orgAggregate } from '../../commands/handlers/org.ts';
import type { CommandResult } from '../../commands/result.ts';
import { collect } from '../support/async.ts';
import { admin, commandId, newOrgId, pipelineOn, registerOrg, tempStore, tempStorePath } from '../support/pipeline.ts';

const ok = (result: unknown): CommandResult => {
  if (isAppError(result)) throw new Error(`${result.code}: ${result.message}`);
  return result as CommandResult;
};

describe('command idempotency', () => {
  it('answers a repeated command id with the first result and appends nothing', async () => {
    const store = tempStore();
    const { pipeline } = pipelineOn(store);
    const orgId = newOrgId();
    const id = commandId();
    const first = ok(await pipeline.execute(orgAggregate, registerOrg(orgId), { commandId: id, principal: admin }));
    const head = await store.headPosition();
    const again = ok(await pipeline.execute(orgAggregate, registerOrg(orgId), { commandId: id, principal: admin }));
    expect(again).toEqual({ ...first, replayed: true });
    expect(await store.headPosition()).toBe(head);
    expect(await collect(store.readStream(`org-${orgId}`))).toHaveLength(1);
  });

  it('replays after a restart: the answer comes from the log, not from memory', async () => {
    const store = tempStore();
    const orgId = newOrgId();
    const id = commandId();
    const first = ok(await pipelineOn(store).pipeline.execute(orgAggregate, registerOrg(orgId), { commandId: id, principal: admin }));
    const restarted = pipelineOn(store).pipeline;
    const again = ok(await restarted.execute(orgAggregate, registerOrg(orgId), { commandId: id, principal: admin }));
    expect(again).toEqual({ ...first, replayed: true });
  });

  it('runs ten concurrent copies of one command once', async () => {
    const store = tempStore();
    const { pipeline } = pipelineOn(store);
    const orgId = newOrgId();
    await pipeline.execute(orgAggregate, registerOrg(orgId), { commandId: commandId(), principal: admin });
    const id = commandId();
    const update = { type: 'UpdateOrgMetadata', data: { orgId, description: 'once' } };
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, n) => (n % 2 ? pipeline : pipelineOn(store).pipeline).execute(orgAggregate, update, { commandId: id, principal: admin })),
    );
    for (const result of results) expect(ok(result).streamRevision).toBe(1n);
    const events = await collect(store.readStream(`org-${orgId}`));
    expect(events.map((event) => event.type)).toEqual(['OrgRegistered', 'OrgMetadataUpdated']);
  });

  it('recognises a retry whose JSON keys come in another order', async () => {
    const store = tempStore();
    const { pipeline } = pipelineOn(store);
    const orgId = newOrgId();
    const id = commandId();
    await pipeline.execute(orgAggregate, registerOrg(orgId, 'ordered', { metadata: { a: '1', b: '2' } }), { commandId: id, principal: admin });
    const reordered = { data: { metadata: { b: '2', a: '1' }, slug: 'ordered', name: 'Org ordered', orgId }, type: 'RegisterOrg' };
    expect(await pipeline.execute(orgAggregate, reordered, { commandId: id, principal: admin })).toMatchObject({ replayed: true });
  });

  it('refuses a command id reused for a different command', async () => {
    const store = tempStore();
    const { pipeline } = pipelineOn(store);
    const orgId = newOrgId();
    const id = commandId();
    ok(await pipeline.execute(orgAggregate, registerOrg(orgId, 'first-slug'), { commandId: id, principal: admin }));
    const reused = await pipeline.execute(orgAggregate, registerOrg(orgId, 'other-slug'), { commandId: id, principal: admin });
    expect(reused).toMatchObject({ kind: 'unprocessable', code: 'IDEMPOTENCY_KEY_REUSED' });
  });

  it('finishes a registration whose slug was reserved before a crash, when the command is retried', async () => {
    const path = tempStorePath();
    const store = tempStore(path);
    const orgId = newOrgId();
    const id = commandId();
    // The crash: the slug reservation was appended, the org stream was not. Reproduce it by reserving through one
    // pipeline and making the org append fail in that process (the store closes underneath it).
    const { pipeline } = pipelineOn(store);
    const withReservationOnly = await (async () => {
      const original = store.appendToStream.bind(store);
      let calls = 0;
      store.appendToStream = async (...args) => {
        calls += 1;
        if (calls === 2) throw new Error('process died');
        return original(...args);
      };
      return pipeline.execute(orgAggregate, registerOrg(orgId, 'crashy'), { commandId: id, principal: admin }).catch((error: Error) => error);
    })();
    expect(withReservationOnly).toBeInstanceOf(Error);
    await store.close();

    const reopened = tempStore(path);
    const retried = ok(await pipelineOn(reopened).pipeline.execute(orgAggregate, registerOrg(orgId, 'crashy'), { commandId: id, principal: admin }));
    expect(retried.replayed).toBe(false);
    expect(await collect(reopened.readStream('unique-org-slug.crashy'))).toHaveLength(1);
    const other = await pipelineOn(reopened).pipeline.execute(orgAggregate, registerOrg(newOrgId(), 'crashy'), { commandId: commandId(), principal: admin });
    expect(other).toMatchObject({ code: 'SLUG_TAKEN' });
  });
});
