import { join } from 'node:path';
import type { Config } from '../config/env.ts';
import type { DocumentStore } from './port.ts';
import { SqliteDocumentStore } from './sqlite.ts';

/** The embedded read-model store's file under DATA_DIR. */
export const READ_MODELS_FILE = 'read-models.db';

/** The database a MongoDB read side uses when the connection string names none. */
export const DEFAULT_MONGODB_DATABASE = 'agencygrid';

/**
 * MongoDB when MONGODB_URL is set (the database named in its path, else `agencygrid`), otherwise the embedded SQLite
 * file `read-models.db` under DATA_DIR.
 */
export async function openDocumentStore(config: Config): Promise<{ store: DocumentStore; description: string }> {
  if (config.MONGODB_URL) {
    const { MongoDocumentStore } = await import('./mongodb.ts');
    const database = databaseFromUrl(config.MONGODB_URL) ?? DEFAULT_MONGODB_DATABASE;
    return { store: await MongoDocumentStore.connect(config.MONGODB_URL, { database }), description: `MongoDB database ${database}` };
  }
  const path = join(config.dataDir, READ_MODELS_FILE);
  return { store: new SqliteDocumentStore({ path }), description: `SQLite ${path}` };
}

/** `mongodb://user:pass@h1,h2/db?opts` -> `db` (credentials are percent-encoded, so `/` first appears before the path). */
export function databaseFromUrl(url: string): string | undefined {
  const encoded = /^mongodb(?:\+srv)?:\/\/[^/?]*\/([^?]*)/.exec(url)?.[1];
  if (!encoded) return undefined;
  return decodeURIComponent(encoded);
}
