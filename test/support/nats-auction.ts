import { expect } from 'vitest';
import type { Bus } from '../../infra/bus/port.ts';
import type { TestServer } from './server.ts';
import { streamEvents, submitJob, waitForJobEvent, workAgent, type TestAgent } from './work-fixtures.ts';

/**
 * The contract-net auction over NATS that test/e2e/work.nats.spec.ts (anonymous NATS) and work.nats-auth.spec.ts (the
 * shipped secured config) both run: two translators bid 8 and 4, the cheaper wins, works and is verified.
 */
/**
 * The org's `work.bidWindowMs` for it: both bids must arrive within it, which 500 ms did not guarantee on a loaded
 * machine (a bid recorded late is refused, and the test then failed for want of a CPU, not of a feature).
 */
export const AUCTION_BID_WINDOW_MS = '3000';

export async function auctionBidders(
  server: TestServer,
  orgId: string,
  connect: (key: string, name: string) => Promise<Bus>,
): Promise<{ agents: TestAgent[]; buses: Bus[] }> {
  const agents: TestAgent[] = [];
  const buses: Bus[] = [];
  for (const [name, price] of [
    ['North', 8],
    ['South', 4],
  ] as const) {
    const agent = await workAgent(server, {
      orgId,
      name,
      bus: {
        connect: async (key) => {
          const bus = await connect(key, name);
          buses.push(bus);
          return bus;
        },
      },
      capabilities: { translate: 2 },
      handlers: {
        onCallForProposals: () => ({ price }),
        onTask: async (task) => ({
          translated: String((task.input as { goal: string }).goal)
            .split('')
            .reverse()
            .join(''),
          by: name,
        }),
      },
    });
    agents.push(agent);
  }
  return { agents, buses };
}

export async function runAuctionToVerified(server: TestServer, orgId: string): Promise<void> {
  const jobId = await submitJob(server, orgId, { goal: 'olleh', requiredCapabilities: [{ name: 'translate', level: 1 }] });
  const delivered = await waitForJobEvent(server, jobId, 'JobDelivered', 15_000);
  expect(delivered.deliverable).toEqual({ translated: 'hello', by: 'South' });
  await waitForJobEvent(server, jobId, 'JobVerified');
  const proposals = (await streamEvents(server, `assignment-${jobId}`)).filter((event) => event.type === 'ProposalRecorded');
  expect(
    proposals.map((event) => event.data.valid),
    JSON.stringify(proposals.map((event) => event.data)),
  ).toEqual([true, true]);
}
