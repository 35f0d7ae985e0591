import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ToolEndpoint, type ToolSpec, toolSpecSchema } from '../../domain/tool/spec.ts';
import type { JsonValue } from '../../infra/json-value.ts';
import type { ToolRunner, ToolRunResult } from '../../infra/tool-runners/port.ts';

/** What every kind's tool can be made to do by its test: answer its input, never answer, or answer too much. */
export type ContractBehaviour = 'echo' | 'hang' | 'flood';

export interface ToolRunnerFixture {
  runner: ToolRunner;
  /** An endpoint of the adapter's kind, reaching a tool started by the test that behaves as named. */
  endpoint(behaviour: ContractBehaviour): ToolEndpoint;
  /** The org the calls are made in. */
  orgId: string;
  /** A timeout the tool's start fits in well (an MCP server is a process to start); the hang test waits it out. */
  startupMs: number;
  close(): Promise<void>;
}

/** A registered tool as the registry holds it: parsed by the domain's schema, so a ToolSpec is what the runners get. */
export function registeredTool(endpoint: ToolEndpoint, bounds: { timeoutMs?: number; maxOutputBytes?: number } = {}): ToolSpec {
  return toolSpecSchema.parse({ name: `test.${endpoint.kind}`, inputSchema: { type: 'object' }, endpoint, ...bounds });
}

const neverAborted = () => new AbortController().signal;

/** The part of the ToolRunner port every adapter shares: an answer, a timeout, an output cap and a cancel, as values. */
export function describeToolRunnerContract(adapterName: string, setup: () => Promise<ToolRunnerFixture>): void {
  describe(`ToolRunner contract: ${adapterName}`, () => {
    let fixture: ToolRunnerFixture;
    beforeAll(async () => {
      fixture = await setup();
    });
    afterAll(async () => {
      await fixture?.close();
    });

    const call = (behaviour: ContractBehaviour, input: JsonValue, bounds: { timeoutMs?: number; maxOutputBytes?: number }, signal = neverAborted()) =>
      fixture.runner.run({ tool: registeredTool(fixture.endpoint(behaviour), bounds), input, orgId: fixture.orgId, signal });

    it('answers the tool output, with the call duration', async () => {
      const input = { text: 'héllo', items: [1, 2, { nested: true }] };
      const result = await call('echo', input, { timeoutMs: fixture.startupMs });
      expect(result).toEqual({ ok: true, output: input, durationMs: expect.any(Number) });
      expect(result.durationMs).toBeGreaterThanOrEqual(0);
    });

    it('fails a tool that never answers with timeout, at its timeout', async () => {
      const timeoutMs = fixture.startupMs;
      const result = await call('hang', { wait: true }, { timeoutMs });
      expect(failure(result)).toMatchObject({ code: 'timeout', message: expect.stringContaining(`${timeoutMs} ms`) });
      expect(result.durationMs).toBeGreaterThanOrEqual(timeoutMs - 5);
      expect(result.durationMs).toBeLessThan(timeoutMs + 5000);
    });

    it('fails a tool that floods its output with output_too_large, without waiting for its timeout', async () => {
      const timeoutMs = fixture.startupMs + 20_000;
      const result = await call('flood', { size: 'huge' }, { timeoutMs, maxOutputBytes: 1024 });
      expect(failure(result)).toMatchObject({ code: 'output_too_large', message: expect.stringContaining('1024 bytes') });
      expect(result.durationMs).toBeLessThan(timeoutMs);
    });

    it('stops a call its caller aborts, answering cancelled well before the timeout', async () => {
      const controller = new AbortController();
      const timeoutMs = fixture.startupMs + 20_000;
      // The abort comes while the tool runs: what is tested is a call stopped in flight.
      const abort = setTimeout(() => controller.abort(), 300);
      const result = await call('hang', {}, { timeoutMs }, controller.signal);
      clearTimeout(abort);
      expect(failure(result).code).toBe('cancelled');
      expect(result.durationMs).toBeLessThan(timeoutMs);
    });

    it('answers cancelled when the abort comes while the call is being set up', async () => {
      const controller = new AbortController();
      const timeoutMs = fixture.startupMs + 20_000;
      const running = call('hang', {}, { timeoutMs }, controller.signal);
      controller.abort();
      const result = await running;
      expect(failure(result).code).toBe('cancelled');
      expect(result.durationMs).toBeLessThan(timeoutMs);
    });

    it('answers cancelled without starting the tool when the signal is already aborted', async () => {
      const controller = new AbortController();
      controller.abort();
      const result = await call('echo', {}, { timeoutMs: fixture.startupMs }, controller.signal);
      expect(failure(result).code).toBe('cancelled');
    });
  });
}

/** The failure of a result that must be one. */
export function failure(result: ToolRunResult): Extract<ToolRunResult, { ok: false }> {
  if (result.ok) throw new Error(`expected a failure, got the output ${JSON.stringify(result.output)}`);
  return result;
}
