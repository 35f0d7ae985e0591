import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NatsBus } from '../../api/agent-client/index.ts';
import { serviceUrl } from '../support/services.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { streamEvents, submitJob, waitForJobEvent, workAgent, workOrg, type TestAgent } from '../support/work-fixtures.ts';

const url = serviceUrl('nats', 'NATS_URL');

describe.runIf(url)('the contract-net auction over a real NATS server, agents on their own connections', () => {
  let server: TestServer;
  let orgId: string;
  const agents: TestAgent[] = [];
  const buses: NatsBus[] = [];

  beforeAll(async () => {
    server = await startTestServer({ env: { NATS_URL: url!, DATA_DIR: mkdtempSync(join(tmpdir(), 'ag-nats-')) } });
    orgId = await workOrg(server, { 'work.assignmentStrategy': 'auction', 'work.bidWindowMs': '500' });
    for (const [name, price] of [['North', 8], ['South', 4]] as const) {
      const bus = await NatsBus.connect(url!, { name: `agent-${name}` });
      buses.push(bus);
      agents.push(
        await workAgent(server, {
          orgId,
          name,
          bus,
          capabilities: { translate: 2 },
          handlers: { onCallForProposals: () => ({ price }), onTask: async (task) => ({ translated: String((task.input as { goal: string }).goal).split('').reverse().join(''), by: name }) },
        }),
      );
    }
  });
  afterAll(async () => {
    for (const agent of agents) await agent.client.stop();
    for (const bus of buses) await bus.close();
    await server?.close();
  });

  it('runs cfp, propose, accept / reject, dispatch and inform over NATS to a verified job', async () => {
    const jobId = await submitJob(server, orgId, { goal: 'olleh', requiredCapabilities: [{ name: 'translate', level: 1 }] });
    const delivered = await waitForJobEvent(server, jobId, 'JobDelivered', 15_000);
    expect(delivered.deliverable).toEqual({ translated: 'hello', by: 'South' });
    await waitForJobEvent(server, jobId, 'JobVerified');
    const proposals = (await streamEvents(server, `assignment-${jobId}`)).filter((event) => event.type === 'ProposalRecorded');
    expect(proposals.map((event) => event.data.valid)).toEqual([true, true]);
  });
});
