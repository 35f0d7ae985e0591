import { describe, expect, it } from 'vitest';
import { recordBuiltinPolicies } from '../../commands/record-builtin-policies.ts';
import { createEventRegistry } from '../../domain/events/catalog.ts';
import { hashPolicyRules } from '../../domain/policy/hash.ts';
import { defaultOrgPolicy, platformPolicy } from '../../domain/policy/platform-policy.ts';
import { collect } from '../support/async.ts';
import { tempStore } from '../support/pipeline.ts';

describe('built-in policies in the log', () => {
  it('records each built-in rule set once, by hash, so replay can find the rules behind any recorded hash', async () => {
    const store = tempStore();
    const registry = createEventRegistry();
    await recordBuiltinPolicies(store, registry);
    await recordBuiltinPolicies(store, registry);
    const recorded = await collect(store.readAll({ filter: { eventTypes: ['BuiltinPolicyRecorded'] } }));
    expect(recorded.map((event) => [event.data.kind, event.data.hash])).toEqual([
      ['platform', hashPolicyRules(platformPolicy)],
      ['default-org', hashPolicyRules(defaultOrgPolicy)],
    ]);
    for (const event of recorded) {
      const data = registry.decode(event.type, event.data, event.metadata).data as { rules: unknown[]; hash: string };
      expect(hashPolicyRules(data.rules as Parameters<typeof hashPolicyRules>[0])).toBe(data.hash);
    }
  });
});
