import type { z } from 'zod';
import { assignmentAggregate } from '../../commands/handlers/assignment.ts';
import { contractAggregate } from '../../commands/handlers/contract.ts';
import { contractedTaskAggregate } from '../../commands/handlers/contracted-task.ts';
import { jobAggregate } from '../../commands/handlers/job.ts';
import type { CommandResult } from '../../commands/result.ts';
import type { assignmentCommandSchema } from '../../domain/assignment/commands.ts';
import type { contractCommandSchema } from '../../domain/contract/commands.ts';
import type { jobCommandSchema } from '../../domain/job/commands.ts';
import type { AppError } from '../../domain/shared/app-error.ts';
import type { taskCommandSchema } from '../../domain/task/commands.ts';
import type { Saga, SagaEvent } from '../saga-runner.ts';
import type { PlatformEventType } from '../../domain/events/catalog.ts';
import type { Decide, Step } from '../workflow.ts';
import { workflowSaga, type WorkflowIO } from '../workflow-saga.ts';
import type { CommandPipeline } from '../../commands/pipeline.ts';
import type { Bus } from '../../infra/bus/port.ts';
import type { Logger } from 'pino';
import { SystemCommands } from './system-commands.ts';

/** A command the work sagas issue, on the aggregate it targets, as written before parsing (defaults unapplied). */
export type WorkCommand =
  | ({ aggregate: 'job' } & z.input<typeof jobCommandSchema>)
  | ({ aggregate: 'assignment' } & z.input<typeof assignmentCommandSchema>)
  | ({ aggregate: 'contract' } & z.input<typeof contractCommandSchema>)
  | ({ aggregate: 'task' } & z.input<typeof taskCommandSchema>);

/** A step of a work saga. */
export type WorkStep<FollowUp> = Step<WorkCommand, FollowUp>;

/**
 * How the work sagas carry out their steps: commands and timers through the pipeline as `system` (SystemCommands),
 * messages to agents on the bus.
 */
export function workStepIO(deps: { pipeline: CommandPipeline; bus: Bus; logger?: Logger }): Omit<WorkflowIO<never, never, WorkCommand>, 'load'> {
  const commands = new SystemCommands(deps.pipeline, deps.logger);
  return {
    run(command: WorkCommand, commandId: string, cause: SagaEvent): Promise<CommandResult | AppError> {
      const { type, data } = command;
      switch (command.aggregate) {
        case 'job':
          return commands.run(jobAggregate, { type, data }, commandId, cause);
        case 'assignment':
          return commands.run(assignmentAggregate, { type, data }, commandId, cause);
        case 'contract':
          return commands.run(contractAggregate, { type, data }, commandId, cause);
        case 'task':
          return commands.run(contractedTaskAggregate, { type, data }, commandId, cause);
      }
    },
    schedule: (timer, cause) => commands.schedule(timer, cause),
    publish: (subject, data) => deps.bus.publish(subject, { data }),
  };
}

/**
 * A work saga: its workflow and what it loads for a decision, carried out through `workStepIO`, on the deps' clock
 * (the system's unless told) and logger.
 */
export function workSaga<Type extends PlatformEventType, FollowUp, State>(
  deps: { pipeline: CommandPipeline; bus: Bus; clock?: () => Date; logger?: Logger },
  saga: {
    name: string;
    eventTypes: readonly Type[];
    decide: Decide<SagaEvent<Type> | FollowUp, State, WorkCommand, FollowUp>;
    load: WorkflowIO<SagaEvent<Type> | FollowUp, State, WorkCommand>['load'];
  },
): Saga<Type> {
  const { load, ...workflow } = saga;
  return workflowSaga({
    ...workflow,
    io: { load, ...workStepIO(deps) },
    ...(deps.clock ? { clock: deps.clock } : {}),
    ...(deps.logger ? { logger: deps.logger } : {}),
  });
}
