import type { ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { NatsBus } from '../../infra/bus/nats.ts';
import { BUS_SECRET_FILES, writeBusSecrets } from '../../infra/bus/nats-auth/bus-setup.ts';
import { dependencyServer, launch, type DependencyServer } from './dependency-servers.ts';
import { freePort } from './server-process.ts';
import { isRequired } from './services.ts';

/**
 * The one place tests start nats-server: a plain one with JetStream (`startNats`, `startNatsUnlessSkipped`) or one on
 * the shipped config with its credentials (`startSecuredNats`), each on free ports.
 */
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

/** nats-server with `args` (which make it listen on 127.0.0.1:`port`), once it accepts connections. */
function launchNats(args: string[], port: number, timeoutMs?: number): Promise<ChildProcess> {
  return launch(NATS_SERVER_BINARY, ['-a', '127.0.0.1', '-p', String(port), ...args], port, timeoutMs);
}

/**
 * nats-server without auth, JetStream on a file store under `storeDir`, which outlives a kill: a test can kill,
 * restart, freeze and thaw it.
 */
export async function startNats(storeDir: string): Promise<DependencyServer> {
  const port = await freePort();
  const start = () => launchNats(['-js', '-sd', storeDir], port);
  return dependencyServer(port, `nats://127.0.0.1:${port}`, start, await start());
}

/**
 * A nats-server of the suite's own (`startNats`, on a store of its own, removed on stop), e.g. because the platform's
 * subjects are fixed and on a shared server another test's platform could answer this test's requests. When none
 * can be started: throws if NATS is required (REQUIRE_SERVICES), else prints one `skipped:` line naming `what` and
 * returns null.
 */
export async function startNatsUnlessSkipped(what: string): Promise<DependencyServer | null> {
  const dir = mkdtempSync(join(tmpdir(), 'ag-nats-js-'));
  const removeStore = () => rmSync(dir, { recursive: true, force: true });
  try {
    if (!natsServerAvailable()) throw new Error(`${NATS_SERVER_BINARY} not found`);
    const nats = await startNats(join(dir, 'js'));
    return {
      ...nats,
      async stop() {
        await nats.stop();
        removeStore();
      },
    };
  } catch (error) {
    removeStore();
    const reason = error instanceof Error ? error.message : String(error);
    if (isRequired('nats')) throw new Error(`nats is required (REQUIRE_SERVICES) but no nats-server could be started: ${reason}`, { cause: error });
    console.log(`skipped: no nats-server could be started, ${reason.split('\n')[0]} (${what})`);
    return null;
  }
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
  const url = `nats://127.0.0.1:${port}`;
  const platformCredsFile = join(dir, 'secrets', BUS_SECRET_FILES.platformCreds);
  const platformCreds = readFileSync(platformCredsFile, 'utf8');
  const deadline = Date.now() + 20_000;
  let child: ChildProcess;
  try {
    child = await launchNats(['-c', config, '-m', String(monitorPort), '-sd', join(dir, 'js')], port, 20_000);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      await stop();
      throw new Error(`nats-server exited (${child.exitCode ?? child.signalCode})`);
    }
    const probe = await NatsBus.connect(url, { credentials: { creds: platformCreds }, maxReconnectAttempts: 0 }).catch(() => undefined);
    if (probe) {
      await probe.close();
      break;
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error("nats-server did not accept the platform's credentials");
    }
    await new Promise((wake) => setTimeout(wake, 50));
  }
  return { url, platformCredsFile, agentIssuerSeedFile: join(dir, 'secrets', BUS_SECRET_FILES.agentIssuerSeed), platformCreds, stop };
}
