import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { required } from '../../domain/shared/required.ts';
import { NatsBus } from '../../api/agent-client/index.ts';
import type { Bus } from '../../infra/bus/port.ts';
import { AUCTION_BID_WINDOW_MS, auctionBidders, runAuctionToVerified } from '../support/nats-auction.ts';
import { serviceUrl } from '../support/services.ts';
import { useTestServer } from '../support/api-server.ts';
import { workOrg, type TestAgent } from '../support/work-fixtures.ts';

const url = serviceUrl('nats', 'NATS_URL');

describe.runIf(url)('the contract-net auction over a real NATS server, agents on their own connections', () => {
  const natsUrl = () => required(url, 'NATS_URL (the block runs only with it)');
  const { server } = useTestServer(() => ({ env: { NATS_URL: natsUrl(), DATA_DIR: mkdtempSync(join(tmpdir(), 'ag-nats-')) } }));
  let orgId: string;
  let agents: TestAgent[] = [];
  let buses: Bus[] = [];

  beforeAll(async () => {
    orgId = await workOrg(server, { 'work.assignmentStrategy': 'auction', 'work.bidWindowMs': AUCTION_BID_WINDOW_MS });
    ({ agents, buses } = await auctionBidders(server, orgId, (_key, name) => NatsBus.connect(natsUrl(), { name: `agent-${name}` })));
  });
  afterAll(async () => {
    for (const agent of agents) await agent.client.stop();
    for (const bus of buses) await bus.close();
  });

  it('runs cfp, propose, accept / reject, dispatch and inform over NATS to a verified job', async () => {
    await runAuctionToVerified(server, orgId);
  });
});
