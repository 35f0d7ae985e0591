import { join } from 'node:path';
import type { Logger } from 'pino';
import { createEventRegistry } from '../../domain/events/catalog.ts';
import { CommandPipeline } from '../../commands/pipeline.ts';
import { createJobAggregate } from '../../commands/handlers/job.ts';
import { governedCheck } from '../../commands/governance/governed-check.ts';
import type { PreAppendCheck } from '../../commands/pre-append-check.ts';
import { StreamLoader } from '../../commands/stream-loader.ts';
import { recordBuiltinPolicies } from '../../commands/record-builtin-policies.ts';
import { inputLimitsOf, type Config } from '../../infra/config/env.ts';
import type { EventStore } from '../../infra/eventstore/port.ts';
import { LogConsumer } from '../../infra/log-consumer/log-consumer.ts';
import { ApiKeyIndex } from '../../projections/api-key-index.ts';
import { AssociationExpiryProcess } from '../../processes/association-expiry.ts';
import { CHECKPOINTS_DIR, FileCheckpointStore, MemoryCheckpointStore } from '../../infra/log-consumer/checkpoint-store.ts';
import { EventFanout } from '../../processes/event-fanout.ts';
import { openBus } from '../../infra/bus/open.ts';
import type { DocumentStore } from '../../infra/documents/port.ts';
import { SqliteDocumentStore } from '../../infra/documents/sqlite.ts';
import { MemoryCache } from '../../infra/cache/memory.ts';
import type { Cache } from '../../infra/cache/port.ts';
import { readModelProjections } from '../../projections/read-models/all.ts';
import { openJobsFromReadModel } from '../../projections/read-models/jobs.ts';
import { ParkedEventIndex } from '../../projections/parked-events.ts';
import { ProjectionRunner } from '../../projections/runner.ts';
import { DocumentCheckpointStore } from '../../infra/log-consumer/document-checkpoint-store.ts';
import { DocumentDeadLetters } from '../../processes/document-dead-letters.ts';
import { WorkProcesses } from '../../processes/work/work-processes.ts';
import { connectRateLimitRedis, RateCounter } from '../../infra/rate-limit/counter.ts';
import { openJobsHeldFromReadModel, workloadsFromReadModel } from '../../processes/work/workloads.ts';

import { createToolCallAggregate } from '../../commands/handlers/tool-call.ts';
import { createToolAggregate } from '../../commands/handlers/tool.ts';
import { toolCountFromReadModel } from '../../projections/read-models/tools.ts';
import type { ToolRunner } from '../../infra/tool-runners/port.ts';
import { createToolRunner } from '../../infra/tool-runners/index.ts';
import { allowedToolHostsOf } from '../../domain/tool/allowed-hosts.ts';
import { isCommandAllowed } from '../../domain/tool/allowed-commands.ts';
import { orgDecider, orgStream } from '../../domain/org/decider.ts';
import { ToolCallProcess } from '../../processes/tools/tool-call-process.ts';
import { AgentGateway } from '../../api/agent-gateway/gateway.ts';
import type { Platform } from '../../api/platform.ts';

/**
 * The composition root: opens the bus, builds the pipeline, and starts every follower of the log, in order, each a
 * processor on the process's one LogConsumer.
 */
export async function startPlatform(
  config: Config,
  store: EventStore,
  logger: Logger,
  check: PreAppendCheck = governedCheck,
  docs: DocumentStore = new SqliteDocumentStore({ path: ':memory:' }),
  cache: Cache = new MemoryCache(),
  /** Runs tool calls outside the process; default: the runners of infra/tool-runners/ (tests give a double). */
  toolRunner?: ToolRunner,
): Promise<Platform> {
  // Loaded only for a secured bus, like the NATS adapter: the embedded default does not pay for nats.js at start.
  const agentBusCredentials =
    config.NATS_AGENT_ISSUER_SEED_FILE === undefined
      ? undefined
      : (await import('../../infra/bus/nats-auth/agent-credentials.ts')).AgentCredentialIssuer.fromSeedFile(
          config.NATS_AGENT_ISSUER_SEED_FILE,
          config.NATS_AGENT_CREDENTIALS_TTL_MS,
        );
  // First: a configured NATS that cannot be reached fails start-up before anything else has started.
  const {
    bus,
    description: busDescription,
    durable,
  } = await openBus(config, {
    onError: (error, context) => logger.error({ err: error, subject: context.subject }, 'bus message handler failed'),
  });
  if (config.NATS_URL && !config.NATS_CREDS_FILE) {
    logger.warn(
      'NATS without authentication: any client of that server can read agents\' keys and inboxes and forge dispatches; run the shipped deploy/nats config (README "Running the bus securely")',
    );
  }
  const registry = createEventRegistry();
  const loader = new StreamLoader(store, registry);
  const pipeline = new CommandPipeline({ store, loader, registry, check, inputLimits: inputLimitsOf(config) });
  await recordBuiltinPolicies(store, registry);
  // The one reader of `$all` in the process: every follower below is a processor on it, with a cursor of its own.
  const consumer = new LogConsumer(store, {
    onDrop: (error) => logger.warn({ err: error }, 'the log subscription dropped; subscribing again from its position'),
  });
  const apiKeys = new ApiKeyIndex(consumer, registry);
  await apiKeys.start();
  const expiry = new AssociationExpiryProcess(consumer, registry, pipeline);
  expiry.start();
  // With NATS the fan-out resumes from a checkpoint under DATA_DIR; the in-process bus forgets its stream on exit,
  // so there it starts at the head (live events for in-process consumers) and keeps 5 minutes of them (its memory).
  const fanout = new EventFanout(
    consumer,
    bus,
    durable ? new FileCheckpointStore(join(config.dataDir, CHECKPOINTS_DIR)) : new MemoryCheckpointStore(),
    durable ? { startFrom: 'beginning', logger } : { startFrom: 'head', maxAgeMs: 5 * 60 * 1000, logger },
  );
  await fanout.start();
  logger.debug({ bus: busDescription }, 'event fan-out started');
  const parked = new ParkedEventIndex(consumer, registry);
  const projections = new ProjectionRunner(consumer, docs, registry, readModelProjections, cache, {
    onOutage: (projection, outage) =>
      outage === null
        ? logger.info({ projection }, 'projection resumed: its dependency answers again')
        : logger.warn({ projection, dependency: outage.dependency, reason: outage.message }, 'projection waiting for an unavailable dependency'),
    parked,
  });
  // Parks are known before any projection starts, so a restart never stops again at a parked event.
  await parked.start((projection) => projections.resumeParked(projection));
  await projections.start();
  const jobs = createJobAggregate({ openJobsOf: openJobsFromReadModel({ store, docs, projections }) });
  // Agents' bus requests, counted per agent: in Redis when configured, so every instance's gateway counts together.
  // Its Redis calls time out and fail fast like the cache's (CACHE_TIMEOUT_MS, CACHE_RETRY_AFTER_MS).
  const rateRedis = config.REDIS_URL
    ? connectRateLimitRedis(config.REDIS_URL, 'agencygrid-agent-rate-limit', {
        commandTimeoutMs: config.CACHE_TIMEOUT_MS,
        retryAfterMs: config.CACHE_RETRY_AFTER_MS,
      })
    : undefined;
  const agentRateLimit = new RateCounter({
    max: config.AGENT_BUS_RATE_LIMIT,
    windowMs: config.RATE_LIMIT_WINDOW_MS,
    keyPrefix: `${config.RATE_LIMIT_REDIS_PREFIX}bus:`,
    ...(rateRedis ? { redis: rateRedis } : {}),
  });
  const agentGateway = new AgentGateway({ bus, pipeline, apiKeys, reader: loader, rateLimit: agentRateLimit, logger });
  const work = new WorkProcesses({
    store,
    consumer,
    registry,
    pipeline,
    loader,
    bus,
    checkpoints: new DocumentCheckpointStore(docs),
    deadLetters: new DocumentDeadLetters(docs),
    workloadsOf: workloadsFromReadModel({ store, docs, projections }),
    openJobsHeldBy: openJobsHeldFromReadModel({ docs, projections }),
    logger,
  });
  const toolRegistry = createToolAggregate({ toolsOf: toolCountFromReadModel({ store, docs, projections }), allowedCommands: config.TOOL_COMMANDS });
  const toolCalls = createToolCallAggregate();
  // The org's allowed hosts are read at each call, so narrowing them applies at once. No org holds secrets yet: a
  // header naming one fails its call as unreachable, naming the secret.
  const runner =
    toolRunner ??
    createToolRunner({
      allowedHosts: async (orgId) => allowedToolHostsOf((await loader.load(orgDecider, orgStream(orgId))).state?.metadata ?? {}),
      secrets: () => undefined,
      bus,
      commandAllowed: (command) => isCommandAllowed(command, config.TOOL_COMMANDS),
    });
  const tools = new ToolCallProcess({
    consumer,
    registry,
    pipeline,
    reader: loader,
    checkpoints: new DocumentCheckpointStore(docs),
    deadLetters: new DocumentDeadLetters(docs),
    runner,
    aggregate: toolCalls,
    logger,
  });
  await agentGateway.start();
  await work.start();
  await tools.start();
  return {
    config,
    store,
    registry,
    loader,
    pipeline,
    jobs,
    apiKeys,
    expiry,
    docs,
    cache,
    projections,
    parked,
    bus,
    agentBusCredentials,
    fanout,
    work,
    toolRegistry,
    toolCalls,
    tools,
    agentGateway,
    logger,
    async close() {
      await expiry.stop();
      await agentGateway.stop();
      await work.stop();
      // Before the pipeline drains: the calls it stops are recorded as cancelled.
      await tools.stop();
      await pipeline.drain();
      await apiKeys.stop();
      await fanout.stop();
      await bus.close();
      await projections.stop();
      await parked.stop();
      await consumer.stop();
      await docs.close();
      await cache.close();
      await store.close();
      rateRedis?.close();
    },
  };
}
