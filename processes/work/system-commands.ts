import type { Logger } from 'pino';
import type { AggregateDefinition } from '../../commands/aggregate.ts';
import type { CommandPipeline } from '../../commands/pipeline.ts';
import type { CommandResult } from '../../commands/result.ts';
import { isAppError, type AppError } from '../../domain/shared/app-error.ts';
import type { DecisionContext, DomainEvent } from '../../domain/shared/decider.ts';
import { systemPrincipal, type Principal } from '../../domain/shared/principal.ts';
import { StepUnavailableError, type SagaEvent } from '../saga-runner.ts';
import { scheduleTimer, type ScheduleTimerInput } from '../timers.ts';

/**
 * Issues a saga's commands through the pipeline, as `system` (or in an agent's name, for the gateway), with the
 * saga's deterministic command id, caused by the event being handled. A retried step is answered from the command
 * log. An `unavailable` refusal throws (the runner retries the event); any other refusal is returned: the step is
 * already moot (the job moved on, the round closed) and the saga decides what that means.
 */
export class SystemCommands {
  constructor(
    private readonly pipeline: CommandPipeline,
    private readonly logger?: Logger,
  ) {}

  async run<Command extends { type: string; data: unknown }, State, Event extends DomainEvent, Context extends DecisionContext>(
    aggregate: AggregateDefinition<Command, State, Event, Context>,
    command: { type: string; data: Record<string, unknown> },
    commandId: string,
    cause?: SagaEvent,
    principal: Principal = systemPrincipal,
  ): Promise<CommandResult | AppError> {
    const result = await this.pipeline.execute(aggregate, command, {
      commandId,
      principal,
      retryable: true,
      ...(cause ? { causationId: cause.eventId } : {}),
      ...(cause?.correlationId ? { correlationId: cause.correlationId } : {}),
    });
    if (isAppError(result)) {
      if (result.kind === 'unavailable') throw new StepUnavailableError(result);
      this.logger?.debug({ code: result.code, command: command.type, commandId }, 'saga step refused');
    }
    return result;
  }

  /**
   * Schedules a saga's durable timer, caused by the event being handled. Unavailable throws (the runner retries the
   * event); any other refusal (the key already scheduled: a replayed step) leaves the timer as it was.
   */
  async schedule(input: Omit<ScheduleTimerInput, 'causationId' | 'correlationId'>, cause: SagaEvent): Promise<void> {
    const scheduled = await scheduleTimer(this.pipeline, { ...input, causationId: cause.eventId });
    if (isAppError(scheduled) && scheduled.kind === 'unavailable') throw new StepUnavailableError(scheduled);
  }
}
