import type { JsonObject } from '../json-value.ts';
import { CallDeadline } from './deadline.ts';
import { McpSession } from './mcp-session.ts';
import type { ToolFailureCode } from './port.ts';
import type { McpServerAddress } from './runnable-tool.ts';

/** One tool as an MCP server lists it, for the registry to import (its schemas are checked there, on registration). */
export interface McpListedTool {
  name: string;
  description: string;
  inputSchema: JsonObject;
  outputSchema?: JsonObject;
}

export type McpListing = { ok: true; tools: McpListedTool[] } | { ok: false; code: ToolFailureCode; message: string };

export interface McpListOptions {
  /** The org's allowed hosts, for a server over streamable HTTP (none: no HTTP server is allowed). */
  allowedHosts?: readonly string[];
  timeoutMs?: number;
  signal?: AbortSignal;
  /** A server listing more is refused rather than imported in part. */
  maxTools?: number;
  /** Bytes of one page of the listing. */
  maxPageBytes?: number;
}

/**
 * The tools an MCP server offers, every page of `tools/list`, within one timeout. The server is started (stdio) or
 * reached (HTTP) as for a call, with the same sandbox and host check.
 */
export async function listMcpTools(server: McpServerAddress, options: McpListOptions = {}): Promise<McpListing> {
  const { allowedHosts = [], timeoutMs = 30_000, signal = new AbortController().signal, maxTools = 500, maxPageBytes = 1024 * 1024 } = options;
  const deadline = new CallDeadline(timeoutMs, signal);
  const opened = await McpSession.open(server, { maxOutputBytes: maxPageBytes, allowedHosts, signal: deadline.signal, timeoutMs });
  if (!(opened instanceof McpSession)) {
    deadline.dispose();
    return deadline.signal.aborted ? { ok: false, ...deadline.why() } : { ok: false, ...opened };
  }
  try {
    const tools: McpListedTool[] = [];
    let cursor: string | undefined;
    do {
      const page = await opened.client.listTools(cursor === undefined ? {} : { cursor }, { signal: deadline.signal, timeout: timeoutMs });
      for (const tool of page.tools) {
        tools.push({
          name: tool.name,
          description: tool.description ?? '',
          inputSchema: tool.inputSchema as JsonObject,
          ...(tool.outputSchema === undefined ? {} : { outputSchema: tool.outputSchema as JsonObject }),
        });
      }
      if (tools.length > maxTools) return { ok: false, code: 'output_too_large', message: `the MCP server lists more than ${maxTools} tools` };
      cursor = page.nextCursor;
    } while (cursor !== undefined);
    return { ok: true, tools };
  } catch (error) {
    if (deadline.signal.aborted) return { ok: false, ...deadline.why() };
    return { ok: false, ...opened.failure(error) };
  } finally {
    deadline.dispose();
    await opened.close();
  }
}
