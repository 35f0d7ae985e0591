import { join } from 'node:path';
import type { Config } from '../config/env.ts';
import type { EventStore } from './port.ts';
import { SqliteEventStore } from './sqlite.ts';

/** The embedded store's file under DATA_DIR (`agencygrid backup` and `restore` name the same file). */
export const EVENT_STORE_FILE = 'events.db';

/** EventStoreDB when EVENTSTORE_URL is set, otherwise the embedded SQLite file under DATA_DIR. */
export async function openEventStore(config: Config): Promise<{ store: EventStore; description: string }> {
  if (config.EVENTSTORE_URL) {
    const { EventStoreDbEventStore } = await import('./esdb.ts');
    return { store: EventStoreDbEventStore.connect(config.EVENTSTORE_URL), description: 'EventStoreDB' };
  }
  const path = join(config.dataDir, EVENT_STORE_FILE);
  return {
    store: new SqliteEventStore({ path, synchronous: config.SQLITE_SYNCHRONOUS, scanWindow: config.SQLITE_SCAN_WINDOW }),
    description: `SQLite ${path}`,
  };
}
