import { randomUUID } from 'node:crypto';
import { connect, type NatsConnection } from 'nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NatsBus } from '../../infra/bus/nats.ts';
import { createToolRunner } from '../../infra/tool-runners/index.ts';
import type { ToolRunner } from '../../infra/tool-runners/port.ts';
import { serviceUrl } from '../support/services.ts';
import { describeToolRunnerContract, failure, registeredTool } from './tool-runner.contract.ts';

const url = serviceUrl('nats', 'NATS_URL');

/**
 * The test's NATS tool services, on plain nats.js (as a service outside the platform would be): one subject per
 * behaviour under a prefix of the run's own, so parallel runs on one server do not answer each other.
 */
async function toolServices(natsUrl: string, prefix: string): Promise<NatsConnection> {
  const nc = await connect({ servers: natsUrl, name: 'tool-runner-test-services' });
  nc.subscribe(`${prefix}.echo`, { callback: (_error, message) => message.respond(message.data) });
  nc.subscribe(`${prefix}.hang`, { callback: () => undefined });
  nc.subscribe(`${prefix}.flood`, { callback: (_error, message) => message.respond(new TextEncoder().encode(JSON.stringify('x'.repeat(4096)))) });
  nc.subscribe(`${prefix}.not-json`, { callback: (_error, message) => message.respond(new TextEncoder().encode('hello, not JSON')) });
  await nc.flush();
  return nc;
}

if (url) {
  const prefix = `tooltest.${randomUUID().slice(0, 8)}`;
  let services: NatsConnection;
  let bus: NatsBus;
  let runner: ToolRunner;
  beforeAll(async () => {
    services = await toolServices(url, prefix);
    bus = await NatsBus.connect(url, { name: 'tool-runner-test' });
    runner = createToolRunner({ allowedHosts: () => [], secrets: () => undefined, commandAllowed: () => true, bus });
  });
  afterAll(async () => {
    await bus?.close();
    await services?.close();
  });

  describeToolRunnerContract('nats', async () => ({
    runner,
    endpoint: (behaviour) => ({ kind: 'nats', subject: `${prefix}.${behaviour}` }),
    orgId: 'org-1',
    startupMs: 500,
    close: async () => undefined,
  }));

  describe('nats tool runner', () => {
    const run = (subject: string) =>
      runner.run({
        tool: registeredTool({ kind: 'nats', subject }, { timeoutMs: 2000 }),
        input: { q: 1 },
        orgId: 'org-1',
        signal: new AbortController().signal,
      });

    it('fails a subject nobody serves with unreachable, at once', async () => {
      const result = failure(await run(`${prefix}.nobody`));
      expect(result.code).toBe('unreachable');
      expect(result.durationMs).toBeLessThan(2000);
    });

    it('fails a reply that is not JSON with bad_output', async () => {
      expect(failure(await run(`${prefix}.not-json`)).code).toBe('bad_output');
    });

    it("refuses the platform's own subjects", async () => {
      expect(failure(await run('agencygrid.work.someone.key.submit')).code).toBe('host_not_allowed');
    });
  });
} else {
  describe.skip('ToolRunner contract: nats', () => {
    it('needs NATS_URL', () => {});
  });
}

describe('nats tool runner without a bus', () => {
  it('fails with unreachable', async () => {
    const runner = createToolRunner({ allowedHosts: () => [], secrets: () => undefined, commandAllowed: () => true });
    const result = await runner.run({
      tool: registeredTool({ kind: 'nats', subject: 'tools.any' }),
      input: {},
      orgId: 'org-1',
      signal: new AbortController().signal,
    });
    expect(failure(result).code).toBe('unreachable');
  });
});
