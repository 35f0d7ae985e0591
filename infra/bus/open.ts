import type { Config } from '../config/env.ts';
import { MemoryBus } from './memory.ts';
import type { Bus, BusOptions } from './port.ts';
import { redactUrl } from '../config/redact-url.ts';

export interface OpenedBus {
  bus: Bus;
  /** For the start-up log line; never contains credentials. */
  description: string;
  /**
   * True when the bus's durable streams outlive this process (NATS + JetStream). The in-process bus forgets them on
   * exit, so what follows the log into it starts from the head on every start instead of from a stored checkpoint.
   */
  durable: boolean;
}

/**
 * NATS + JetStream when NATS_URL is set, otherwise the in-process bus. A configured NATS that cannot be reached fails
 * start-up at once (BusUnavailableError, with the URL's credentials redacted): the operator asked for it. Once
 * connected, a lost connection is retried by the adapter (see infra/bus/nats.ts).
 */
export async function openBus(config: Pick<Config, 'NATS_URL'>, options: BusOptions & { name?: string } = {}): Promise<OpenedBus> {
  if (config.NATS_URL) {
    const { NatsBus } = await import('./nats.ts');
    const bus = await NatsBus.connect(config.NATS_URL, { ...options, name: options.name ?? 'agencygrid' });
    return { bus, description: `NATS ${redactUrl(config.NATS_URL)}`, durable: true };
  }
  return { bus: new MemoryBus(options), description: 'in-process', durable: false };
}
