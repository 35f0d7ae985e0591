import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { required } from '../../domain/shared/required.ts';
import { rosterAggregate } from '../../commands/handlers/roster.ts';
import type { DecisionRecordedData } from '../../domain/policy/decision-events.ts';
import type { EventStore, ReadStreamOptions, RecordedEvent } from '../../infra/eventstore/port.ts';
import { collect } from '../support/async.ts';
import { governance, ok } from '../support/governance-fixtures.ts';
import { admin, governedPipelineOn, tempStore } from '../support/pipeline.ts';

/** The same store, with a hook that runs (once) before the first read of a given stream: another process acting mid-command. */
function interleaved(store: EventStore, streamId: string, hook: () => Promise<void>): EventStore {
  let pending: (() => Promise<void>) | null = hook;
  return {
    appendToStream: (id, events, options) => store.appendToStream(id, events, options),
    readStream(id: string, options?: ReadStreamOptions): AsyncIterable<RecordedEvent> {
      if (id !== streamId || pending === null) return store.readStream(id, options);
      const run = pending;
      pending = null;
      return (async function* () {
        await run();
        yield* store.readStream(id, options);
      })();
    },
    readAll: (options) => store.readAll(options),
    subscribeToAll: (options) => store.subscribeToAll(options),
    headPosition: () => store.headPosition(),
    close: () => store.close(),
  };
}

describe('a structural refusal decided on stale state', () => {
  it('is decided again, not recorded as final, when the stream moved meanwhile: the retry grants', async () => {
    const store = tempStore();
    const other = governance(governedPipelineOn(store).pipeline);
    const orgId = await other.registerOrg('seat');
    ok(await other.defineRole(orgId, { name: 'chair', maxHolders: 1 }));
    const [first, second] = [await other.registerSubject('first'), await other.registerSubject('second')];
    const firstGrant = ok(await other.grant(orgId, first, 'chair'));
    const associationId = String(
      (
        required(
          firstGrant.events.find((event) => event.type === 'RoleGranted'),
          'the grant',
        ).data.association as { associationId: string }
      ).associationId,
    );

    // This process loads the roster (the chair is taken), then, while it reads the grantee, another process frees
    // the chair: the roster it decides on is stale by the time it would record the refusal.
    const racing = interleaved(store, `subject-${second}`, async () => {
      ok(await other.run(rosterAggregate, { type: 'RevokeRole', data: { orgId, associationId, reason: 'stepped down' } }));
    });
    const { pipeline } = governedPipelineOn(racing);
    const result = await pipeline.execute(
      rosterAggregate,
      { type: 'GrantRole', data: { orgId, associationId: randomUUID(), subjectId: second, role: 'chair' } },
      { commandId: `cmd-${randomUUID()}`, principal: admin },
    );

    expect(ok(result).events.map((event) => event.type)).toEqual(['DecisionRecorded', 'RoleGranted']);
    // No refusal was recorded for the stale attempt.
    const audit = await collect(store.readStream(`audit-${orgId}`)).catch(() => []);
    const refusals = audit.filter((event) => (event.data as unknown as DecisionRecordedData).result?.status === 'refused-by-structure');
    expect(refusals).toEqual([]);
  });
});
