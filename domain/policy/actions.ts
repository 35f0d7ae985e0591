/**
 * The governed actions of policy commands. Named here, not only in the handler, because the list of every known
 * action (which policy validation needs) cannot import the policy handler that uses it.
 */
export const policyActions = { DraftPolicy: 'policy.draft', PublishPolicy: 'policy.publish' } as const;
