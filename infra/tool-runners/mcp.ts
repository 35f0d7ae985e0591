import type { JsonObject } from '../json-value.ts';
import { type AllowedHosts, orgHosts } from './allowed-hosts.ts';
import { CallDeadline } from './deadline.ts';
import { mcpErrorMessage, mcpOutput } from './mcp-result.ts';
import { McpSession } from './mcp-session.ts';
import { CANCELLED, CallClock, outputTooLarge } from './outcome.ts';
import type { ToolRunResult } from './port.ts';
import type { McpEndpoint, ToolCallOf } from './runnable-tool.ts';

/**
 * The `mcp` kind: the tool `remoteName` of an MCP server called with the input as its arguments, over a session
 * opened for the call (mcp-session.ts). A result flagged `isError` is `remote_error`; the output is held to
 * `maxOutputBytes` both on the wire and as the mapped JSON.
 */
export class McpToolRunner {
  constructor(private readonly deps: { allowedHosts: AllowedHosts }) {}

  async run(call: ToolCallOf<McpEndpoint>): Promise<ToolRunResult> {
    const clock = new CallClock();
    if (call.signal.aborted) return clock.failed('cancelled', CANCELLED);
    const { tool } = call;
    if (typeof call.input !== 'object' || call.input === null || Array.isArray(call.input))
      return clock.failed('remote_error', 'an MCP tool takes a JSON object as its arguments');
    const args: JsonObject = call.input;
    const allowedHosts = tool.endpoint.server.transport === 'http' ? await orgHosts(this.deps.allowedHosts, call.orgId) : [];
    if (typeof allowedHosts === 'string') return clock.failed('unreachable', allowedHosts);
    const deadline = new CallDeadline(tool.timeoutMs, call.signal);
    const opened = await McpSession.open(tool.endpoint.server, {
      maxOutputBytes: tool.maxOutputBytes,
      allowedHosts,
      signal: deadline.signal,
      timeoutMs: tool.timeoutMs,
    });
    if (!(opened instanceof McpSession)) {
      deadline.dispose();
      return deadline.signal.aborted ? deadline.failure(clock) : clock.failed(opened.code, opened.message);
    }
    try {
      const result = await opened.client.callTool({ name: tool.endpoint.remoteName, arguments: args }, undefined, {
        signal: deadline.signal,
        timeout: tool.timeoutMs,
      });
      if (result.isError === true) return clock.failed('remote_error', mcpErrorMessage(result));
      const output = mcpOutput(result);
      if (Buffer.byteLength(JSON.stringify(output)) > tool.maxOutputBytes) return clock.failed('output_too_large', outputTooLarge(tool.maxOutputBytes));
      return clock.succeeded(output);
    } catch (error) {
      if (deadline.signal.aborted) return deadline.failure(clock);
      const failure = opened.failure(error);
      return clock.failed(failure.code, failure.message);
    } finally {
      deadline.dispose();
      await opened.close();
    }
  }
}
