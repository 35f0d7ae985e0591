import { contractDecider, contractStream } from '../../domain/contract/decider.ts';
import { createTaskAggregate, type TaskAggregate } from './task.ts';

/**
 * Tasks checked against the contract they are worked under: the contract is read from its stream at each decision,
 * so a command outside it (an action or tool it does not permit) is refused with the clause as the reason.
 */
export const contractedTaskAggregate: TaskAggregate = createTaskAggregate({
  async contractOf(reader, orgId, contractId) {
    const contract = (await reader.load(contractDecider, contractStream(contractId))).state;
    return contract === null || contract.orgId !== orgId ? null : contract;
  },
});
