import type { Logger } from 'pino';
import type { PlatformEventRegistry } from '../domain/events/catalog.ts';
import type { CommandPipeline } from '../commands/pipeline.ts';
import type { JobAggregate } from '../commands/handlers/job.ts';
import type { StreamLoader } from '../commands/stream-loader.ts';
import type { Config } from '../infra/config/env.ts';
import type { EventStore } from '../infra/eventstore/port.ts';
import type { Bus } from '../infra/bus/port.ts';
import type { AgentCredentialIssuer } from '../infra/bus/nats-auth/agent-credentials.ts';
import type { DocumentStore } from '../infra/documents/port.ts';
import type { Cache } from '../infra/cache/port.ts';
import type { ApiKeyIndex } from '../projections/api-key-index.ts';
import type { ParkedEventIndex } from '../projections/parked-events.ts';
import type { ProjectionRunner } from '../projections/runner.ts';
import type { AssociationExpiryProcess } from '../processes/association-expiry.ts';
import type { EventFanout } from '../processes/event-fanout.ts';
import type { WorkProcesses } from '../processes/work/work-processes.ts';
import type { ToolCallAggregate } from '../commands/handlers/tool-call.ts';
import type { ToolAggregate } from '../commands/handlers/tool.ts';
import type { ToolCallProcess } from '../processes/tools/tool-call-process.ts';
import type { AgentGateway } from './agent-gateway/gateway.ts';

/**
 * The running platform's parts, as the API sees them. They are wired once, by the composition root
 * (bin/platform/start-platform.ts); the API and the CLI both build on this.
 */
export interface Platform {
  config: Config;
  store: EventStore;
  registry: PlatformEventRegistry;
  loader: StreamLoader;
  pipeline: CommandPipeline;
  /** The job aggregate, its open-jobs quota counted from the jobs read model: run job commands with this one. */
  jobs: JobAggregate;
  apiKeys: ApiKeyIndex;
  /** Records association expiries in the log. */
  expiry: AssociationExpiryProcess;
  /** Read models (MongoDB or the embedded store), built by `projections`. */
  docs: DocumentStore;
  /** Hot-path cache (Redis or in-process); never the source of truth. */
  cache: Cache;
  projections: ProjectionRunner;
  /** Events an operator parked for a projection (learned from the log): the projections skip them. */
  parked: ParkedEventIndex;
  /** NATS (NATS_URL) or the in-process bus. */
  bus: Bus;
  /** Issues agents' bus credentials when the bus is secured (NATS_AGENT_ISSUER_SEED_FILE); undefined otherwise. */
  agentBusCredentials: AgentCredentialIssuer | undefined;
  /** Publishes every committed event on `agencygrid.events.<orgId|platform>.<category>.<EventType>`. */
  fanout: EventFanout;
  /** Assignment, execution, obligation and escalation sagas, and durable timers. */
  work: WorkProcesses;
  /** The tool registry, its tools per org counted from the tools read model: run tool commands with this one. */
  toolRegistry: ToolAggregate;
  /** Request tool calls through this one (with `requestToolCall`): its rate window is the process's. */
  toolCalls: ToolCallAggregate;
  /** Runs the requested tool calls through the composition root's ToolRunner and records their outcomes. */
  tools: ToolCallProcess;
  /** Agents' requests on the bus (`agencygrid.work.*`): authenticated, rate-limited, run through the pipeline. */
  agentGateway: AgentGateway;
  logger: Logger;
  close(): Promise<void>;
}
