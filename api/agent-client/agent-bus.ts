import { z } from 'zod';
import { NatsBus } from '../../infra/bus/nats.ts';
import { nkeys } from '../../infra/bus/nats-auth/nkeys.ts';
import { AgentRequestError } from './errors.ts';

export interface AgentBusOptions {
  /** The NATS server, e.g. `nats://nats.example.org:4222` (TLS: `tls://...`). */
  natsUrl: string;
  /** The platform's HTTP API, where the credentials come from (`POST /agent/bus-credentials`). */
  baseUrl: string;
  apiKey: string;
  /** Connection name shown by the server. */
  name?: string;
  /** A renewal that failed (the connection keeps its current credentials until they expire; it is retried). */
  onError?: (error: unknown) => void;
  /** Default: the global fetch. */
  fetch?: typeof fetch;
  /** How soon a failed renewal is retried. Default 5000 ms. */
  retryMs?: number;
}

const credentialsReply = z.object({ jwt: z.string(), expiresAt: z.iso.datetime(), inboxPrefix: z.string() });
const errorReply = z.object({ code: z.string(), message: z.string(), details: z.record(z.string(), z.unknown()) });

/**
 * A NATS connection for an agent where the bus authenticates agents: generates the agent's own nkey (its seed stays
 * in this process), asks the platform for a user JWT for it with the API key, connects with it, and renews it at two
 * thirds of its lifetime; a reconnection uses the latest one. The platform refuses a renewal once the key is revoked
 * (or its subject suspended), and the server then disconnects the connection when its JWT expires.
 *
 *   const bus = await connectAgentBus({ natsUrl, baseUrl, apiKey });
 *   const agent = new AgentClient({ bus, subjectId, apiKey }, handlers); // requests then carry no API key
 */
export async function connectAgentBus(options: AgentBusOptions): Promise<NatsBus> {
  const user = nkeys.createUser();
  const doFetch = options.fetch ?? globalThis.fetch;
  const ask = async () => {
    const response = await doFetch(`${options.baseUrl.replace(/\/+$/u, '')}/agent/bus-credentials`, {
      method: 'POST',
      headers: { authorization: `Bearer ${options.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ publicKey: user.getPublicKey() }),
    });
    const body: unknown = await response.json().catch(() => null);
    if (response.status !== 201) {
      const error = errorReply.safeParse(body);
      if (error.success) throw new AgentRequestError(error.data.code, error.data.message, error.data.details);
      throw new AgentRequestError('BUS_CREDENTIALS_FAILED', `the platform answered ${response.status}`, {});
    }
    return credentialsReply.parse(body);
  };
  let current = await ask();
  const bus = await NatsBus.connect(options.natsUrl, {
    name: options.name ?? 'agencygrid-agent',
    credentials: { jwt: () => current.jwt, seed: user.getSeed(), inboxPrefix: current.inboxPrefix },
  });
  const renewIn = () => Math.max(1000, Math.floor(((Date.parse(current.expiresAt) - Date.now()) * 2) / 3));
  const schedule = (delayMs: number) => {
    // Unref'd: renewal alone never keeps the agent's process running.
    setTimeout(() => {
      if (bus.closedForGood) return;
      ask().then(
        (renewed) => {
          current = renewed;
          schedule(renewIn());
        },
        (error: unknown) => {
          options.onError?.(error);
          schedule(options.retryMs ?? 5000);
        },
      );
    }, delayMs).unref();
  };
  schedule(renewIn());
  return bus;
}
