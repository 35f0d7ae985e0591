import { describe, it, expect } from 'vitest';
import { canonicalJson } from '../../domain/shared/canonical-json.ts';
import { hashPolicyRules } from '../../domain/policy/hash.ts';
import type { PolicyRule } from '../../domain/policy/types.ts';

const owners: PolicyRule = { id: 'owners', effect: 'permit', actions: ['*'], when: 'principal.id == org.ownerId', reason: 'owners manage their org' };
const freeze: PolicyRule = {
  id: 'freeze',
  effect: 'forbid',
  actions: ['roster.*'],
  roles: ['intern'],
  reason: 'interns cannot change the roster',
  escalateTo: 'owner',
};
const rules: PolicyRule[] = [owners, freeze];

describe('policy hash', () => {
  it('is a SHA-256 hex digest, stable for the same content', () => {
    const hash = hashPolicyRules(rules);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(hashPolicyRules(structuredClone(rules))).toBe(hash);
  });

  it('does not depend on key order inside rules, nor on keys that are undefined', () => {
    const reordered: PolicyRule[] = rules.map((rule) => Object.fromEntries(Object.entries(rule).reverse()) as PolicyRule);
    const withUndefined: PolicyRule[] = rules.map((rule) => ({ ...rule, unless: undefined }));
    expect(hashPolicyRules(reordered)).toBe(hashPolicyRules(rules));
    expect(hashPolicyRules(withUndefined)).toBe(hashPolicyRules(rules));
  });

  it('changes with any change of content, including the order of rules', () => {
    const hash = hashPolicyRules(rules);
    expect(hashPolicyRules([...rules].reverse())).not.toBe(hash);
    expect(hashPolicyRules([{ ...owners, reason: 'changed' }, freeze])).not.toBe(hash);
    expect(hashPolicyRules([])).not.toBe(hash);
  });

  it('canonical JSON sorts keys and refuses what JSON cannot carry', () => {
    expect(canonicalJson({ b: 1, a: [true, null, 'x'], c: { z: 1, y: 2 } })).toBe('{"a":[true,null,"x"],"b":1,"c":{"y":2,"z":1}}');
    expect(() => canonicalJson({ x: Number.NaN })).toThrow(/non-finite/);
    expect(() => canonicalJson({ x: 1n })).toThrow(/bigint/);
    expect(() => canonicalJson(new Date(0))).toThrow(/plain objects/);
  });
});
