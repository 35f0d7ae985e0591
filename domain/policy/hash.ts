import { canonicalHash } from '../shared/canonical-json.ts';
import type { PolicyRule } from './types.ts';

/**
 * SHA-256 (lowercase hex) of the canonical JSON of a rule list: identifies a policy version's content in decisions.
 * Key order inside a rule does not matter; the order of rules (and of the lists inside a rule) does, so the hash
 * identifies the document as published, even though evaluation itself is order-independent.
 */
export function hashPolicyRules(rules: readonly PolicyRule[]): string {
  return canonicalHash(rules);
}
