import { describe, expect, expectTypeOf, it } from 'vitest';
import { createEventRegistry, type PlatformEvent, type PlatformEventOf } from '../../domain/events/catalog.ts';
import type { OrgEvent } from '../../domain/org/events.ts';
import type { ProjectedEvent } from '../../projections/projection.ts';
import type { SagaEvent } from '../../processes/saga-runner.ts';

// The claims below are checked by the typechecker (`tsc --noEmit -p .`, which covers test/): a field renamed or
// removed in an event's schema makes a `@ts-expect-error` here unused, or an `expectTypeOf` fail, so the property
// "renaming an event field fails the typecheck wherever it is read" cannot silently regress to untyped data.

const orgId = '11111111-1111-4111-8111-111111111111';
const owner = { id: 'admin:root', kind: 'admin' as const };

describe('decoded events are typed by their schemas', () => {
  const registry = createEventRegistry();

  it('decode answers the platform union: narrowing on type gives that event schema data', () => {
    const data = { orgId, name: 'Lab', slug: 'lab', description: '', tags: [], metadata: {}, parentOrgId: null, owner };
    const event = registry.decode('OrgRegistered', data, { schemaVersion: 2 });
    expectTypeOf(event).toEqualTypeOf<PlatformEvent>();
    if (event.type !== 'OrgRegistered') throw new Error(`decoded as ${event.type}`);
    expectTypeOf(event.data.slug).toEqualTypeOf<string>();
    expectTypeOf(event.data.parentOrgId).toEqualTypeOf<string | null>();
    // @ts-expect-error OrgRegistered has no `orgSlug`: a reader of a field that is not in the schema does not compile.
    expect(event.data.orgSlug).toBeUndefined();
    expect(event.data.slug).toBe('lab');
  });

  it('an event read before narrowing exposes only what every event has', () => {
    const event = registry.decode('OrgSuspended', { orgId, reason: 'audit' }, { schemaVersion: 1 });
    // @ts-expect-error not every event has an orgId (ApiKeyIssued, SubjectRegistered, ...): narrow on `type` first.
    expect(event.data.orgId).toBe(orgId);
    expect(event).toEqual({ type: 'OrgSuspended', data: { orgId, reason: 'audit' } });
  });

  it('an aggregate union is the one its definitions derive, the same the registry decodes', () => {
    expectTypeOf<OrgEvent>().toEqualTypeOf<PlatformEventOf<OrgEvent['type']>>();
    expectTypeOf<Extract<OrgEvent, { type: 'OrgSuspended' }>['data']>().toEqualTypeOf<{ orgId: string; reason: string }>();
  });

  it('projections and sagas see the same typed data, narrowed to the types they take', () => {
    expectTypeOf<ProjectedEvent<'JobAssigned'>['data']>().toEqualTypeOf<PlatformEventOf<'JobAssigned'>['data']>();
    expectTypeOf<SagaEvent<'TaskAttemptFailed'>['data']['failedAt']>().toEqualTypeOf<string>();
    expectTypeOf<SagaEvent<'TaskAttemptFailed' | 'TaskFailed'>['type']>().toEqualTypeOf<'TaskAttemptFailed' | 'TaskFailed'>();
    // @ts-expect-error a projection of job events cannot read a task event's fields.
    expectTypeOf<ProjectedEvent<'JobAssigned'>['data']['taskId']>().toBeString();
  });
});
