import { describe, expect, it } from 'vitest';
import { required } from '../../domain/shared/required.ts';
import { orgAggregate } from '../../commands/handlers/org.ts';
import { deterministicEventId } from '../../commands/command-identity.ts';
import { eventMetadataSchema } from '../../commands/event-metadata.ts';
import { collect } from '../support/async.ts';
import { admin, newOrgId, pipelineOn, registerOrg, tempStore } from '../support/pipeline.ts';

describe('event metadata', () => {
  it('stamps every event with ids, correlation, causation, principal, org, time and schema version', async () => {
    const store = tempStore();
    const now = new Date('2026-11-27T12:34:56.000Z');
    const { pipeline } = pipelineOn(store, { clock: () => now });
    const orgId = newOrgId();
    await pipeline.execute(orgAggregate, registerOrg(orgId), {
      commandId: 'cmd-metadata-1',
      correlationId: 'corr-from-client',
      causationId: 'event-that-caused-it',
      principal: admin,
    });
    const [first] = await collect(store.readStream(`org-${orgId}`));
    const event = required(first, 'the first event');
    const metadata = eventMetadataSchema.parse(event.metadata);
    expect(metadata).toMatchObject({
      eventId: event.id,
      commandId: 'cmd-metadata-1',
      commandType: 'RegisterOrg',
      correlationId: 'corr-from-client',
      causationId: 'event-that-caused-it',
      principal: admin,
      orgId,
      occurredAt: now.toISOString(),
      schemaVersion: 2,
      decisionId: null,
    });
    expect(event.id).toBe(deterministicEventId(`cmd-metadata-1/${metadata.commandHash}`, `org-${orgId}`, 0));
  });

  it('starts a new correlation at the command when the caller gives none', async () => {
    const store = tempStore();
    const { pipeline } = pipelineOn(store);
    const orgId = newOrgId();
    await pipeline.execute(orgAggregate, registerOrg(orgId), { commandId: 'cmd-metadata-2', principal: admin });
    const [event] = await collect(store.readStream(`org-${orgId}`));
    expect(required(event, 'the first event').metadata).toMatchObject({ correlationId: 'cmd-metadata-2', causationId: 'cmd-metadata-2' });
  });
});
