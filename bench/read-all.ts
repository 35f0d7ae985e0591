import { randomUUID } from 'node:crypto';
import { createEventRegistry } from '../domain/events/catalog.ts';
import { orgDecider, orgStream } from '../domain/org/decider.ts';
import { orgEventDefinitions, type OrgEvent } from '../domain/org/events.ts';
import type { OrgState } from '../domain/org/state.ts';
import { reservationEventDefinitions, reservationStream } from '../domain/reservation/events.ts';
import type { DomainEvent } from '../domain/shared/decider.ts';
import type { EventToAppend } from '../infra/eventstore/port.ts';
import type { SqliteEventStore } from '../infra/eventstore/sqlite.ts';
import { benchAdmin, pipelineLikeMetadata, withTempStore } from './fixtures.ts';
import { emit, measureRuns, now, progress, runsContext } from './measure.ts';
import type { JsonObject } from '../domain/shared/json-value.ts';

export interface ReadAllOptions {
  /** Total events seeded; each org contributes `eventsPerOrg` (one slug reservation, the rest in its own stream). */
  events: number;
  eventsPerOrg: number;
  /** Events per append when seeding; an org's stream is written over several rounds so `$all` interleaves streams. */
  seedChunk: number;
  /** Measured passes of each kind; the median is reported. */
  runs: number;
}

const schemaVersions = new Map<string, number>(
  [...orgEventDefinitions, ...reservationEventDefinitions].map((definition) => [definition.type, definition.schemaVersion]),
);

/**
 * `$all` read throughput, and replay throughput: reading `$all` and folding every org stream with the registry's
 * decode and the org decider's evolve, which is what rebuilding an org projection from scratch costs.
 */
export async function benchReadAll(options: ReadAllOptions): Promise<void> {
  await withTempStore('read-all', { synchronous: 'NORMAL' }, async (store) => {
    const seeded = await seed(store, options);
    const head = await store.headPosition();
    const registry = createEventRegistry();
    // decode() returns the current shape of the event's type, which is what evolve expects for that type.
    const evolve = orgDecider.evolve as (state: OrgState, event: DomainEvent) => OrgState;

    const readPass = async (limit?: number): Promise<{ events: number; elapsedMs: number }> => {
      const started = now();
      let events = 0;
      // Every event is fully materialized (data and metadata parsed) by the adapter; counting is all that is left.
      for await (const _event of store.readAll(limit === undefined ? {} : { maxCount: limit })) events += 1;
      return { events, elapsedMs: now() - started };
    };

    const replayPass = async (limit?: number): Promise<{ events: number; folded: number; orgs: number; elapsedMs: number }> => {
      const started = now();
      const states = new Map<string, OrgState>();
      let events = 0;
      let folded = 0;
      for await (const recorded of store.readAll(limit === undefined ? {} : { maxCount: limit })) {
        events += 1;
        if (!recorded.streamId.startsWith('org-')) continue;
        const event = registry.decode(recorded.type, recorded.data, recorded.metadata);
        states.set(recorded.streamId, evolve(states.get(recorded.streamId) ?? orgDecider.initialState, event));
        folded += 1;
      }
      const elapsedMs = now() - started;
      let active = 0;
      for (const state of states.values()) if (state?.status === 'active') active += 1;
      if (limit === undefined && (states.size !== seeded.orgs || active !== seeded.orgs)) {
        throw new Error(`replay folded ${states.size} orgs (${active} active), expected ${seeded.orgs} active`);
      }
      return { events, folded, orgs: states.size, elapsedMs };
    };

    await readPass(20_000);
    await replayPass(20_000);

    const { summary: read } = await measureRuns(options.runs, async () => {
      const pass = await readPass();
      if (pass.events !== seeded.events) throw new Error(`read ${pass.events} events, seeded ${seeded.events}`);
      return { count: pass.events, elapsedMs: pass.elapsedMs, latencies: [] };
    });
    const context = {
      events: seeded.events,
      streams: seeded.streams,
      orgs: seeded.orgs,
      headPosition: Number(head),
      pageSize: 512,
      cache: 'warm',
    };
    emit('eventstore.read-all.throughput', read.throughput, 'events/s', { ...context, ...runsContext(read) });

    let folded = 0;
    const { summary: replay } = await measureRuns(options.runs, async () => {
      const pass = await replayPass();
      folded = pass.folded;
      return { count: pass.events, elapsedMs: pass.elapsedMs, latencies: [] };
    });
    emit('replay.org.throughput', replay.throughput, 'events/s', {
      ...context,
      ...runsContext(replay),
      orgEventsFolded: folded,
      fold: 'registry.decode + orgDecider.evolve',
    });
    progress(`read-all: ${seeded.events} events at ${Math.round(read.throughput)}/s; replay at ${Math.round(replay.throughput)}/s`);
  });
}

/**
 * Writes orgs the way the pipeline would have (slug reservation, OrgRegistered, then update / suspend / reactivate
 * cycles), directly to the store so seeding stays cheap. Every org ends active.
 */
async function seed(store: SqliteEventStore, options: ReadAllOptions): Promise<{ events: number; streams: number; orgs: number }> {
  const orgs = Math.floor(options.events / options.eventsPerOrg);
  const lifecycle = options.eventsPerOrg - 2;
  if (lifecycle < 0 || lifecycle % 3 !== 0) throw new Error('eventsPerOrg must be 2 plus a multiple of 3 (orgs end active)');
  const started = now();
  const occurredAt = new Date().toISOString();

  /** Per org, its appends in order: the slug reservation, then its own stream in chunks. */
  const appendsPerOrg: Array<Array<{ streamId: string; events: EventToAppend[] }>> = [];
  for (let index = 0; index < orgs; index += 1) {
    const orgId = randomUUID();
    const slug = `seed-${index}`;
    const streamId = orgStream(orgId);
    const orgEvents: OrgEvent[] = [
      {
        type: 'OrgRegistered',
        data: {
          orgId,
          name: `Seeded org ${index}`,
          slug,
          description: 'An org seeded by the benchmark',
          tags: ['bench', `shard-${index % 16}`],
          metadata: { owner: 'bench', tier: 'standard' },
          parentOrgId: null,
          owner: benchAdmin,
        },
      },
    ];
    for (let step = 0; step < lifecycle; step += 1) {
      const reason = `seed step ${step}`;
      orgEvents.push(
        step % 3 === 0
          ? { type: 'OrgMetadataUpdated', data: { orgId, changes: { name: `Seeded org ${index} v${step}` } } }
          : step % 3 === 1
            ? { type: 'OrgSuspended', data: { orgId, reason } }
            : { type: 'OrgReactivated', data: { orgId, reason } },
      );
    }
    const encoded = orgEvents.map((event) => toAppend(event, orgId));
    const appends = [
      {
        streamId: reservationStream('org-slug', slug),
        events: [toAppend({ type: 'UniqueKeyReserved', data: { scope: 'org-slug', key: slug, ownerStreamId: streamId } }, orgId)],
      },
    ];
    for (let at = 0; at < encoded.length; at += options.seedChunk) {
      appends.push({ streamId, events: encoded.slice(at, at + options.seedChunk) });
    }
    appendsPerOrg.push(appends);
  }

  // Round r makes the r-th append of every org, all in flight together (group commit), so `$all` interleaves streams.
  const rounds = Math.max(...appendsPerOrg.map((appends) => appends.length));
  for (let round = 0; round < rounds; round += 1) {
    await Promise.all(
      appendsPerOrg.map((appends) => {
        const append = appends[round];
        return append && store.appendToStream(append.streamId, append.events, { expectedRevision: 'any' });
      }),
    );
  }
  const events = orgs * options.eventsPerOrg;
  progress(`read-all: seeded ${events} events (${orgs} orgs) in ${(now() - started).toFixed(0)} ms`);
  return { events, streams: orgs * 2, orgs };

  function toAppend(event: DomainEvent, orgId: string): EventToAppend {
    const id = randomUUID();
    return {
      id,
      type: event.type,
      data: event.data as JsonObject,
      metadata: pipelineLikeMetadata(id, event.type, orgId, schemaVersions.get(event.type) ?? 1, occurredAt),
    };
  }
}
