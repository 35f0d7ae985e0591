import { afterEach, describe, expect, it } from 'vitest';
import { required } from '../../domain/shared/required.ts';
import { orgAggregate } from '../../commands/handlers/org.ts';
import { isAppError } from '../../domain/shared/app-error.ts';
import { SqliteEventStore } from '../../infra/eventstore/sqlite.ts';
import { admin, commandId, governedPipelineOn, newOrgId, registerOrg, tempStorePath } from '../support/pipeline.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

/**
 * A command's cost must not grow with the length of the log. Measured as positions of `$all` the store scanned per
 * command, with every consumer of the log running (projections, sagas, timers, expiry, fan-out, API-key index): a
 * count, not a time, so a loaded machine cannot make it pass or fail. Before consumers advanced past what they
 * scanned, each filtered consumer (the work sagas sit at position 0: no work in this log) re-read the log from its
 * last match on every append, so the cost per command grew with the log.
 */
describe('the cost of a command and the length of the log', () => {
  const servers: TestServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => server.close()));
  });

  /** A log of about `events` events written by governed org commands, as a server would have written them. */
  async function seededLog(events: number, orgs: string[]): Promise<string> {
    const path = tempStorePath();
    const store = new SqliteEventStore({ path, synchronous: 'NORMAL' });
    const { pipeline } = governedPipelineOn(store);
    const ok = async (command: unknown) => {
      const result = await pipeline.execute(orgAggregate, command, { commandId: commandId(), principal: admin });
      if (isAppError(result)) throw new Error(`${result.code}: ${result.message}`);
    };
    for (const orgId of orgs) await ok(registerOrg(orgId));
    let round = 0;
    while ((await store.headPosition()) < BigInt(events)) {
      await Promise.all(orgs.map((orgId) => ok({ type: 'UpdateOrgMetadata', data: { orgId, description: `seed ${round}` } })));
      round += 1;
    }
    await store.close();
    return path;
  }

  /** Positions scanned per org update over HTTP, once the server has caught up with the seeded log. */
  async function scannedPerCommand(events: number): Promise<number> {
    const orgs = Array.from({ length: 20 }, newOrgId);
    const path = await seededLog(events, orgs);
    const server = await startTestServer({ path });
    servers.push(server);
    const { store } = server.platform;
    if (!(store instanceof SqliteEventStore)) throw new Error('the test server runs the embedded store');
    const settled = async () => {
      const head = await store.headPosition();
      expect(await server.platform.projections.waitFor(head, 60_000)).toBe(true);
      expect(await server.platform.work.settled(head, 60_000)).toBe(true);
    };
    const update = async (orgId: string, description: string) => {
      const reply = await server.app.inject({ method: 'POST', url: `/orgs/${orgId}/metadata`, headers: server.auth, payload: { description } });
      expect(reply.statusCode, reply.body).toBe(200);
    };
    await settled();
    for (const orgId of orgs) await update(orgId, 'warm-up');
    await settled();

    const before = store.readCosts().positionsScanned;
    const commands = 30;
    for (let index = 0; index < commands; index += 1) await update(required(orgs[index % orgs.length], 'an org'), `measured ${index}`);
    await settled();
    return (store.readCosts().positionsScanned - before) / commands;
  }

  it('scans as much of $all per command on a log of 2,400 events as on one of 400', async () => {
    const short = await scannedPerCommand(400);
    const long = await scannedPerCommand(2_400);
    // Each consumer reads the command's own events (a DecisionRecorded and the change): a few dozen positions.
    expect(short).toBeGreaterThan(0);
    expect(long).toBeLessThanOrEqual(short * 1.2);
    expect(long).toBeLessThan(200);
  }, 180_000);
});
