import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { NatsBus } from '../../infra/bus/nats.ts';
import { BUS_SECRET_FILES, writeBusSecrets } from '../../infra/bus/nats-auth/bus-setup.ts';
import { readFileSync } from 'node:fs';

export const NATS_SERVER_BINARY = process.env.NATS_SERVER_BIN ?? '/usr/sbin/nats-server';
/** The config the repository ships (docker-compose runs it). */
export const SHIPPED_NATS_CONFIG = resolve(import.meta.dirname, '../../deploy/nats/nats-server.conf');

export interface SecuredNats {
  url: string;
  /** NATS_CREDS_FILE and NATS_AGENT_ISSUER_SEED_FILE for the platform. */
  platformCredsFile: string;
  agentIssuerSeedFile: string;
  platformCreds: string;
  stop(): Promise<void>;
}

export function natsServerAvailable(): boolean {
  return existsSync(NATS_SERVER_BINARY);
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolvePort(address.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * nats-server with the shipped config byte for byte, beside keys from `writeBusSecrets` (what `agencygrid bus-setup`
 * writes), on free ports and its own store: only the listen, monitoring and store settings are overridden on the
 * command line. Resolves once the platform's credentials connect.
 */
export async function startSecuredNats(): Promise<SecuredNats> {
  const dir = mkdtempSync(join(tmpdir(), 'ag-nats-auth-'));
  const config = join(dir, 'nats-server.conf');
  copyFileSync(SHIPPED_NATS_CONFIG, config);
  writeBusSecrets(join(dir, 'secrets'));
  const [port, monitorPort] = [await freePort(), await freePort()];
  const output: string[] = [];
  const child: ChildProcess = spawn(NATS_SERVER_BINARY, ['-c', config, '-a', '127.0.0.1', '-p', String(port), '-m', String(monitorPort), '-sd', join(dir, 'js')], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const url = `nats://127.0.0.1:${port}`;
  const platformCredsFile = join(dir, 'secrets', BUS_SECRET_FILES.platformCreds);
  const platformCreds = readFileSync(platformCredsFile, 'utf8');
  const stop = async () => {
    if (child.exitCode === null) child.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`nats-server exited (${child.exitCode}): ${output.join('')}`);
    const probe = await NatsBus.connect(url, { credentials: { creds: platformCreds }, maxReconnectAttempts: 0 }).catch(() => undefined);
    if (probe) {
      await probe.close();
      break;
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`nats-server did not accept the platform's credentials: ${output.join('')}`);
    }
    await new Promise((wake) => setTimeout(wake, 50));
  }
  return { url, platformCredsFile, agentIssuerSeedFile: join(dir, 'secrets', BUS_SECRET_FILES.agentIssuerSeed), platformCreds, stop };
}
