import type { ToolRunner, ToolRunResult } from '../../infra/tool-runners/port.ts';

/**
 * The runner of a platform started without one: every call fails as `unreachable`, recorded like any failure, so a
 * call is never left waiting for a runner that will not come.
 */
export const noToolRunner: ToolRunner = {
  async run(request): Promise<ToolRunResult> {
    return { ok: false, code: 'unreachable', message: `no runner for ${request.tool.endpoint.kind} tools is configured on this platform`, durationMs: 0 };
  },
};
