import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { envelopEvent } from '../../commands/event-envelope.ts';
import { commandHash } from '../../commands/command-identity.ts';
import { rosterStream } from '../../domain/roster/events.ts';
import { asSubject, ok, refused } from '../support/governance-fixtures.ts';
import { admin } from '../support/pipeline.ts';
import { role } from '../support/roster-fixtures.ts';
import { governedStore } from '../support/governed-store.ts';

/**
 * An org role named `platform-admin`, defined before such names were reserved (it is in the log, so it stays), and
 * granted to a subject: the platform policy's administrator permit is for the platform's admins, not for that name.
 */
describe('a legacy org role named like a platform role', () => {
  it('gives its holder no platform permit', async () => {
    const { store, registry, g } = governedStore();
    const orgId = await g.registerOrg('legacy-names');
    const subjectId = await g.registerSubject('pretender');
    const legacy = { type: 'RoleDefined', data: { orgId, role: role('platform-admin') } } as const;
    const stamp = {
      commandId: `legacy-${randomUUID()}`,
      commandType: 'DefineRole',
      commandHash: commandHash(legacy),
      correlationId: 'legacy',
      causationId: 'legacy',
      principal: admin,
      orgId,
      occurredAt: new Date().toISOString(),
      decisionId: null,
    };
    await store.appendToStream(rosterStream(orgId), [envelopEvent(registry, legacy, rosterStream(orgId), 0, stamp)]);
    ok(await g.grant(orgId, subjectId, 'platform-admin'));

    // The default policy lets members read; only an administrator may change the org's metadata.
    const refusal = refused(await g.updateOrg(orgId, 'taken over', asSubject(subjectId)));
    expect(refusal.code).toBe('POLICY_DENIED');
    expect(refusal.details).toMatchObject({ outcome: 'not-permitted' });
    ok(await g.updateOrg(orgId, 'still the admin’s', admin));
  });
});
