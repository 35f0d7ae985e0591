import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BusUnavailableError } from '../../infra/bus/errors.ts';
import { NatsBus } from '../../infra/bus/nats.ts';
import type { DependencyServer } from '../support/dependency-servers.ts';
import { startNats } from '../support/nats-server.ts';

/**
 * A frozen NATS (SIGSTOP: the connection stays open, nothing answers) is an outage like a lost connection: a durable
 * publish rejects with BusUnavailableError, not with "no stream captures this subject", so a follower waits it out
 * instead of treating the event as unpublishable.
 */
let root: string;
let nats: DependencyServer;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'ag-nats-frozen-'));
  nats = await startNats(join(root, 'js'));
});

afterAll(async () => {
  await nats?.stop();
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('NATS frozen mid-publish', () => {
  it('rejects a durable publish with BusUnavailableError, and publishes again once thawed', async () => {
    const bus = await NatsBus.connect(nats.url, { name: 'frozen-test' });
    try {
      await bus.ensureStream({ name: 'FROZEN', subjects: ['frozen.>'] });
      await bus.publishDurable('frozen.one', { data: { n: 1 } });
      await nats.freeze();
      const error = await bus.publishDurable('frozen.two', { data: { n: 2 } }).catch((caught: unknown) => caught);
      nats.thaw();
      expect(error).toBeInstanceOf(BusUnavailableError);
      const ack = await bus.publishDurable('frozen.three', { data: { n: 3 } });
      expect(ack.stream).toBe('FROZEN');
    } finally {
      nats.thaw();
      await bus.close();
    }
  }, 40_000);
});
