import { Command, type CommandUnknownOpts } from '@commander-js/extra-typings';
import { configSchema } from '../infra/config/env.ts';
import { environmentHelp, exitStatusHelp, wrappedList } from './cli/help-text.ts';
import { withStatus } from './cli/exit-status.ts';

const explained = [
  ['PORT', 'the HTTP port (default 8080)'],
  ['HOST', 'the address to listen on: an IP address or a host name (default 127.0.0.1; 0.0.0.0 for every interface)'],
  ['DATA_DIR', 'where the embedded stores live (default ./data)'],
  ['LOG_LEVEL', 'fatal, error, warn, info (default), debug, trace or silent; logs are JSON lines on stdout'],
  ['AGENCYGRID_ADMIN_KEY', 'an operator-chosen admin key, registered at start; unset: a key is generated and printed once'],
  ['EVENTSTORE_URL', 'EventStoreDB (esdb://...) instead of SQLite under DATA_DIR'],
  ['MONGODB_URL', 'MongoDB for the read models instead of SQLite under DATA_DIR'],
  ['REDIS_URL', 'Redis for caches and shared rate counters'],
  ['NATS_URL', "NATS for the event fan-out and the agents' bus instead of the in-process bus"],
] as const;

/** Every other setting the server reads, by name: the list follows the config schema, so it cannot go stale. */
function otherSettings(): string {
  const named = new Set<string>(explained.map(([name]) => name));
  const others = Object.keys(configSchema.shape).filter((name) => !named.has(name));
  return `\nalso read (see docs/cli.md and README "Configuration"):\n${wrappedList(others)}`;
}

/** `agencygrid serve`. */
export function serveCommand(): CommandUnknownOpts {
  return new Command('serve')
    .description('run the platform: the HTTP API on HOST:PORT, data under DATA_DIR; prints a bootstrap admin key once, on the first start of an empty store')
    .addHelpText(
      'after',
      () =>
        `${environmentHelp(explained)}\n${otherSettings()}\n${exitStatusHelp('0 stopped by SIGTERM or SIGINT; 1 could not listen (one line naming PORT or HOST) or failed; 2 invalid configuration')}`,
    )
    .action(
      withStatus(async () => {
        const { serve } = await import('./serve/start.ts');
        return serve();
      }),
    );
}
