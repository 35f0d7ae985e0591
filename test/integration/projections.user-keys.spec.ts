import { describe, expect, it } from 'vitest';
import { SqliteDocumentStore } from '../../infra/documents/sqlite.ts';
import { readModelProjections } from '../../projections/read-models/all.ts';
import { ProjectionRunner } from '../../projections/runner.ts';
import { orgAggregate } from '../../commands/handlers/org.ts';
import { ok } from '../support/governance-fixtures.ts';
import { admin, commandId } from '../support/pipeline.ts';
import { LogConsumer } from '../../infra/log-consumer/log-consumer.ts';
import { governedStore } from '../support/governed-store.ts';

describe('read models with user-chosen keys', () => {
  it('keep dotted metadata keys and capability names without failing, and filter on them exactly', async () => {
    const { store, pipeline, registry, g } = governedStore();
    const orgId = crypto.randomUUID();
    ok(
      await pipeline.execute(
        orgAggregate,
        { type: 'RegisterOrg', data: { orgId, name: 'Dotted', slug: 'dotted', metadata: { 'team.lead': 'ada', 'a/b': 'c' } } },
        { commandId: commandId(), principal: admin },
      ),
    );
    const subjectId = await g.registerSubject('writer', [{ name: 'writing.editing', level: 8 }]);
    const docs = new SqliteDocumentStore({ path: ':memory:' });
    const runner = new ProjectionRunner(new LogConsumer(store), docs, registry, readModelProjections);
    await runner.start();
    expect(await runner.waitFor(await store.headPosition())).toBe(true);
    expect((await runner.status()).filter((projection) => projection.state === 'failed')).toEqual([]);
    expect(await docs.get('orgs', orgId)).toMatchObject({
      metadata: [
        { key: 'team.lead', value: 'ada' },
        { key: 'a/b', value: 'c' },
      ],
    });
    expect(await docs.get('subjects', subjectId)).toMatchObject({ capabilities: [{ name: 'writing.editing', level: 8, verified: null, verifiedIn: [] }] });
    const found = await docs.find('orgs', { filter: { field: 'metadataPairs', op: 'contains', value: 'team.lead=ada' }, limit: 5 });
    expect(found.items.map((item) => item._id)).toEqual([orgId]);
    ok(await g.updateOrg(orgId, 'still dotted'));
    await runner.waitFor(await store.headPosition());
    expect(await docs.get('orgs', orgId)).toMatchObject({
      description: 'still dotted',
      metadata: [
        { key: 'team.lead', value: 'ada' },
        { key: 'a/b', value: 'c' },
      ],
    });
    await runner.stop();
  });
});
