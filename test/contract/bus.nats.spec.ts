import { describe, expect, it } from 'vitest';
import { BusUnavailableError } from '../../infra/bus/errors.ts';
import { NatsBus } from '../../infra/bus/nats.ts';
import { natsDurableConsumers } from '../support/durable-consumer/nats.ts';
import { serviceUrl } from '../support/services.ts';
import { describeBusContract } from './bus.contract.ts';

const url = serviceUrl('nats', 'NATS_URL');

if (url) {
  describeBusContract('NATS + JetStream', async () => NatsBus.connect(url, { name: 'agencygrid-contract-test' }), natsDurableConsumers(url));
} else {
  describe.skip('Bus contract: NATS + JetStream', () => {
    it('needs NATS_URL', () => {});
  });
}

describe('NATS bus connection', () => {
  it('fails fast with BusUnavailableError when NATS is unreachable', async () => {
    const started = Date.now();
    const failure = await NatsBus.connect('nats://user:secret@127.0.0.1:1').catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(BusUnavailableError);
    expect(String((failure as Error).message)).not.toContain('secret');
    expect(Date.now() - started).toBeLessThan(3000);
  });
});
