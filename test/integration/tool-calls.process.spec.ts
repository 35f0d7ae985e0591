import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { createToolCallAggregate } from '../../commands/handlers/tool-call.ts';
import type { CommandPipeline } from '../../commands/pipeline.ts';
import { RUN_LEASE_GRACE_MS, jsonHash } from '../../domain/tool-call/fields.ts';
import type { EventStore } from '../../infra/eventstore/port.ts';
import { MemoryCheckpointStore, type CheckpointStore } from '../../infra/log-consumer/checkpoint-store.ts';
import { LogConsumer } from '../../infra/log-consumer/log-consumer.ts';
import type { ToolRunner } from '../../infra/tool-runners/port.ts';
import { ToolCallProcess } from '../../processes/tools/tool-call-process.ts';
import { ok } from '../support/governance-fixtures.ts';
import { admin, commandId, governedPipelineOn, registerOrg, tempStore, tempStorePath } from '../support/pipeline.ts';
import { ScriptedToolRunner, answering, callTool, callWhen, echoTool, finished, hanging, registerTool } from '../support/tool-calls.ts';
import { orgAggregate } from '../../commands/handlers/org.ts';

/** One platform process on `store`: its pipeline, its log consumer and the tool-call process with `runner`. */
function platformOn(store: EventStore, runner: ToolRunner, checkpoints: CheckpointStore) {
  const { pipeline, loader, registry } = governedPipelineOn(store);
  const consumer = new LogConsumer(store);
  const aggregate = createToolCallAggregate();
  const process = new ToolCallProcess({ consumer, registry, pipeline, reader: loader, checkpoints, runner, aggregate });
  return { pipeline, loader, consumer, aggregate, process };
}

const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

async function started(runner: ToolRunner, store: EventStore = tempStore(), checkpoints: CheckpointStore = new MemoryCheckpointStore()) {
  const platform = platformOn(store, runner, checkpoints);
  await platform.process.start();
  stops.push(async () => {
    await platform.process.stop();
    await platform.consumer.stop();
  });
  return platform;
}

async function orgWithEcho(pipeline: CommandPipeline, overrides: Record<string, unknown> = {}): Promise<string> {
  const orgId = randomUUID();
  ok(await pipeline.execute(orgAggregate, registerOrg(orgId), { commandId: commandId(), principal: admin }));
  await registerTool(pipeline, orgId, echoTool('text.echo', overrides));
  return orgId;
}

const echoes = () => answering((input) => ({ echo: (input as { text: string }).text }));

describe('the tool-call process with a runner double', () => {
  it('runs a requested call and records its output, its hash and its duration', async () => {
    const runner = echoes();
    const { pipeline, loader, aggregate } = await started(runner);
    const orgId = await orgWithEcho(pipeline);
    const { callId, result } = await callTool(pipeline, aggregate, { orgId, toolName: 'text.echo', input: { text: 'hello' } });
    expect(ok(result).events.map((event) => event.type)).toEqual(['DecisionRecorded', 'ToolCallRequested']);
    const call = await callWhen(loader, callId, finished);
    expect(call.outcome).toMatchObject({ kind: 'succeeded', output: { echo: 'hello' }, outputHash: jsonHash({ echo: 'hello' }), durationMs: 3 });
    expect(runner.requests).toEqual([expect.objectContaining({ orgId, input: { text: 'hello' }, tool: expect.objectContaining({ name: 'text.echo' }) })]);
  });

  it("records the runner's failure with its code and message", async () => {
    const runner = new ScriptedToolRunner(() => ({ ok: false, code: 'crashed', message: 'exited with code 3', durationMs: 7 }));
    const { pipeline, loader, aggregate } = await started(runner);
    const orgId = await orgWithEcho(pipeline);
    const { callId } = await callTool(pipeline, aggregate, { orgId, toolName: 'text.echo', input: { text: 'x' } });
    expect((await callWhen(loader, callId, finished)).outcome).toMatchObject({ kind: 'failed', code: 'crashed', message: 'exited with code 3', durationMs: 7 });
  });

  it('fails an output that does not match the output schema as invalid_output, naming the path', async () => {
    const runner = answering(() => ({ echo: 42 }));
    const { pipeline, loader, aggregate } = await started(runner);
    const orgId = await orgWithEcho(pipeline);
    const { callId } = await callTool(pipeline, aggregate, { orgId, toolName: 'text.echo', input: { text: 'x' } });
    const call = await callWhen(loader, callId, finished);
    expect(call.outcome).toMatchObject({ kind: 'failed', code: 'invalid_output' });
    expect(call.outcome?.kind === 'failed' && call.outcome.message).toContain('echo:');
  });

  it('fails a call whose runner hangs as a timeout of its own, and a runner that throws as crashed', async () => {
    const { pipeline, loader, aggregate } = await started(hanging());
    const orgId = await orgWithEcho(pipeline);
    const { callId } = await callTool(pipeline, aggregate, { orgId, toolName: 'text.echo', input: { text: 'x' } });
    expect((await callWhen(loader, callId, finished)).outcome).toMatchObject({ kind: 'failed', code: 'timeout' });

    const throwing = await started(
      new ScriptedToolRunner(() => {
        throw new Error('a bug in the runner');
      }),
    );
    const other = await orgWithEcho(throwing.pipeline);
    const thrown = await callTool(throwing.pipeline, throwing.aggregate, { orgId: other, toolName: 'text.echo', input: { text: 'x' } });
    expect((await callWhen(throwing.loader, thrown.callId, finished)).outcome).toMatchObject({ kind: 'failed', code: 'crashed' });
  });

  it('runs a call once for one call id, however often it is requested', async () => {
    const runner = echoes();
    const { pipeline, loader, aggregate } = await started(runner);
    const orgId = await orgWithEcho(pipeline);
    const callId = randomUUID();
    const first = await callTool(pipeline, aggregate, { orgId, toolName: 'text.echo', input: { text: 'once' }, callId });
    const again = await callTool(pipeline, aggregate, { orgId, toolName: 'text.echo', input: { text: 'once' }, callId });
    expect(ok(first.result).events.map((event) => event.type)).toContain('ToolCallRequested');
    expect(ok(again.result).events).toEqual([]);
    await callWhen(loader, callId, finished);
    const other = await callTool(pipeline, aggregate, { orgId, toolName: 'text.echo', input: { text: 'after' } });
    await callWhen(loader, other.callId, finished);
    expect(runner.requests.map((request) => request.input)).toEqual([{ text: 'once' }, { text: 'after' }]);
  });

  it('on two instances, runs a call once; the one that did not claim it waits out the lease and lets it go', async () => {
    const path = tempStorePath();
    const slow = () =>
      new ScriptedToolRunner(async (request) => {
        await new Promise((resolve) => setTimeout(resolve, 300));
        return { ok: true, output: { echo: (request.input as { text: string }).text }, durationMs: 300 };
      });
    const [runnerA, runnerB] = [slow(), slow()];
    const checkpointsB = new MemoryCheckpointStore();
    const a = await started(runnerA, tempStore(path));
    const orgId = await orgWithEcho(a.pipeline);
    const first = await callTool(a.pipeline, a.aggregate, { orgId, toolName: 'text.echo', input: { text: 'one' } });
    // The second instance starts while the first runs the call: it finds the call claimed by another runner.
    await callWhen(a.loader, first.callId, (call) => call.status === 'started');
    const b = await started(runnerB, tempStore(path), checkpointsB);
    const call = await callWhen(a.loader, first.callId, finished);
    expect(call.outcome).toMatchObject({ kind: 'succeeded', output: { echo: 'one' } });
    expect(runnerA.requests).toHaveLength(1);
    expect(runnerB.requests).toEqual([]);
    const requestedAt = ok(first.result).position ?? 0n;

    // Past the lease, the instance that waited on it finds the outcome and holds the call no more: its checkpoint
    // moves past the request once it handles the next one.
    await new Promise((resolve) => setTimeout(resolve, 100 + RUN_LEASE_GRACE_MS + 200));
    const second = await callTool(b.pipeline, b.aggregate, { orgId, toolName: 'text.echo', input: { text: 'two' } });
    await callWhen(b.loader, second.callId, finished);
    expect(await b.process.settled(ok(second.result).position ?? 0n)).toBe(true);
    expect(await checkpointsB.load('tool-calls')).toBeGreaterThanOrEqual(requestedAt);
    expect(runnerA.requests.length + runnerB.requests.length).toBe(2);
  });

  it('after a crash mid-call, fails the call as interrupted once its lease is over, and never runs it again', async () => {
    const path = tempStorePath();
    const checkpoints = new MemoryCheckpointStore();
    // The first process claims the call, and dies while it runs: its pipeline takes no more commands, its reading stops.
    const first = platformOn(tempStore(path), hanging(), checkpoints);
    await first.process.start();
    const orgId = await orgWithEcho(first.pipeline);
    const { callId } = await callTool(first.pipeline, first.aggregate, { orgId, toolName: 'text.echo', input: { text: 'x' } });
    await callWhen(first.loader, callId, (call) => call.status === 'started');
    await first.pipeline.drain();
    await first.consumer.stop();
    stops.push(() => first.process.stop());

    const runner = echoes();
    const second = await started(runner, tempStore(path), checkpoints);
    const call = await callWhen(second.loader, callId, finished, 10_000);
    expect(call.outcome).toMatchObject({ kind: 'failed', code: 'interrupted' });
    expect(call.run?.runnerId).toBe(first.process.runnerId);
    expect(runner.requests).toEqual([]);

    // The process goes on: a new call runs.
    const next = await callTool(second.pipeline, second.aggregate, { orgId, toolName: 'text.echo', input: { text: 'y' } });
    expect((await callWhen(second.loader, next.callId, finished)).outcome).toMatchObject({ kind: 'succeeded', output: { echo: 'y' } });
  });
});
