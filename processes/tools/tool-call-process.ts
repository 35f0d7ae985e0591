import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import { toolCallAggregate as defaultAggregate, type ToolCallAggregate } from '../../commands/handlers/tool-call.ts';
import type { CommandPipeline } from '../../commands/pipeline.ts';
import type { StreamReader } from '../../commands/stream-loader.ts';
import type { PlatformEventRegistry } from '../../domain/events/catalog.ts';
import { isAppError } from '../../domain/shared/app-error.ts';
import { toolCallDecider } from '../../domain/tool-call/decider.ts';
import { toolCallStream } from '../../domain/tool-call/events.ts';
import type { ToolCallCommand } from '../../domain/tool-call/commands.ts';
import type { ToolCall } from '../../domain/tool-call/state.ts';
import { toolDecider } from '../../domain/tool/decider.ts';
import { toolStream } from '../../domain/tool/events.ts';
import type { CheckpointStore } from '../../infra/log-consumer/checkpoint-store.ts';
import type { LogConsumer } from '../../infra/log-consumer/log-consumer.ts';
import type { OutageStatus } from '../../infra/outage/dependency-outage.ts';
import { sleepBackoff } from '../../infra/retry/backoff.ts';
import { toolCallRecord } from '../../infra/retry/policies.ts';
import type { ToolRunner, ToolRunResult } from '../../infra/tool-runners/port.ts';
import { SagaRunner, type DeadLetters, type Saga, type SagaEvent } from '../saga-runner.ts';
import { SystemCommands } from '../work/system-commands.ts';
import { decideToolCallRun } from './decide.ts';
import { HeldCheckpoints } from './held-checkpoints.ts';
import { outcomeOf, thrownResult } from './run-outcome.ts';

export interface ToolCallProcessDeps {
  consumer: LogConsumer;
  registry: PlatformEventRegistry;
  pipeline: CommandPipeline;
  reader: StreamReader;
  checkpoints: CheckpointStore;
  /** Runs each call outside the server process (the composition root's; infra/tool-runners/). */
  runner: ToolRunner;
  deadLetters?: DeadLetters;
  /** The aggregate the routes request calls through (its rate window is the process's). */
  aggregate?: ToolCallAggregate;
  logger?: Logger;
  clock?: () => Date;
  /** Calls run at once; the process reads on only when one of them ends. */
  maxConcurrent?: number;
  /** How this instance claims calls; unique per process start. */
  runnerId?: string;
}

/** How long past a tool's own timeout a run may take before the process records it as timed out itself. */
const RUN_DEADLINE_GRACE_MS = 1_000;
const NAME = 'tool-calls';
const STEP_ATTEMPTS = 5;

/**
 * Runs the tool calls requested in the log: a saga on the process's LogConsumer that, for each ToolCallRequested
 * without an outcome, claims the call (StartToolCall, under this instance's runner id: a second claim is refused, so a
 * call runs at most once), runs it through the runner with the spec of the version it was requested with, checks the
 * output against the output schema and records the outcome. Each call is claimed, run and recorded in the background
 * (up to `maxConcurrent` at once) while the saga reads on; its checkpoint never passes a call still running (HeldCheckpoints), so a crash leaves the
 * request to be read again, the call found claimed and unfinished, and failed as `interrupted` once its lease is over.
 */
export class ToolCallProcess {
  readonly runnerId: string;
  private readonly saga: SagaRunner;
  private readonly held: HeldCheckpoints;
  private readonly commands: SystemCommands;
  private readonly aggregate: ToolCallAggregate;
  private readonly clock: () => Date;
  private readonly maxConcurrent: number;
  /** The calls this process runs now, each with what stops it. */
  private readonly running = new Map<string, AbortController>();
  private readonly runs = new Set<Promise<void>>();
  private readonly waits = new Map<string, NodeJS.Timeout>();
  private slotFreed: (() => void) | undefined;
  private stopping = false;

  constructor(private readonly deps: ToolCallProcessDeps) {
    this.runnerId = deps.runnerId ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    this.held = new HeldCheckpoints(deps.checkpoints);
    this.commands = new SystemCommands(deps.pipeline, deps.logger);
    this.aggregate = deps.aggregate ?? defaultAggregate;
    this.clock = deps.clock ?? (() => new Date());
    this.maxConcurrent = deps.maxConcurrent ?? 64;
    const saga: Saga<'ToolCallRequested'> = { name: NAME, eventTypes: ['ToolCallRequested'], handle: (event) => this.handle(event) };
    this.saga = new SagaRunner(deps.consumer, deps.registry, this.held, saga as Saga, {
      ...(deps.logger ? { logger: deps.logger } : {}),
      ...(deps.deadLetters ? { deadLetters: deps.deadLetters } : {}),
    });
  }

  async start(): Promise<void> {
    this.stopping = false;
    await this.saga.start();
  }

  /** Where the process is in the log, and the outage it waits out, if any: for /ready, as the work sagas. */
  status(): { name: string; position: bigint; waiting: OutageStatus | null } {
    return { name: NAME, position: this.saga.handledPosition, waiting: this.saga.waiting };
  }

  /** Resolves once every request up to `position` is handled (its run started, not necessarily ended); false on timeout. */
  settled(position: bigint, timeoutMs = 5_000): Promise<boolean> {
    return this.saga.waitFor(position, timeoutMs);
  }

  /**
   * Stops reading, and stops the calls running: each runner is told (its signal) and answers `cancelled`, which is
   * recorded while the pipeline still takes commands. One whose outcome cannot be recorded stays held, so the next
   * start finds it claimed and unfinished and fails it as interrupted.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const timer of this.waits.values()) clearTimeout(timer);
    this.waits.clear();
    for (const controller of this.running.values()) controller.abort();
    // The saga saves its checkpoint as it stops: before any held call, which the runs below may still release.
    await this.saga.stop();
    await Promise.allSettled([...this.runs]);
  }

  private async handle(event: SagaEvent<'ToolCallRequested'>): Promise<void> {
    await this.decideAndAct(event.data.callId, event.position, event);
  }

  private async decideAndAct(callId: string, position: bigint, cause: SagaEvent | undefined): Promise<void> {
    const call = (await this.deps.reader.load(toolCallDecider, toolCallStream(callId))).state;
    const now = this.clock().toISOString();
    const step = decideToolCallRun(call, { running: this.running.has(callId) }, now);
    if (call === null || step.kind === 'nothing') {
      // Finished (by this process or another): nothing of it is held any more, e.g. a call waited on for its lease.
      if (call?.outcome) this.held.release(callId);
      return;
    }
    const ref = { orgId: call.orgId, callId };
    switch (step.kind) {
      case 'interrupt': {
        const durationMs = Math.max(0, Date.parse(now) - Date.parse(step.startedAt));
        const message = 'the platform stopped while the call ran; a claimed call is never run again';
        await this.record({ type: 'FailToolCall', data: { ...ref, code: 'interrupted', message, durationMs } }, cause);
        this.held.release(callId);
        return;
      }
      case 'wait': {
        this.held.hold(callId, position);
        if (this.stopping || this.waits.has(callId)) return;
        const delay = Math.max(0, Date.parse(step.until) - Date.parse(now)) + 10;
        const timer = setTimeout(() => {
          this.waits.delete(callId);
          this.decideAndAct(callId, position, undefined).catch((error: unknown) =>
            this.deps.logger?.error({ err: error, callId }, 'a claimed tool call could not be looked at again; the next start will'),
          );
        }, delay);
        timer.unref();
        this.waits.set(callId, timer);
        return;
      }
      case 'start': {
        // Already running here (a stale read of the call): claiming again would answer this process's own claim.
        if (this.running.has(callId)) return;
        this.held.hold(callId, position);
        // Stopping: left unclaimed and held, so the next start reads the request again and runs it.
        if (this.stopping) return;
        await this.freeSlot();
        this.launch(call, position, cause);
        return;
      }
    }
  }

  /** Waits until fewer than `maxConcurrent` calls run: the saga reads no further meanwhile. */
  private async freeSlot(): Promise<void> {
    while (this.running.size >= this.maxConcurrent) {
      await new Promise<void>((resolve) => {
        this.slotFreed = resolve;
      });
    }
  }

  /**
   * Claims the call, runs it and records the outcome, in the background: the saga reads on meanwhile (the call is held,
   * so its checkpoint stays before it until the outcome is recorded).
   */
  private launch(call: ToolCall, position: bigint, cause: SagaEvent | undefined): void {
    const controller = new AbortController();
    // Launched while the process began to stop: the runner is told at once, and the call recorded as cancelled.
    if (this.stopping) controller.abort();
    this.running.set(call.callId, controller);
    const run = this.claimAndRun(call, position, controller.signal, cause)
      .catch((error: unknown) =>
        this.deps.logger?.error(
          { err: error, callId: call.callId },
          'a tool call could not be claimed or its outcome recorded; the next start fails it as interrupted',
        ),
      )
      .finally(() => {
        this.running.delete(call.callId);
        this.runs.delete(run);
        this.slotFreed?.();
      });
    this.runs.add(run);
  }

  private async claimAndRun(call: ToolCall, position: bigint, signal: AbortSignal, cause: SagaEvent | undefined): Promise<void> {
    const { callId, orgId } = call;
    const claimed = await this.withRetries(() =>
      this.commands.run(
        this.aggregate,
        { type: 'StartToolCall', data: { orgId, callId, runnerId: this.runnerId } },
        `toolcall:${callId}:start:${this.runnerId}`,
        cause,
      ),
    );
    if (!isAppError(claimed)) return this.runAndRecord(call, signal, cause);
    // Claimed meanwhile (another instance, or this one before a restart): decide on the claim as it is now.
    if (claimed.code !== 'TOOL_CALL_ALREADY_STARTED') throw new Error(`tool call ${callId} could not be claimed: ${claimed.code} ${claimed.message}`);
    this.running.delete(callId);
    await this.decideAndAct(callId, position, cause);
  }

  private async runAndRecord(call: ToolCall, signal: AbortSignal, cause: SagaEvent | undefined): Promise<void> {
    const ref = { orgId: call.orgId, callId: call.callId };
    const tool = (await this.deps.reader.load(toolDecider, toolStream(call.toolId))).state;
    const spec = tool?.versions[call.version];
    if (spec === undefined) {
      const message = `version ${call.version} of tool ${call.toolName} is not in the registry`;
      await this.record({ type: 'FailToolCall', data: { ...ref, code: 'unreachable', message, durationMs: 0 } }, cause);
    } else {
      const result = await this.runBounded({ tool: spec, input: call.input, orgId: call.orgId, signal }, spec.timeoutMs);
      await this.record(outcomeOf(ref, spec, result), cause);
    }
    this.held.release(call.callId);
  }

  /** The runner's answer, or a timeout of the process's own when the runner does not answer in time (a hung runner). */
  private async runBounded(request: Parameters<ToolRunner['run']>[0], timeoutMs: number): Promise<ToolRunResult> {
    const started = performance.now();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<ToolRunResult>((resolve) => {
      timer = setTimeout(
        () => resolve({ ok: false, code: 'timeout', message: `no answer within ${timeoutMs} ms`, durationMs: performance.now() - started }),
        timeoutMs + RUN_DEADLINE_GRACE_MS,
      );
    });
    try {
      return await Promise.race([this.deps.runner.run(request).catch((error: unknown) => thrownResult(error, performance.now() - started)), deadline]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Records an outcome; a refusal means another outcome was recorded first (it stands). */
  private async record(command: Extract<ToolCallCommand, { type: 'CompleteToolCall' | 'FailToolCall' }>, cause: SagaEvent | undefined): Promise<void> {
    const { callId } = command.data;
    const result = await this.withRetries(() => this.commands.run(this.aggregate, command, `toolcall:${callId}:outcome`, cause));
    if (isAppError(result)) this.deps.logger?.debug({ callId, code: result.code }, 'tool call outcome not recorded: one was recorded first');
  }

  /**
   * A step tried again after an outage (a thrown StepUnavailableError), a few times with growing pauses; then, or
   * while stopping, the failure is thrown: the call stays held, and the next start fails it as interrupted.
   */
  private async withRetries<T>(step: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await step();
      } catch (error) {
        if (this.stopping || attempt >= STEP_ATTEMPTS) throw error;
        await sleepBackoff(toolCallRecord, attempt);
      }
    }
  }
}
