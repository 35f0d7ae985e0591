import type { AppError } from '../domain/shared/app-error.ts';

/** What a member refused by policy learns: its own request's outcome and the rules that decided it. */
const MEMBER_POLICY_DETAILS = ['decisionId', 'action', 'outcome', 'reasons', 'determiningRuleIds', 'escalateTo', 'policy'] as const;

/**
 * The one place that shapes a refusal for the caller, used by the REST error mapper and the GraphQL error formatter
 * alike (so every route, query field, stream and agent request answers the same way), from the audience decided
 * where the request was refused (commands/governance/refusal-audience.ts):
 * - an outsider (may not see the org) gets exactly what it would get if the org did not exist; only a refusal of
 *   its own malformed input or an outage (nothing about the org) is told as is;
 * - a member refused by policy gets the outcome, the determining rules with their reasons, where to escalate and the
 *   policy version; every rule's evaluation and condition errors (an oracle on conditions over the org's data)
 *   only when it may read the org's policy anyway;
 * - anything else (no audience: platform-level, or a refusal that is about the caller's request only) as is.
 */
export function callerView(error: AppError): AppError {
  const { audience, ...refusal } = error;
  if (audience === undefined) return error;
  if (audience.kind === 'outsider') {
    return refusal.kind === 'invalid' || refusal.kind === 'unavailable' || refusal.kind === 'unauthenticated' ? refusal : audience.notFound;
  }
  if (refusal.code !== 'POLICY_DENIED' || audience.mayReadPolicy) return refusal;
  return { ...refusal, details: Object.fromEntries(MEMBER_POLICY_DETAILS.filter((key) => key in refusal.details).map((key) => [key, refusal.details[key]])) };
}
