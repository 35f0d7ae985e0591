import type { Logger } from 'pino';
import type { CommandPipeline } from '../../commands/pipeline.ts';
import type { StreamLoader } from '../../commands/stream-loader.ts';
import type { PlatformEventRegistry } from '../../domain/events/catalog.ts';
import type { Bus } from '../../infra/bus/port.ts';
import type { EventStore } from '../../infra/eventstore/port.ts';
import type { LogConsumer } from '../../infra/log-consumer/log-consumer.ts';
import type { CheckpointStore } from '../../infra/log-consumer/checkpoint-store.ts';
import type { OutageStatus } from '../../infra/outage/dependency-outage.ts';
import { SagaRunner, type DeadLetters } from '../saga-runner.ts';
import { TimerService } from '../timers.ts';
import { assignmentSaga } from './assignment-saga.ts';
import type { WorkloadsOf } from './candidates.ts';
import type { OpenJobsHeldBy } from './workloads.ts';
import { escalationSaga } from './escalation-saga.ts';
import { executionSaga } from './execution-saga.ts';
import { obligationSaga } from './obligation-saga.ts';

export interface WorkProcessesDeps {
  store: EventStore;
  /** The process's one follower of the log: the timers and the sagas are processors on it. */
  consumer: LogConsumer;
  registry: PlatformEventRegistry;
  pipeline: CommandPipeline;
  loader: StreamLoader;
  bus: Bus;
  checkpoints: CheckpointStore;
  deadLetters?: DeadLetters;
  workloadsOf: WorkloadsOf;
  openJobsHeldBy: OpenJobsHeldBy;
  clock?: () => Date;
  logger?: Logger;
  timerTickMs?: number;
}

/** How work gets done, started and stopped together: durable timers and the four sagas. */
export class WorkProcesses {
  readonly timers: TimerService;
  readonly assignment: SagaRunner;
  readonly execution: SagaRunner;
  readonly obligations: SagaRunner;
  readonly escalations: SagaRunner;

  constructor(deps: WorkProcessesDeps) {
    const { store, consumer, registry, pipeline, loader, bus, checkpoints, logger } = deps;
    const clock = deps.clock ?? (() => new Date());
    this.timers = new TimerService(consumer, registry, pipeline, { tickMs: deps.timerTickMs ?? 250, clock, ...(logger ? { logger } : {}) });
    const runner = (saga: ConstructorParameters<typeof SagaRunner>[3]) =>
      new SagaRunner(consumer, registry, checkpoints, saga, { ...(logger ? { logger } : {}), ...(deps.deadLetters ? { deadLetters: deps.deadLetters } : {}) });
    this.assignment = runner(assignmentSaga({ pipeline, reader: loader, bus, workloadsOf: deps.workloadsOf, clock, ...(logger ? { logger } : {}) }));
    this.execution = runner(
      executionSaga({ pipeline, reader: loader, store, registry, bus, openJobsHeldBy: deps.openJobsHeldBy, clock, ...(logger ? { logger } : {}) }),
    );
    this.obligations = runner(obligationSaga({ pipeline, reader: loader, bus, ...(logger ? { logger } : {}) }));
    this.escalations = runner(escalationSaga({ pipeline, reader: loader, bus, ...(logger ? { logger } : {}) }));
  }

  async start(): Promise<void> {
    await this.assignment.start();
    await this.execution.start();
    await this.obligations.start();
    await this.escalations.start();
    this.timers.start();
  }

  /** Where each saga is in the log, and how many durable timers wait to fire: for /ready and /metrics. */
  status(): { sagas: Array<{ name: string; position: bigint; waiting: OutageStatus | null }>; timersPending: number; timersWaiting: OutageStatus | null } {
    const sagas = [this.assignment, this.execution, this.obligations, this.escalations].map((runner) => ({
      name: runner.saga.name,
      position: runner.handledPosition,
      waiting: runner.waiting,
    }));
    return { sagas, timersPending: this.timers.scheduled, timersWaiting: this.timers.waiting };
  }

  /** Resolves once every saga has handled the log up to `position` (for tests and read-your-writes of work). */
  async settled(position: bigint, timeoutMs = 5_000): Promise<boolean> {
    const results = await Promise.all(
      [this.assignment, this.execution, this.obligations, this.escalations].map((runner) => runner.waitFor(position, timeoutMs)),
    );
    return results.every(Boolean);
  }

  async stop(): Promise<void> {
    await this.timers.stop();
    await this.assignment.stop();
    await this.execution.stop();
    await this.obligations.stop();
    await this.escalations.stop();
  }
}
