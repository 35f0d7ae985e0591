import { describe, expect, it } from 'vitest';
import { orgAggregate } from '../../commands/handlers/org.ts';
import { admin, commandId, newOrgId, pipelineOn, tempStore } from '../support/pipeline.ts';

const orgId = '11111111-1111-4111-8111-111111111111';
const cases: Array<[string, unknown, string[]]> = [
  ['not an object', 'RegisterOrg', []],
  ['unknown command type', { type: 'DeleteEverything', data: {} }, ['type']],
  ['missing name', { type: 'RegisterOrg', data: { orgId, slug: 'ok' } }, ['name']],
  ['slug with capitals and spaces', { type: 'RegisterOrg', data: { orgId, name: 'x', slug: 'Bad Slug' } }, ['slug']],
  ['slug longer than 63', { type: 'RegisterOrg', data: { orgId, name: 'x', slug: 'a'.repeat(64) } }, ['slug']],
  ['orgId not a uuid', { type: 'RegisterOrg', data: { orgId: '1; drop table', name: 'x', slug: 'ok' } }, ['orgId']],
  ['duplicate tags', { type: 'RegisterOrg', data: { orgId, name: 'x', slug: 'ok', tags: ['a', 'a'] } }, ['tags']],
  ['metadata value not a string', { type: 'RegisterOrg', data: { orgId, name: 'x', slug: 'ok', metadata: { a: 1 } } }, ['metadata', 'a']],
  ['unknown field', { type: 'RegisterOrg', data: { orgId, name: 'x', slug: 'ok', owner: 'me' } }, []],
  ['empty update', { type: 'UpdateOrgMetadata', data: { orgId } }, []],
  ['blank reason', { type: 'SuspendOrg', data: { orgId, reason: '   ' } }, ['reason']],
];

describe('malformed commands', () => {
  it.each(cases)('refuses %s with VALIDATION_FAILED and appends nothing', async (_name, command, path) => {
    const store = tempStore();
    const { pipeline } = pipelineOn(store);
    const result = await pipeline.execute(orgAggregate, command, { commandId: commandId(), principal: admin });
    expect(result).toMatchObject({ kind: 'invalid', code: 'VALIDATION_FAILED' });
    const issues = (result as unknown as { details: { issues: Array<{ path: string[] }> } }).details.issues;
    expect(issues.length).toBeGreaterThan(0);
    if (path.length > 0) expect(issues.map((issue) => issue.path)).toContainEqual(path);
    expect(await store.headPosition()).toBe(0n);
  });

  it('refuses a command after shutdown began', async () => {
    const { pipeline } = pipelineOn(tempStore());
    await pipeline.drain();
    const result = await pipeline.execute(
      orgAggregate,
      { type: 'RegisterOrg', data: { orgId: newOrgId(), name: 'x', slug: 'late' } },
      { commandId: commandId(), principal: admin },
    );
    expect(result).toMatchObject({ kind: 'unavailable', code: 'SHUTTING_DOWN' });
  });
});
