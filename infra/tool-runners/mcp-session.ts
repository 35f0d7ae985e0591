import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { FetchLike, Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { hostAllowed } from './allowed-hosts.ts';
import { SandboxedStdioTransport } from './mcp-stdio-transport.ts';
import { outputTooLarge } from './outcome.ts';
import type { ToolFailureCode } from './port.ts';
import type { McpServerAddress } from './runnable-tool.ts';

export interface McpFailure {
  code: ToolFailureCode;
  message: string;
}

/** Room for the JSON-RPC envelope around a result, so a cap of maxOutputBytes on the output is not hit by the frame. */
const ENVELOPE_BYTES = 16 * 1024;

/**
 * One connection to an MCP server for one call (or one listing), closed after it: a stdio server is started for it
 * and stopped after it, so no state or process outlives a call. The streamable HTTP transport follows redirects only
 * within the server's origin (the SDK's default), and its host must be one the org allows, as for an `http` tool.
 */
export class McpSession {
  readonly client = new Client({ name: 'agencygrid', version: '1' });
  private readonly stdio: SandboxedStdioTransport | undefined;
  private readonly connection: Transport;
  private httpOverflowed = false;

  private constructor(
    server: McpServerAddress,
    private readonly maxOutputBytes: number,
  ) {
    const maxMessageBytes = maxOutputBytes + ENVELOPE_BYTES;
    if (server.transport === 'stdio') {
      this.stdio = new SandboxedStdioTransport(server.command, server.args, maxMessageBytes);
      this.connection = this.stdio;
    } else this.connection = new StreamableHTTPClientTransport(new URL(server.url), { fetch: this.cappedFetch(maxMessageBytes) });
  }

  /** A connected session, or why there is none: a host the org does not allow, a server that cannot be started or reached. */
  static async open(
    server: McpServerAddress,
    options: { maxOutputBytes: number; allowedHosts: readonly string[]; signal: AbortSignal; timeoutMs: number },
  ): Promise<McpSession | McpFailure> {
    if (server.transport === 'http' && !hostAllowed(new URL(server.url), options.allowedHosts))
      return { code: 'host_not_allowed', message: `the host ${new URL(server.url).host} is not one the org allows its tools to reach` };
    const session = new McpSession(server, options.maxOutputBytes);
    try {
      await session.client.connect(session.connection, { signal: options.signal, timeout: options.timeoutMs });
      return session;
    } catch (error) {
      const failure = session.failure(error);
      await session.close();
      return failure;
    }
  }

  /** Why a request failed, from what the transport saw first (a flood, the server's exit) and then the error itself. */
  failure(error: unknown): McpFailure {
    if (this.httpOverflowed || this.stdio?.overflowed === true) return { code: 'output_too_large', message: outputTooLarge(this.maxOutputBytes) };
    const exit = this.stdio?.exit;
    if (exit !== undefined && exit !== 'closed') return { code: 'crashed', message: `the MCP server ${exit}${this.stdio?.stderr.suffix() ?? ''}` };
    const message = error instanceof Error ? error.message : String(error);
    if (error instanceof McpError && error.code === ErrorCode.RequestTimeout) return { code: 'timeout', message };
    if (error instanceof McpError && error.code !== ErrorCode.ConnectionClosed) return { code: 'remote_error', message: `the MCP server answered: ${message}` };
    return { code: 'unreachable', message: `could not reach the MCP server (${message})` };
  }

  async close(): Promise<void> {
    await this.client.close().catch(() => undefined);
    await this.stdio?.close();
  }

  /** fetch whose response bodies error past `maxBytes`, so the SDK never buffers a flood. */
  private cappedFetch(maxBytes: number): FetchLike {
    return async (url, init) => {
      const response = await fetch(url, init);
      if (response.body === null) return response;
      let seen = 0;
      const cap = new TransformStream<Uint8Array, Uint8Array>({
        transform: (chunk, controller) => {
          seen += chunk.byteLength;
          if (seen > maxBytes) {
            this.httpOverflowed = true;
            controller.error(new Error(`an MCP message larger than ${maxBytes} bytes`));
            // The SDK reports a broken event stream without failing the request it answers: closing fails it now.
            void this.client.close();
            return;
          }
          controller.enqueue(chunk);
        },
      });
      return new Response(response.body.pipeThrough(cap), { status: response.status, statusText: response.statusText, headers: response.headers });
    };
  }
}
