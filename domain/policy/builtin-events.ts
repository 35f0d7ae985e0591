import { z } from 'zod';
import { version1Definitions, type EventUnion } from '../events/registry.ts';
import { policyRuleSchema } from './types.ts';

/** Built-in rule ids carry a `platform:` / `default:` prefix, which org rule ids cannot. */
const builtinRuleSchema = policyRuleSchema.extend({ id: z.string().regex(/^(platform|default):[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/) });

/**
 * The built-in rule sets (platform policy, default org policy) live in code, and decisions record only their hash.
 * So that a decision made under an older version of them can still be re-evaluated after the code changes, every
 * rule set the platform runs with is written to the log once, in a stream named after its hash.
 */
const builtinPolicyRecordedData = z.object({
  kind: z.enum(['platform', 'default-org']),
  hash: z.string(),
  rules: z.array(builtinRuleSchema),
});

export const builtinPolicyEventDefinitions = version1Definitions({
  BuiltinPolicyRecorded: builtinPolicyRecordedData,
});

export type BuiltinPolicyRecorded = Extract<EventUnion<typeof builtinPolicyEventDefinitions>, { type: 'BuiltinPolicyRecorded' }>;

export const builtinPolicyStream = (kind: 'platform' | 'default-org', hash: string) => `builtinpolicy-${kind}.${hash}`;
