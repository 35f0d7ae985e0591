import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '../../infra/eventstore/sqlite.ts';
import type { JsonObject } from '../../domain/shared/json-value.ts';

/** Temp directories a test made, removed by `removeTempDirs` (call it in afterEach). */
const made: string[] = [];

export function tempDir(label: string): string {
  const dir = mkdtempSync(join(tmpdir(), `agencygrid-${label}-`));
  made.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}

export interface SeedEvent {
  type: string;
  schemaVersion?: number;
}

/**
 * An embedded event store in `dataDir/events.db` holding `streams` org streams of `perStream` events each (event
 * types the platform knows, at their current versions), plus `extra` events in one more stream. Only the types and
 * versions matter to backup and restore: the data is a placeholder. Returns the head.
 */
export async function seedStore(dataDir: string, { streams = 3, perStream = 4, extra = [] as SeedEvent[] } = {}): Promise<bigint> {
  const store = new SqliteEventStore({ path: join(dataDir, 'events.db') });
  try {
    for (let stream = 0; stream < streams; stream += 1) {
      const events = Array.from({ length: perStream }, (_, n) => ({
        id: randomUUID(),
        type: n % 2 === 0 ? 'DecisionRecorded' : 'OrgMetadataUpdated',
        data: { n },
        metadata: { schemaVersion: n % 2 === 0 ? 2 : 1 },
      }));
      await store.appendToStream(`org-${stream}`, events);
    }
    if (extra.length > 0) {
      await store.appendToStream(
        'extra-1',
        extra.map((event) => {
          const metadata: JsonObject = event.schemaVersion === undefined ? {} : { schemaVersion: event.schemaVersion };
          return { id: randomUUID(), type: event.type, data: {}, metadata };
        }),
      );
    }
    return await store.headPosition();
  } finally {
    await store.close();
  }
}
