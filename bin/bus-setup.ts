import { writeBusSecrets } from '../infra/bus/nats-auth/bus-setup.ts';

const usage = `usage: agencygrid bus-setup <dir> [--force]

  Generates the keys of a secured NATS bus (operator, PLATFORM / AGENTS / SYS accounts, the platform's user) into
  <dir> (docker-compose expects deploy/nats/secrets):
    <dir>/server/auth.conf            included by deploy/nats/nats-server.conf
    <dir>/platform/platform.creds     the platform's NATS_CREDS_FILE
    <dir>/platform/agents-account.nk  the platform's NATS_AGENT_ISSUER_SEED_FILE (issues agents' credentials)
  --force replaces existing keys: every credential issued before stops working; restart the server and platform.
exit status: 0 written; 1 refused (keys exist); 2 bad usage
`;

/** `agencygrid bus-setup <dir>`: the keys of a secured bus (see README "Running the bus securely"). */
export function busSetupCommand(argv: readonly string[]): number {
  const force = argv.includes('--force');
  const rest = argv.filter((arg) => arg !== '--force');
  if (rest.length !== 1 || rest[0] === '--help' || rest[0] === '-h') {
    const help = rest[0] === '--help' || rest[0] === '-h';
    (help ? process.stdout : process.stderr).write(usage);
    return help ? 0 : 2;
  }
  try {
    const paths = writeBusSecrets(rest[0]!, { force });
    process.stdout.write(`bus keys written:\n  ${Object.values(paths).join('\n  ')}\n`);
    return 0;
  } catch (error) {
    process.stderr.write(`agencygrid bus-setup: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}
