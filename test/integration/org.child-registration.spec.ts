import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { orgAggregate } from '../../commands/handlers/org.ts';
import { collect } from '../support/async.ts';
import { asSubject, ok, refused } from '../support/governance-fixtures.ts';
import { commandId } from '../support/pipeline.ts';
import { governedStore } from '../support/governed-store.ts';

describe('registering a child org', () => {
  it("needs the parent org's consent: its owner may, a stranger may not, and both decisions are recorded", async () => {
    const { store, pipeline, g } = governedStore();
    const founder = await g.registerSubject('founder');
    const stranger = await g.registerSubject('stranger');
    const parent = await g.registerOrg('parent', asSubject(founder));
    const child = (principal: ReturnType<typeof asSubject>, slug: string) =>
      pipeline.execute(
        orgAggregate,
        { type: 'RegisterOrg', data: { orgId: randomUUID(), name: slug, slug, parentOrgId: parent } },
        { commandId: commandId(), principal },
      );

    const denied = refused(await child(asSubject(stranger), 'squat'));
    expect(denied).toMatchObject({ code: 'POLICY_DENIED', details: { action: 'org.child.register', outcome: 'not-permitted' } });
    // The stranger may not see the parent: its refusal is told as for an unknown org (api/refusal-view.ts) and
    // recorded in the stranger's own audit stream, never in the parent's.
    expect(denied.audience).toEqual({ kind: 'outsider', notFound: expect.objectContaining({ code: 'ORG_NOT_FOUND', details: { orgId: parent } }) });
    expect((await collect(store.readStream(`audit-outsider.${stranger}`))).map((event) => event.data.action)).toEqual(['org.register', 'org.child.register']);

    const registered = ok(await child(asSubject(founder), 'team'));
    const decisions = registered.events.filter((event) => event.type === 'DecisionRecorded').map((event) => [event.data.orgId, event.data.action]);
    expect(decisions).toEqual([
      [registered.streamId.slice('org-'.length), 'org.register'],
      [parent, 'org.child.register'],
    ]);
  });
});
