import { hashPolicyRules } from '../policy/hash.ts';
import { defaultOrgPolicy, platformPolicy } from '../policy/platform-policy.ts';
import type { PolicyState } from '../policy/state.ts';
import type { PolicyRule } from '../policy/types.ts';
import type { RecordedDecision } from './recorded.ts';
import type { UnverifiableCode } from './report.ts';

/** A rule set with the hash decisions record for it. */
export interface HashedRules {
  rules: readonly PolicyRule[];
  hash: string;
}

/**
 * The built-in rule sets as the running code has them. A decision records only their hashes, so a decision made
 * under other built-in rules (before a code change) cannot be re-evaluated: it is reported as not reproducible.
 */
export interface BuiltInPolicies {
  platform: HashedRules;
  defaultOrg: HashedRules;
  /**
   * Earlier built-in rule sets by hash, as the platform recorded them in the log (BuiltinPolicyRecorded), so a
   * decision made before a code change is still reproducible.
   */
  history?: { platform: ReadonlyMap<string, readonly PolicyRule[]>; defaultOrg: ReadonlyMap<string, readonly PolicyRule[]> };
}

/** The built-in rules behind a recorded hash: the running code's, or an earlier set recorded in the log. */
export function builtInRules(builtIns: BuiltInPolicies, kind: 'platform' | 'defaultOrg', hash: string): readonly PolicyRule[] | undefined {
  if (builtIns[kind].hash === hash) return builtIns[kind].rules;
  return builtIns.history?.[kind].get(hash);
}

export function hashed(rules: readonly PolicyRule[]): HashedRules {
  return { rules, hash: hashPolicyRules(rules) };
}

export const currentBuiltIns: BuiltInPolicies = { platform: hashed(platformPolicy), defaultOrg: hashed(defaultOrgPolicy) };

const noRules = hashed([]);

export type RulesResolution = { ok: true; rules: readonly PolicyRule[] } | { ok: false; code: UnverifiableCode; reason: string };

/**
 * The org rules a decision was made with, found again from what it recorded: `org` -> that version as drafted in
 * the org's policy stream (versions are immutable once drafted), whose stored hash and the hash of its rules must
 * both equal the recorded hash; `default` -> the default org policy, if its hash is still the recorded one;
 * `none` -> no org rules.
 */
export class RecordedRules {
  /** version -> hash of its rules as stored, computed once. */
  private readonly contentHashes = new Map<number, string>();

  constructor(
    private readonly policyHead: PolicyState,
    private readonly builtIns: BuiltInPolicies = currentBuiltIns,
  ) {}

  resolve(decision: RecordedDecision): RulesResolution {
    const { source, version, hash } = decision.data.policy;
    switch (source) {
      case 'none':
        if (hash !== noRules.hash)
          return {
            ok: false,
            code: 'POLICY_HASH_MISMATCH',
            reason: `source none records hash ${short(hash)}, not the empty rule set's ${short(noRules.hash)}`,
          };
        return { ok: true, rules: noRules.rules };
      case 'default': {
        const defaults = builtInRules(this.builtIns, 'defaultOrg', hash);
        if (defaults === undefined) {
          return {
            ok: false,
            code: 'DEFAULT_POLICY_CHANGED',
            reason: `not reproducible: the default org policy changed (recorded ${short(hash)}, the code now has ${short(this.builtIns.defaultOrg.hash)})`,
          };
        }
        return { ok: true, rules: defaults };
      }
      case 'org': {
        if (version === null) return { ok: false, code: 'POLICY_VERSION_UNKNOWN', reason: 'source org without a version' };
        const drafted = this.policyHead.versions.get(version);
        if (!drafted) return { ok: false, code: 'POLICY_VERSION_UNKNOWN', reason: `the org's policy stream has no version ${version}` };
        if (drafted.hash !== hash) {
          return {
            ok: false,
            code: 'POLICY_HASH_MISMATCH',
            reason: `version ${version} was drafted with hash ${short(drafted.hash)}; the decision recorded ${short(hash)}`,
          };
        }
        const content = this.contentHash(version, drafted.rules);
        if (content !== hash) {
          return {
            ok: false,
            code: 'POLICY_HASH_MISMATCH',
            reason: `the rules stored for version ${version} hash to ${short(content)}, not the recorded ${short(hash)}`,
          };
        }
        return { ok: true, rules: drafted.rules };
      }
    }
  }

  private contentHash(version: number, rules: readonly PolicyRule[]): string {
    let hash = this.contentHashes.get(version);
    if (hash === undefined) {
      hash = hashPolicyRules(rules);
      this.contentHashes.set(version, hash);
    }
    return hash;
  }
}

/** The first 12 hex digits, as the CLI shows hashes. */
export function short(hash: string): string {
  return hash.slice(0, 12);
}
