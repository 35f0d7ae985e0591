import { describe, expect, it } from 'vitest';
import { uniqueKeyHolder } from '../../commands/unique-key-holder.ts';
import { governance } from '../support/governance-fixtures.ts';
import { governedPipelineOn, tempStore } from '../support/pipeline.ts';

describe('the holder of a unique key', () => {
  it('is the stream of the command that claimed it, and null for a key nobody claimed', async () => {
    const store = tempStore();
    const orgId = await governance(governedPipelineOn(store).pipeline).registerOrg('held-slug');
    expect(await uniqueKeyHolder(store, 'org-slug', 'held-slug')).toBe(`org-${orgId}`);
    expect(await uniqueKeyHolder(store, 'org-slug', 'free-slug')).toBeNull();
  });
});
