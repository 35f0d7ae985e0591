import type { Bus } from '../bus/port.ts';
import type { AllowedHosts } from './allowed-hosts.ts';
import { ExecutableToolRunner } from './executable.ts';
import { HttpToolRunner, type SecretResolver } from './http.ts';
import { McpToolRunner } from './mcp.ts';
import { NatsToolRunner } from './nats.ts';
import { ProcessSlots } from './process-slots.ts';
import type { ToolRunner, ToolRunRequest, ToolRunResult } from './port.ts';
import type { RunnableEndpoint, ToolCallOf } from './runnable-tool.ts';

export type { AllowedHosts } from './allowed-hosts.ts';
export type { SecretResolver } from './http.ts';
export { listMcpTools, type McpListedTool, type McpListing } from './mcp-list-tools.ts';
export type { ToolFailureCode, ToolRunner, ToolRunRequest, ToolRunResult } from './port.ts';

export interface ToolRunnerDeps {
  /** The hosts an org's `http` and `mcp` (streamable HTTP) tools may reach. */
  allowedHosts: AllowedHosts;
  /** An org's secret by name, for `http` headers given as `{ secret }`. */
  secrets: SecretResolver;
  /** The platform's bus, for `nats` tools; without one they are `unreachable`. */
  bus?: Bus;
  /**
   * Whether a tool may start this program (an executable, a stdio MCP server): the operator's list, checked again here
   * at each call though registration checked it, so a tool registered before the list was narrowed starts nothing.
   */
  commandAllowed: (command: string) => boolean;
  /** Tool processes (executables and stdio MCP servers) running at once; default 32. */
  maxProcesses?: number;
}

const DEFAULT_MAX_PROCESSES = 32;

/** One runner for every kind: each call goes to the adapter of its endpoint's kind. */
export function createToolRunner(deps: ToolRunnerDeps): ToolRunner {
  const executable = new ExecutableToolRunner();
  const http = new HttpToolRunner(deps);
  const nats = new NatsToolRunner(deps.bus);
  const mcp = new McpToolRunner(deps);
  const slots = new ProcessSlots(deps.maxProcesses ?? DEFAULT_MAX_PROCESSES);
  return {
    run(request: ToolRunRequest): Promise<ToolRunResult> {
      const endpoint: RunnableEndpoint = request.tool.endpoint;
      const started =
        endpoint.kind === 'executable' ? endpoint.command : endpoint.kind === 'mcp' && endpoint.server.transport === 'stdio' ? endpoint.server.command : null;
      if (started !== null && !deps.commandAllowed(started)) {
        return Promise.resolve({ ok: false, code: 'command_not_allowed', message: `this platform does not let tools start ${started}`, durationMs: 0 });
      }
      switch (endpoint.kind) {
        case 'executable':
          return slots.hold(() => executable.run(narrowed(request, endpoint)));
        case 'http':
          return http.run(narrowed(request, endpoint));
        case 'nats':
          return nats.run(narrowed(request, endpoint));
        case 'mcp':
          if (endpoint.server.transport === 'stdio') return slots.hold(() => mcp.run(narrowed(request, endpoint)));
          return mcp.run(narrowed(request, endpoint));
      }
    },
  };
}

function narrowed<E extends RunnableEndpoint>(request: ToolRunRequest, endpoint: E): ToolCallOf<E> {
  return { ...request, tool: { ...request.tool, endpoint } };
}
