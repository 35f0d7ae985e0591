import { Command, type CommandUnknownOpts } from '@commander-js/extra-typings';
import { EXIT_FAILURE, EXIT_OK, withStatus } from './cli/exit-status.ts';
import { exitStatusHelp } from './cli/help-text.ts';

const about = `
Writes into <dir> (docker-compose expects deploy/nats/secrets):
  <dir>/server/auth.conf            included by deploy/nats/nats-server.conf
  <dir>/platform/platform.creds     the platform's NATS_CREDS_FILE
  <dir>/platform/agents-account.nk  the platform's NATS_AGENT_ISSUER_SEED_FILE (issues agents' credentials)
Reads no environment variables. See README "Running the bus securely".
${exitStatusHelp('0 written; 1 refused (keys exist); 2 bad usage')}`;

/** `agencygrid bus-setup <dir> [--force]`: the keys of a secured NATS bus. */
export function busSetupCommand(): CommandUnknownOpts {
  return new Command('bus-setup')
    .description("generate the keys of a secured NATS bus (operator, PLATFORM / AGENTS / SYS accounts, the platform's user)")
    .argument('<dir>', 'where to write them')
    .option('--force', 'replace existing keys: every credential issued before stops working; restart the NATS server and the platform')
    .addHelpText('after', about)
    .action(
      withStatus(async (dir, options) => {
        const { writeBusSecrets } = await import('../infra/bus/nats-auth/bus-setup.ts');
        try {
          const paths = writeBusSecrets(dir, { force: options.force === true });
          process.stdout.write(`bus keys written:\n  ${Object.values(paths).join('\n  ')}\n`);
          return EXIT_OK;
        } catch (error) {
          process.stderr.write(`agencygrid bus-setup: ${error instanceof Error ? error.message : String(error)}\n`);
          return EXIT_FAILURE;
        }
      }),
    );
}
