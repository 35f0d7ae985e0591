import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../infra/config/env.ts';
import { databaseFromUrl, openDocumentStore } from '../../infra/documents/open.ts';
import { SqliteDocumentStore } from '../../infra/documents/sqlite.ts';

describe('choosing the document store', () => {
  it('reads the database from a MongoDB connection string', () => {
    expect(databaseFromUrl('mongodb://localhost:27017/readside')).toBe('readside');
    expect(databaseFromUrl('mongodb://u:p%2Fw@h1:1,h2:2/db_1?replicaSet=rs0')).toBe('db_1');
    expect(databaseFromUrl('mongodb+srv://cluster.example.net/agency?retryWrites=true')).toBe('agency');
    expect(databaseFromUrl('mongodb://localhost:27017')).toBeUndefined();
    expect(databaseFromUrl('mongodb://localhost:27017/')).toBeUndefined();
    expect(databaseFromUrl('mongodb://localhost:27017/?tls=true')).toBeUndefined();
  });

  it('uses the embedded SQLite file under DATA_DIR without MONGODB_URL', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'ag-docs-open-'));
    const { store, description } = await openDocumentStore(loadConfig({ DATA_DIR: dataDir }));
    try {
      expect(store).toBeInstanceOf(SqliteDocumentStore);
      expect(description).toBe(`SQLite ${join(dataDir, 'read-models.db')}`);
      await store.upsert('orgs', { _id: 'o1' });
      expect(await store.get('orgs', 'o1')).toEqual({ _id: 'o1' });
    } finally {
      await store.close();
    }
  });
});
