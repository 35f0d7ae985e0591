import { describe, expect, it } from 'vitest';
import { AssociationExpiryProcess } from '../../processes/association-expiry.ts';
import { rosterAggregate } from '../../commands/handlers/roster.ts';
import { collect, waitFor } from '../support/async.ts';
import { ok } from '../support/governance-fixtures.ts';
import { admin, commandId, governedPipelineOn } from '../support/pipeline.ts';
import { LogConsumer } from '../../infra/log-consumer/log-consumer.ts';
import { governedStore } from '../support/governed-store.ts';

async function expiringGrant(expiresInMs: number) {
  const { store, pipeline, registry, g } = governedStore();
  const orgId = await g.registerOrg('temps');
  const subjectId = await g.registerSubject('temp');
  ok(await g.defineRole(orgId, { name: 'temp' }));
  const associationId = crypto.randomUUID();
  ok(
    await pipeline.execute(
      rosterAggregate,
      { type: 'GrantRole', data: { orgId, associationId, subjectId, role: 'temp', expiresAt: new Date(Date.now() + expiresInMs).toISOString() } },
      { commandId: commandId(), principal: admin },
    ),
  );
  const expired = async () => (await collect(store.readStream(`roster-${orgId}`))).filter((event) => event.type === 'AssociationExpired');
  return { store, pipeline, registry, orgId, associationId, expired };
}

describe('the association expiry process', () => {
  it('records AssociationExpired once the expiry has passed, as the system principal, governed like anyone', async () => {
    const { store, pipeline, registry, associationId, expired } = await expiringGrant(300);
    const process = new AssociationExpiryProcess(new LogConsumer(store), registry, pipeline, { tickMs: 50 });
    process.start();
    await waitFor(async () => (await expired()).length === 1, 5000, 'the expiry to be recorded');
    const [event] = await expired();
    expect(event).toMatchObject({ data: { associationId }, metadata: { principal: { kind: 'system' }, commandId: `expire-association:${associationId}` } });
    await process.stop();
  });

  it('records an expiry that passed while nothing was running, on the next start, and only once across two instances', async () => {
    const { store, pipeline, registry, expired } = await expiringGrant(50);
    await new Promise((resolve) => setTimeout(resolve, 100)); // a fixed wait: the expiry passes while nothing runs
    const first = new AssociationExpiryProcess(new LogConsumer(store), registry, pipeline, { tickMs: 20 });
    const second = new AssociationExpiryProcess(new LogConsumer(store), registry, governedPipelineOn(store).pipeline, { tickMs: 20 });
    first.start();
    second.start();
    await waitFor(async () => first.scheduled === 0 && second.scheduled === 0 && (await expired()).length > 0, 5000, 'both to finish');
    expect(await expired()).toHaveLength(1);
    await Promise.all([first.stop(), second.stop()]);
  });
});
