import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { generateApiKey } from '../../api/auth/api-key.ts';
import { issueAdminKey } from '../../api/auth/issue-admin-key.ts';
import { governedCheck } from '../../commands/governance/governed-check.ts';
import { CommandPipeline } from '../../commands/pipeline.ts';
import { StreamLoader } from '../../commands/stream-loader.ts';
import { createEventRegistry } from '../../domain/events/catalog.ts';
import { isAppError } from '../../domain/shared/app-error.ts';
import { inputLimitsOf, loadConfig } from '../../infra/config/env.ts';
import { openEventStore } from '../../infra/eventstore/open.ts';
import { CliFailure, EXIT_OK } from '../cli/exit-status.ts';

/**
 * Issues a new platform admin key straight into the server's event store (DATA_DIR or EVENTSTORE_URL) and prints it
 * once: the way back in when the bootstrap key was lost. It grants nothing new: whoever can write that store can
 * already append any event. A running server picks the key up from the log (the embedded store is polled, ~1 s).
 */
export async function issueAdminKeyOffline(label: string, print: (text: string) => void): Promise<number> {
  const config = loadConfig();
  const where = config.EVENTSTORE_URL ? 'the EventStoreDB at EVENTSTORE_URL' : join(config.dataDir, 'events.db');
  // Opening the embedded store creates it: a mistyped DATA_DIR would get a key in a new, empty store nobody serves.
  if (!config.EVENTSTORE_URL && !existsSync(where)) {
    throw new CliFailure(`no event store at ${where}; set DATA_DIR to the server's data directory (or EVENTSTORE_URL to its EventStoreDB)`);
  }
  const { store } = await openEventStore(config);
  try {
    if ((await store.headPosition()) === 0n)
      throw new CliFailure(`${where} holds no events: no server has started on it; start one, which prints a bootstrap key`);
    const registry = createEventRegistry();
    const pipeline = new CommandPipeline({
      store,
      loader: new StreamLoader(store, registry),
      registry,
      check: governedCheck,
      inputLimits: inputLimitsOf(config),
    });
    const key = generateApiKey();
    const result = await issueAdminKey(pipeline, { keyId: key.keyId, keyHash: key.keyHash, label, commandId: `admin-key-cli:${key.keyId}` });
    if (isAppError(result)) throw new CliFailure(`the key was not issued: ${result.code}: ${result.message}`);
    // On stdout only, like the bootstrap key: this is the only copy of the secret.
    print(`\n  AgencyGrid admin API key ${key.keyId} (shown once, store it now):\n\n    ${key.key}\n\n  export AGENCYGRID_API_KEY='${key.key}'\n\n`);
    return EXIT_OK;
  } finally {
    await store.close();
  }
}
