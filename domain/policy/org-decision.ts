import { evaluatePolicy } from './evaluate.ts';
import { platformPolicy } from './platform-policy.ts';
import type { PolicyDecision, PolicyRequest, PolicyRule } from './types.ts';

/**
 * Decides a request about an org the way the platform does for every governed command and read: the platform's own
 * policy together with the org's rules (published or default). One function, so that the command pipeline, governed
 * reads and `agencygrid policy test` cannot drift apart: a policy test that passes is a decision the platform makes.
 */
export function decideInOrg(orgRules: readonly PolicyRule[], request: PolicyRequest): PolicyDecision {
  return evaluatePolicy([...platformPolicy, ...orgRules], request);
}
