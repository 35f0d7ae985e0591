import type { ToolRunRequest } from './port.ts';

/*
 * What a runner needs of a registered tool: how to reach it and its bounds. The registry's ToolSpec
 * (domain/tool/spec.ts) is the schema these shapes come from; infra/ may not import the domain, so the port names
 * them here, and the compiler checks that a ToolSpec is one of them wherever one is handed to a runner (the
 * tool-runner tests hand it ToolSpecs parsed by the domain's schema). Fields are those the spec's defaults fill, so a
 * parsed spec always has them.
 */

export type SecretRef = { secret: string };

export type HttpEndpoint = {
  kind: 'http';
  url: string;
  method: 'POST' | 'PUT';
  headers: Record<string, string | SecretRef>;
};

export type NatsEndpoint = { kind: 'nats'; subject: string };

export type McpServerAddress = { transport: 'stdio'; command: string; args: string[] } | { transport: 'http'; url: string };

export type McpEndpoint = { kind: 'mcp'; server: McpServerAddress; remoteName: string };

export type ExecutableEndpoint = {
  kind: 'executable';
  command: string;
  args: string[];
  env: Record<string, string>;
  memoryMb: number;
  cpuSeconds: number;
};

export type RunnableEndpoint = HttpEndpoint | NatsEndpoint | McpEndpoint | ExecutableEndpoint;

export interface RunnableTool {
  name: string;
  endpoint: RunnableEndpoint;
  timeoutMs: number;
  maxOutputBytes: number;
}

/** A tool with an endpoint of one kind, as each adapter takes it. */
export type RunnableToolOf<E extends RunnableEndpoint> = Omit<RunnableTool, 'endpoint'> & { endpoint: E };

/** The request an adapter of one kind answers: the port's request narrowed to that kind. */
export type ToolCallOf<E extends RunnableEndpoint> = Omit<ToolRunRequest, 'spec'> & { spec: RunnableToolOf<E> };
