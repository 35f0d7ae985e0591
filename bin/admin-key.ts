import { Command, type CommandUnknownOpts } from '@commander-js/extra-typings';
import { withStatus } from './cli/exit-status.ts';
import { environmentHelp, exitStatusHelp } from './cli/help-text.ts';

const about = `
For when the bootstrap key printed by the first start is lost, or every admin key was revoked. Run it on a
machine that has the server's data directory (or reaches its EventStoreDB); the server may be running: it picks
the key up from the log within about a second. The new key is printed once, on stdout; revoke a key with
POST /admin/api-keys/<keyId>/revoke.
${environmentHelp([
  ['DATA_DIR', "the server's data directory (default ./data); its events.db must exist"],
  ['EVENTSTORE_URL', 'the EventStoreDB the server uses, instead of DATA_DIR'],
  ['SQLITE_SYNCHRONOUS', 'as for serve (default FULL)'],
])}
${exitStatusHelp('0 issued; 1 no event store there, or the key was not issued; 2 invalid configuration or usage')}`;

/** `agencygrid admin-key`: a new platform admin key, issued straight into the event store. */
export function adminKeyCommand(): CommandUnknownOpts {
  return new Command('admin-key')
    .description("issue a new platform admin API key directly into the server's event store and print it once")
    .option('--label <text>', 'what the key is for, recorded with it (at most 200 characters)', 'admin key (agencygrid admin-key)')
    .addHelpText('after', about)
    .action(
      withStatus(async (options) => {
        const { issueAdminKeyOffline } = await import('./admin-key/issue.ts');
        return issueAdminKeyOffline(options.label, (text) => void process.stdout.write(text));
      }),
    );
}
