import { beforeAll } from 'vitest';
import { useTestServer } from './api-server.ts';
import type { TestServer } from './server.ts';
import { agentsStoppedAfterAll, type TestAgent, workAgent, workOrg } from './work-fixtures.ts';

export interface WorkOrgFixture {
  /** The in-process server; usable in hooks and tests, not while the describe block is being collected. */
  server: TestServer;
  /** The org's id, registered before the block's own hooks; read in a hook or a test. */
  readonly orgId: string;
  /** A registered agent of the org (workAgent's input but the org), stopped after the block's tests. */
  agent(input: Omit<Parameters<typeof workAgent>[1], 'orgId'>): Promise<TestAgent>;
}

/**
 * A test server with one work org (`work.*` settings as given) for the describe block this is called in, and the
 * agents its hooks and tests start in the org, each stopped before the server closes.
 */
export function useWorkOrg(settings: Record<string, string>, options?: Parameters<typeof useTestServer>[0]): WorkOrgFixture {
  const { server } = useTestServer(options);
  const agents = agentsStoppedAfterAll();
  let orgId: string | undefined;
  beforeAll(async () => {
    orgId = await workOrg(server, settings);
  });
  return {
    server,
    get orgId() {
      if (orgId === undefined) throw new Error('the work org is not registered yet: use it in a hook or a test');
      return orgId;
    },
    async agent(input) {
      const agent = await workAgent(server, { ...input, orgId: this.orgId });
      agents.push(agent);
      return agent;
    },
  };
}
