import type { Decider } from '../shared/decider.ts';
import type { ContractCommand } from './commands.ts';
import { decideContract, type ContractDecisionContext } from './decide.ts';
import type { ContractEvent } from './events.ts';
import { evolveContract } from './evolve.ts';
import { initialContractState, type ContractState } from './state.ts';

export const contractDecider: Decider<ContractCommand, ContractState, ContractEvent, ContractDecisionContext> = {
  initialState: initialContractState,
  evolve: evolveContract,
  decide: decideContract,
};

export const contractStream = (contractId: string) => `contract-${contractId}`;
