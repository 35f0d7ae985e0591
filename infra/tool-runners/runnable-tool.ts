import type { JsonValue } from '../json-value.ts';
import type { ToolRunRequest } from './port.ts';

/*
 * What a runner needs to know of a tool, in infra's own terms: infra knows nothing of the domain, so the registry's
 * zod schemas (domain/tool/spec.ts, which validate a registration) are not imported here. The registry's ToolSpec is
 * assignable to RunnableTool; test/unit/tool-runners.spec-fits.spec.ts keeps the two in step at compile time.
 */

export interface HttpEndpoint {
  kind: 'http';
  url: string;
  method: 'POST' | 'PUT';
  /** A value, or the name of a secret the runner resolves at call time (never logged, never in an error). */
  headers: Readonly<Record<string, string | { secret: string }>>;
}

export interface NatsEndpoint {
  kind: 'nats';
  subject: string;
}

export interface McpEndpoint {
  kind: 'mcp';
  server: { transport: 'stdio'; command: string; args: readonly string[] } | { transport: 'http'; url: string };
  remoteName: string;
}

export interface ExecutableEndpoint {
  kind: 'executable';
  command: string;
  args: readonly string[];
  env: Readonly<Record<string, string>>;
  memoryMb: number;
  cpuSeconds: number;
}

export type RunnableEndpoint = HttpEndpoint | NatsEndpoint | McpEndpoint | ExecutableEndpoint;

export interface RunnableTool {
  name: string;
  endpoint: RunnableEndpoint;
  timeoutMs: number;
  maxOutputBytes: number;
  /** Declared, for runners that pass it on (MCP); the input was validated against it before the call. */
  inputSchema?: { readonly [key: string]: JsonValue };
}

/** Where an MCP tool's server is: a command the platform starts (stdio) or a streamable HTTP URL. */
export type McpServerAddress = McpEndpoint['server'];

/** A tool with an endpoint of one kind, as each adapter takes it. */
export type RunnableToolOf<E extends RunnableEndpoint> = Omit<RunnableTool, 'endpoint'> & { endpoint: E };

/** The request an adapter of one kind answers: the port's request narrowed to that kind. */
export type ToolCallOf<E extends RunnableEndpoint> = Omit<ToolRunRequest, 'tool'> & { tool: RunnableToolOf<E> };
