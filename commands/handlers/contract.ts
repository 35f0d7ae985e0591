import { contractCommandSchema, type ContractCommand } from '../../domain/contract/commands.ts';
import { contractDecider, contractStream } from '../../domain/contract/decider.ts';
import { defineAggregate } from '../aggregate.ts';

const actions: Record<ContractCommand['type'], string> = {
  DraftContract: 'contract.draft',
  ReviewContract: 'contract.review',
  SignContract: 'contract.sign',
  RejectContract: 'contract.reject',
  RecordBreach: 'contract.breach.record',
  ExtendObligation: 'contract.obligation.extend',
  FulfilContract: 'contract.fulfil',
  TerminateContract: 'contract.terminate',
};

/**
 * Contracts, one stream per contract (`contract-<contractId>`), each in one org, governed by that org's policy.
 * Decided from the contract's own stream: who may act for which party is the decider's call (see
 * domain/contract/README.md), whether they may act at all is the policy's. Signing for either party is one action,
 * `contract.sign`; a policy that must tell the parties apart reads `command.data.party` in a condition.
 */
export const contractAggregate = defineAggregate({
  name: 'contract',
  commandSchema: contractCommandSchema,
  decider: contractDecider,
  streamOf: (command) => contractStream(command.data.contractId),
  actionPerType: actions,
});
