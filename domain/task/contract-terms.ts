import { contractClauseViolation, type ContractClauseViolation } from '../contract/clauses.ts';

/**
 * What the task decider needs to know of a contract: the least, so the task aggregate does not depend on the contract
 * aggregate's model (the handler's `contractOf` maps a contract's state onto this).
 */
export interface ContractTerms {
  contractId: string;
  /** The contract's lifecycle status; `'active'` (signed by both parties, not ended) is the only one in force. */
  status: string;
  /** The subject the contract binds: the only one whose work it covers. */
  assigneeSubjectId: string;
  /** Who may review the work done under the contract. */
  verifierSubjectIds: readonly string[];
  /** Action patterns (`task.*`, `task.tool.use`), matched as policies match actions (domain/policy/glob.ts). */
  permittedActions: readonly string[];
  /** Tool names, compared exactly. */
  permittedTools: readonly string[];
}

export type { ContractClause, ContractClauseViolation as TermsViolation } from '../contract/clauses.ts';

/** The contract status in which its terms are in force. */
export const ACTIVE_CONTRACT_STATUS = 'active';

/**
 * The clause of `terms` that `action` (and `tool`, when one is used) breaks, or null when the terms permit it: the
 * contract's own clause check (the action first, then the tool). Whether the contract is in force (its status) is
 * the caller's check.
 */
export const termsViolation: (terms: ContractTerms, act: { action: string; tool?: string }) => ContractClauseViolation | null = contractClauseViolation;
