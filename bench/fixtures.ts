import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventMetadata } from '../commands/event-metadata.ts';
import type { Principal } from '../domain/shared/principal.ts';
import type { EventToAppend } from '../infra/eventstore/port.ts';
import { SqliteEventStore, type SqliteEventStoreOptions } from '../infra/eventstore/sqlite.ts';
import type { JsonObject } from '../domain/shared/json-value.ts';

export type Synchronous = 'FULL' | 'NORMAL';

export const benchAdmin: Principal = { id: 'admin:bench', kind: 'admin' };

/** Throughput benches drive one key as fast as the server goes: the per-principal rate limits would cut them short. */
export const UNLIMITED_RATES = { RATE_LIMIT_READS: '10000000', RATE_LIMIT_COMMANDS: '10000000', AGENT_BUS_RATE_LIMIT: '10000000' } as const;

/**
 * Opens an embedded store on a fresh file in a fresh temp directory, and removes the directory afterwards, whatever
 * happens.
 */
export async function withTempStore<T>(
  label: string,
  options: Omit<SqliteEventStoreOptions, 'path'>,
  run: (store: SqliteEventStore) => Promise<T>,
): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), `agencygrid-bench-${label}-`));
  let store: SqliteEventStore | undefined;
  try {
    store = new SqliteEventStore({ ...options, path: join(dir, 'events.db') });
    return await run(store);
  } finally {
    await store?.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/** Metadata shaped like what the command pipeline stamps on every event. */
export function pipelineLikeMetadata(eventId: string, commandType: string, orgId: string | null, schemaVersion: number, occurredAt: string): JsonObject {
  const commandId = randomUUID();
  const metadata: EventMetadata = {
    eventId,
    commandId,
    commandType,
    commandHash: `${'c0ffee'.repeat(10)}beef`,
    correlationId: commandId,
    causationId: commandId,
    principal: benchAdmin,
    orgId,
    occurredAt,
    schemaVersion,
    decisionId: null,
  };
  return metadata as unknown as JsonObject;
}

/**
 * A raw event the size of a typical org event (an OrgMetadataUpdated with pipeline metadata). The store does not
 * validate payloads, so raw append figures measure the adapter alone.
 */
export function sampleEvent(sequence: number): EventToAppend {
  const id = randomUUID();
  const orgId = '7d2f0a52-9a0e-4d6b-8f61-0c2a7a9b3e11';
  return {
    id,
    type: 'OrgMetadataUpdated',
    data: { orgId, changes: { name: `Bench org renamed ${sequence}`, description: 'A benchmark org' } },
    metadata: pipelineLikeMetadata(id, 'UpdateOrgMetadata', orgId, 1, new Date().toISOString()),
  };
}

/** Bytes of stored JSON (data + metadata) of one sample event, as context for the append figures. */
export function sampleEventBytes(): number {
  const event = sampleEvent(0);
  return JSON.stringify(event.data).length + JSON.stringify(event.metadata).length;
}
