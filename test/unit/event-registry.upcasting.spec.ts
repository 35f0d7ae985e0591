import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createEventRegistry } from '../../domain/events/catalog.ts';
import { EventRegistry, InvalidEventDataError, UnknownEventTypeError } from '../../domain/events/registry.ts';

const orgId = '11111111-1111-4111-8111-111111111111';
const principal = { id: 'admin:old', kind: 'admin' };

describe('event schema registry', () => {
  const registry = createEventRegistry();

  it('upcasts OrgRegistered v1 (comma-separated tags, implicit owner) to v2', () => {
    const v1 = { orgId, name: 'Lab', slug: 'lab', description: 'd', tags: 'ml, research,ml,' };
    const decoded = registry.decode('OrgRegistered', v1, { schemaVersion: 1, principal });
    expect(decoded).toEqual({
      type: 'OrgRegistered',
      data: {
        orgId,
        name: 'Lab',
        slug: 'lab',
        description: 'd',
        tags: ['ml', 'research'],
        metadata: {},
        parentOrgId: null,
        owner: principal,
      },
    });
  });

  it('treats an event without schemaVersion as v1', () => {
    const decoded = registry.decode('OrgRegistered', { orgId, name: 'Lab', slug: 'lab', description: '', tags: '' }, { principal });
    expect(decoded.type === 'OrgRegistered' && decoded.data.tags).toEqual([]);
  });

  it('reads the current version as it is', () => {
    const v2 = { orgId, name: 'Lab', slug: 'lab', description: '', tags: ['x'], metadata: { a: 'b' }, parentOrgId: null, owner: principal };
    expect(registry.decode('OrgRegistered', v2, { schemaVersion: 2 })).toEqual({ type: 'OrgRegistered', data: v2 });
  });

  it('stamps the current version when encoding and refuses data that breaks the schema', () => {
    expect(registry.encode('OrgSuspended', { orgId, reason: 'r' })).toEqual({ data: { orgId, reason: 'r' }, schemaVersion: 1 });
    expect(() => registry.encode('OrgSuspended', { orgId, reason: '' })).toThrow(InvalidEventDataError);
  });

  it('fails clearly on an unknown type, an invalid stored event, or a version from the future', () => {
    expect(() => registry.decode('NoSuchEvent', {}, {})).toThrow(UnknownEventTypeError);
    expect(() => registry.decode('OrgSuspended', { orgId: 'not-a-uuid', reason: 'r' }, { schemaVersion: 1 })).toThrow(/orgId/);
    expect(() => registry.decode('OrgSuspended', { orgId, reason: 'r' }, { schemaVersion: 7 })).toThrow(InvalidEventDataError);
  });

  it('tells the newest version of a type it reads, and nothing for a type it does not know', () => {
    expect(registry.currentVersion('OrgRegistered')).toBe(2);
    expect(registry.currentVersion('OrgSuspended')).toBe(1);
    expect(registry.currentVersion('NoSuchEvent')).toBeUndefined();
  });

  it('refuses a definition that cannot upcast every older version', () => {
    expect(() => new EventRegistry().register({ type: 'X', schemaVersion: 2, schema: z.object({}) })).toThrow(/upcaster from v1/);
  });
});
