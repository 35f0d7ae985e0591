import { readFileSync } from 'node:fs';
import type { Config } from '../config/env.ts';
import { BusUnavailableError } from './errors.ts';
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
export async function openBus(config: Pick<Config, 'NATS_URL' | 'NATS_CREDS_FILE'>, options: BusOptions & { name?: string } = {}): Promise<OpenedBus> {
  if (config.NATS_URL) {
    const { NatsBus } = await import('./nats.ts');
    const credentials = config.NATS_CREDS_FILE === undefined ? undefined : { creds: readCreds(config.NATS_CREDS_FILE) };
    const bus = await NatsBus.connect(config.NATS_URL, { ...options, name: options.name ?? 'agencygrid', ...(credentials ? { credentials } : {}) });
    return { bus, description: `NATS ${redactUrl(config.NATS_URL)}${credentials ? ' (authenticated)' : ''}`, durable: true };
  }
  return { bus: new MemoryBus(options), description: 'in-process', durable: false };
}

function readCreds(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new BusUnavailableError(`cannot read NATS_CREDS_FILE ${path}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}
