import { matchesAnyAction } from '../policy/glob.ts';
import type { Contract } from './state.ts';

/** The terms the clause check reads; a whole `Contract` will do (and so will the task decider's view of one). */
export interface ContractTerms {
  contractId: Contract['contractId'];
  permittedActions: readonly string[];
  permittedTools: readonly string[];
}

/** What the assignee is attempting: the governed action of its command, and the tool it uses, if any. */
export interface ContractAct {
  action: string;
  tool?: string;
}

export type ContractClause = 'permittedActions' | 'permittedTools';

export interface ContractClauseViolation {
  contractId: string;
  clause: ContractClause;
  message: string;
}

/**
 * Whether an act of the assignee breaks the contract's terms: its action must match one of `permittedActions`
 * (policy globs: `task.*` matches `task.tool.use`), and its tool, when it uses one, must be one of `permittedTools`
 * (exact names). Null when the act is within the terms.
 *
 * Pure, and about the terms only: whether the contract is active, and whether the actor is the assignee, are the
 * caller's checks (the task decider refuses `CONTRACT_NOT_ACTIVE` before asking). The action is checked first, so
 * a forbidden action with a forbidden tool is reported as the action.
 */
export function contractClauseViolation(contract: ContractTerms, act: ContractAct): ContractClauseViolation | null {
  const { contractId, permittedActions, permittedTools } = contract;
  if (!matchesAnyAction(permittedActions, act.action)) {
    return { contractId, clause: 'permittedActions', message: `contract ${contractId} does not permit the action ${act.action}` };
  }
  if (act.tool !== undefined && !permittedTools.includes(act.tool)) {
    return { contractId, clause: 'permittedTools', message: `contract ${contractId} does not permit the tool ${act.tool}` };
  }
  return null;
}
