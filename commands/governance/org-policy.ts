import { policyStream } from '../../domain/policy/events.ts';
import { policyDecider } from '../../domain/policy/decider.ts';
import { hashPolicyRules } from '../../domain/policy/hash.ts';
import { defaultOrgPolicy } from '../../domain/policy/platform-policy.ts';
import { publishedPolicy } from '../../domain/policy/state.ts';
import type { PolicyRule } from '../../domain/policy/types.ts';
import type { StreamReader } from '../stream-loader.ts';

export interface EffectivePolicy {
  source: 'org' | 'default' | 'none';
  version: number | null;
  hash: string;
  rules: readonly PolicyRule[];
}

const defaultHash = hashPolicyRules(defaultOrgPolicy);
const noRules: EffectivePolicy = { source: 'none', version: null, hash: hashPolicyRules([]), rules: [] };

/** The org's published policy set, or the default one until it publishes its own; none outside an org. */
export async function orgPolicy(orgId: string | null, orgExists: boolean, reader: StreamReader): Promise<EffectivePolicy> {
  if (orgId === null || !orgExists) return noRules;
  const { state } = await reader.load(policyDecider, policyStream(orgId));
  const published = publishedPolicy(state);
  if (!published) return { source: 'default', version: null, hash: defaultHash, rules: defaultOrgPolicy };
  return { source: 'org', version: published.version, hash: published.hash, rules: published.rules };
}
