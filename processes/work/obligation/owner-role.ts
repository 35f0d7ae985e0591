/** Who an escalation goes to when the contract names no role: the org's owner (who manages the org by default). */
export const OWNER_ESCALATION_ROLE = 'owner';
