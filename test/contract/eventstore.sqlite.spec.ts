import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '../../infra/eventstore/sqlite.ts';
import { describeEventStoreContract } from './eventstore.contract.ts';

describeEventStoreContract('embedded SQLite (file, WAL)', async () =>
  new SqliteEventStore({ path: join(mkdtempSync(join(tmpdir(), 'ag-es-')), 'events.db') }),
);
