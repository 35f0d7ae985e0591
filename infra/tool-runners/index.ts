import type { Bus } from '../bus/port.ts';
import type { AllowedHosts } from './allowed-hosts.ts';
import { ExecutableToolRunner } from './executable.ts';
import { HttpToolRunner, type SecretResolver } from './http.ts';
import { McpToolRunner } from './mcp.ts';
import { NatsToolRunner } from './nats.ts';
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
}

/** One runner for every kind: each call goes to the adapter of its endpoint's kind. */
export function createToolRunner(deps: ToolRunnerDeps): ToolRunner {
  const executable = new ExecutableToolRunner();
  const http = new HttpToolRunner(deps);
  const nats = new NatsToolRunner(deps.bus);
  const mcp = new McpToolRunner(deps);
  return {
    run(request: ToolRunRequest): Promise<ToolRunResult> {
      const endpoint: RunnableEndpoint = request.tool.endpoint;
      switch (endpoint.kind) {
        case 'executable':
          return executable.run(narrowed(request, endpoint));
        case 'http':
          return http.run(narrowed(request, endpoint));
        case 'nats':
          return nats.run(narrowed(request, endpoint));
        case 'mcp':
          return mcp.run(narrowed(request, endpoint));
      }
    },
  };
}

function narrowed<E extends RunnableEndpoint>(request: ToolRunRequest, endpoint: E): ToolCallOf<E> {
  return { ...request, tool: { ...request.tool, endpoint } };
}
