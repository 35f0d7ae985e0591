import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { createEventRegistry } from '../../domain/events/catalog.ts';
import type { Principal } from '../../domain/shared/principal.ts';
import { CommandPipeline, type PipelineOptions } from '../../commands/pipeline.ts';
import { platformAdminsOnly } from '../../commands/pre-append-check.ts';
import { governedCheck } from '../../commands/governance/governed-check.ts';
import { StreamLoader } from '../../commands/stream-loader.ts';
import { SqliteEventStore } from '../../infra/eventstore/sqlite.ts';
import type { EventStore } from '../../infra/eventstore/port.ts';

export const admin: Principal = { id: 'admin:test', kind: 'admin' };

export function tempStorePath(): string {
  return join(mkdtempSync(join(tmpdir(), 'ag-test-')), 'events.db');
}

export function tempStore(path = tempStorePath()): SqliteEventStore {
  return new SqliteEventStore({ path });
}

/** A pipeline with its own write-side cache: two of these on one store behave like two server processes. */
export function pipelineOn(
  store: EventStore,
  options: Partial<Pick<PipelineOptions, 'check' | 'maxAttempts' | 'clock' | 'reservationLeaseMs' | 'inputLimits'>> = {},
) {
  const registry = createEventRegistry();
  const loader = new StreamLoader(store, registry);
  const pipeline = new CommandPipeline({ store, loader, registry, check: options.check ?? platformAdminsOnly, ...options });
  return { pipeline, loader, registry };
}

export const newOrgId = () => randomUUID();
export const commandId = () => `cmd-${randomUUID()}`;

export function registerOrg(orgId: string, slug = `org-${orgId.slice(0, 8)}`, extra: Record<string, unknown> = {}) {
  return { type: 'RegisterOrg', data: { orgId, name: `Org ${slug}`, slug, ...extra } };
}

/** A pipeline governed by policy, as the server runs it. */
export function governedPipelineOn(store: EventStore, options: Partial<Pick<PipelineOptions, 'maxAttempts' | 'clock'>> = {}) {
  const registry = createEventRegistry();
  const loader = new StreamLoader(store, registry);
  const pipeline = new CommandPipeline({ store, loader, registry, check: governedCheck, ...options });
  return { pipeline, loader, registry };
}
