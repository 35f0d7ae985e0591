import { describe, expect, it } from 'vitest';
import { isAppError } from '../../domain/shared/app-error.ts';
import { orgAggregate } from '../../commands/handlers/org.ts';
import { orgDecider } from '../../domain/org/decider.ts';
import type { SqliteEventStore } from '../../infra/eventstore/sqlite.ts';
import { collect } from '../support/async.ts';
import { admin, commandId, newOrgId, pipelineOn, registerOrg, tempStore } from '../support/pipeline.ts';

/** Makes the process "die" between the slug claim and the org append: the org append fails, the claim stays. */
async function crashAfterClaim(store: SqliteEventStore, orgId: string, slug: string, key: string) {
  const original = store.appendToStream.bind(store);
  store.appendToStream = async (streamId, events, options) => {
    if (streamId.startsWith('org-')) throw new Error('process died');
    return original(streamId, events, options);
  };
  const outcome = await pipelineOn(store)
    .pipeline.execute(orgAggregate, registerOrg(orgId, slug), { commandId: key, principal: admin })
    .catch((error: Error) => error);
  store.appendToStream = original;
  expect(outcome).toBeInstanceOf(Error);
}

describe('a slug claimed by a registration that never completed', () => {
  it('stays taken while its lease runs', async () => {
    const store = tempStore();
    await crashAfterClaim(store, newOrgId(), 'stuck', commandId());
    const other = await pipelineOn(store).pipeline.execute(orgAggregate, registerOrg(newOrgId(), 'stuck'), { commandId: commandId(), principal: admin });
    expect(other).toMatchObject({ code: 'SLUG_TAKEN' });
  });

  it('is handed to a new registration once the lease has passed, and the crashed one can never complete', async () => {
    const store = tempStore();
    const abandonedOrg = newOrgId();
    const abandonedKey = commandId();
    await crashAfterClaim(store, abandonedOrg, 'reclaimed', abandonedKey);

    const { pipeline, loader } = pipelineOn(store, { reservationLeaseMs: 0 });
    const winner = newOrgId();
    const result = await pipeline.execute(orgAggregate, registerOrg(winner, 'reclaimed'), { commandId: commandId(), principal: admin });
    expect(isAppError(result)).toBe(false);

    const late = await pipelineOn(store, { reservationLeaseMs: 0 }).pipeline.execute(orgAggregate, registerOrg(abandonedOrg, 'reclaimed'), {
      commandId: abandonedKey,
      principal: admin,
    });
    expect(late).toMatchObject({ code: 'STREAM_FENCED' });
    expect((await loader.load(orgDecider, `org-${abandonedOrg}`)).state).toBeNull();

    const registered = await collect(store.readAll({ filter: { eventTypes: ['OrgRegistered'] } }));
    expect(registered.map((event) => event.data.orgId)).toEqual([winner]);
    const claims = await collect(store.readStream('unique-org-slug.reclaimed'));
    expect(claims.map((event) => event.data.ownerStreamId)).toEqual([`org-${abandonedOrg}`, `org-${winner}`]);
  });

  it('is never taken from an org that was registered, however old the claim', async () => {
    const store = tempStore();
    const { pipeline } = pipelineOn(store, { reservationLeaseMs: 0 });
    await pipeline.execute(orgAggregate, registerOrg(newOrgId(), 'owned'), { commandId: commandId(), principal: admin });
    const other = await pipeline.execute(orgAggregate, registerOrg(newOrgId(), 'owned'), { commandId: commandId(), principal: admin });
    expect(other).toMatchObject({ code: 'SLUG_TAKEN' });
  });
});

describe('a slug claimed by a registration that lost the race for its org id', () => {
  it('is handed over after the lease, since its command can never complete', async () => {
    const store = tempStore();
    const { pipeline } = pipelineOn(store, { reservationLeaseMs: 0 });
    const orgId = newOrgId();
    // Two registrations of one org id with different slugs, each claiming its slug: one creates the org.
    const [first, second] = await Promise.all([
      pipelineOn(store).pipeline.execute(orgAggregate, registerOrg(orgId, 'alpha'), { commandId: commandId(), principal: admin }),
      pipelineOn(store).pipeline.execute(orgAggregate, registerOrg(orgId, 'beta'), { commandId: commandId(), principal: admin }),
    ]);
    const lost = [first, second].find(isAppError);
    expect(lost).toMatchObject({ code: 'ORG_ALREADY_EXISTS' });
    const lostSlug = first === lost ? 'alpha' : 'beta';
    const later = await pipeline.execute(orgAggregate, registerOrg(newOrgId(), lostSlug), { commandId: commandId(), principal: admin });
    expect(isAppError(later)).toBe(false);
  });
});
