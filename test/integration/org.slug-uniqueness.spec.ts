import { describe, expect, it } from 'vitest';
import { required } from '../../domain/shared/required.ts';
import { isAppError } from '../../domain/shared/app-error.ts';
import { orgAggregate } from '../../commands/handlers/org.ts';
import { collect } from '../support/async.ts';
import { admin, commandId, newOrgId, pipelineOn, registerOrg, tempStore } from '../support/pipeline.ts';

describe('org slug uniqueness', () => {
  it('lets exactly one of 50 concurrent registrations of the same slug win, across processes', async () => {
    const store = tempStore();
    const processes = [pipelineOn(store).pipeline, pipelineOn(store).pipeline, pipelineOn(store).pipeline];
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, n) =>
        required(processes[n % 3], 'a process').execute(orgAggregate, registerOrg(newOrgId(), 'contested'), { commandId: commandId(), principal: admin }),
      ),
    );
    const winners = results.filter((result) => !isAppError(result));
    const losers = results.filter(isAppError);
    expect(winners).toHaveLength(1);
    expect(losers).toHaveLength(49);
    for (const loser of losers) expect(loser).toMatchObject({ kind: 'conflict', code: 'SLUG_TAKEN', details: { key: 'contested' } });
    const registered = await collect(store.readAll({ filter: { eventTypes: ['OrgRegistered'] } }));
    expect(registered).toHaveLength(1);
  });

  it('keeps a slug taken after its org is archived', async () => {
    const store = tempStore();
    const { pipeline } = pipelineOn(store);
    const orgId = newOrgId();
    await pipeline.execute(orgAggregate, registerOrg(orgId, 'kept'), { commandId: commandId(), principal: admin });
    await pipeline.execute(orgAggregate, { type: 'ArchiveOrg', data: { orgId, reason: 'done' } }, { commandId: commandId(), principal: admin });
    const reuse = await pipeline.execute(orgAggregate, registerOrg(newOrgId(), 'kept'), { commandId: commandId(), principal: admin });
    expect(reuse).toMatchObject({ code: 'SLUG_TAKEN' });
  });

  it('does not reserve the slug of a command the decider refused', async () => {
    const store = tempStore();
    const { pipeline } = pipelineOn(store);
    const refused = await pipeline.execute(orgAggregate, registerOrg(newOrgId(), 'orphan', { parentOrgId: newOrgId() }), {
      commandId: commandId(),
      principal: admin,
    });
    expect(refused).toMatchObject({ code: 'PARENT_ORG_NOT_FOUND' });
    const later = await pipeline.execute(orgAggregate, registerOrg(newOrgId(), 'orphan'), { commandId: commandId(), principal: admin });
    expect(isAppError(later)).toBe(false);
  });
});
