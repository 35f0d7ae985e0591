import { taskActions, taskCommandSchema, type TaskCommand } from '../../domain/task/commands.ts';
import type { ContractTerms } from '../../domain/task/contract-terms.ts';
import { needsContractTerms, type TaskDecisionContext } from '../../domain/task/decide.ts';
import { taskDecider, taskStream } from '../../domain/task/decider.ts';
import type { TaskEvent } from '../../domain/task/events.ts';
import type { TaskState } from '../../domain/task/state.ts';
import { defineAggregate, type AggregateDefinition } from '../aggregate.ts';
import type { StreamReader } from '../stream-loader.ts';

/**
 * The terms of contract `contractId` of org `orgId` as the task decider needs them, or null when the org has no such
 * contract. Reads through the attempt's reader, so the contract is seen as this attempt of the command sees it.
 */
export type ContractOf = (reader: StreamReader, orgId: string, contractId: string) => Promise<ContractTerms | null>;

export interface TaskAggregateOptions {
  /**
   * Loads a task's contract terms for the decider (wired to the contract aggregate by the server). The default finds
   * no contract, so a subject's work on a task under a contract is refused (CONTRACT_NOT_FOUND) until it is wired:
   * terms that cannot be read are never waved through.
   */
  contractOf?: ContractOf;
}

export type TaskAggregate = AggregateDefinition<TaskCommand, TaskState, TaskEvent, TaskDecisionContext> & { readonly contractOf: ContractOf };

/**
 * Tasks, one stream per task (`task-<taskId>`), each in one org, governed by that org's policy. A subject's work on
 * a task under a contract (progress, tools, completion, failure) and a subject's review are decided with the
 * contract's terms, loaded through `contractOf` from the contract the task's own state names.
 */
export function createTaskAggregate(options: TaskAggregateOptions = {}): TaskAggregate {
  const contractOf = options.contractOf ?? (async () => null);
  const definition = defineAggregate({
    name: 'task',
    commandSchema: taskCommandSchema,
    decider: taskDecider,
    streamOf: (command) => taskStream(command.data.taskId),
    actionPerType: taskActions,
    async loadContext(command, reader, base) {
      if (command.type === 'CreateTask' && command.data.parentTaskId !== null) {
        // A sub-task is decided with its parent, and (when a subject splits its task) the parent's contract.
        const parent = (await reader.load(taskDecider, taskStream(command.data.parentTaskId))).state;
        if (parent === null || base.principal.kind !== 'subject' || parent.contractId === null || parent.orgId !== command.data.orgId)
          return { ...base, parent };
        return { ...base, parent, contract: await contractOf(reader, parent.orgId, parent.contractId) };
      }
      if (!needsContractTerms(command, base.principal)) return base;
      // The contract is the one the task names (never one the command names), read from the task's own stream.
      const task = (await reader.load(taskDecider, taskStream(command.data.taskId))).state;
      if (task === null || task.orgId !== command.data.orgId || task.contractId === null) return base;
      return { ...base, contract: await contractOf(reader, task.orgId, task.contractId) };
    },
  });
  return { ...definition, contractOf };
}

export const taskAggregate: TaskAggregate = createTaskAggregate();
