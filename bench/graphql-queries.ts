import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { bootstrapAdminKey } from '../api/auth/bootstrap-admin-key.ts';
import type { Platform } from '../api/platform.ts';
import { startPlatform } from '../bin/platform/start-platform.ts';
import { buildServer } from '../api/server.ts';
import { loadConfig } from '../infra/config/env.ts';
import { UNLIMITED_RATES } from './fixtures.ts';
import { SqliteEventStore } from '../infra/eventstore/sqlite.ts';
import { emit, measuredQueue, measureRuns, now, progress, runQueue, runsContext, type Run } from './measure.ts';

export interface GraphqlBenchOptions {
  orgs: number;
  /** Subjects registered platform-wide; each org grants `associationsPerOrg` roles to some of them. */
  subjects: number;
  associationsPerOrg: number;
  concurrency: number;
  queriesPerRun: number;
  runs: number;
  maxMsPerRun: number;
}

const defaults: GraphqlBenchOptions = { orgs: 200, subjects: 50, associationsPerOrg: 6, concurrency: 16, queriesPerRun: 3_000, runs: 3, maxMsPerRun: 10_000 };

const ADMIN_KEY = 'bench-admin-key-0123456789abcdefghijklmnopqrstuv';
const ROLES = ['member', 'writer', 'reviewer'] as const;

/** The typical read: an org by slug with its roles and its associations with their subjects. */
export const TYPICAL_QUERY = `query($slug: String!) {
  orgBySlug(slug: $slug) {
    id name status
    roles { edges { node { name maxHolders inherits } } }
    associations(first: 20) { edges { node { role active grantedAt subject { id displayName kind } } } }
  }
}`;

const EFFECTIVE_ROLES_QUERY = `query($orgId: ID!, $subjectId: ID!) { effectiveRoles(orgId: $orgId, subjectId: $subjectId) { roles groups source } }`;

/**
 * GraphQL read latency and throughput on the whole server in process (app.inject: routing, authentication, mercurius,
 * policy decisions, read models on the embedded store, the in-process cache), `concurrency` queries in flight, as a
 * platform admin, over ~200 orgs seeded through the command API.
 */
export async function benchGraphqlQueries(options: GraphqlBenchOptions = defaults): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'agencygrid-bench-graphql-'));
  let platform: Platform | undefined;
  let app: FastifyInstance | undefined;
  try {
    const config = loadConfig({ AGENCYGRID_ADMIN_KEY: ADMIN_KEY, LOG_LEVEL: 'silent', DATA_DIR: dir, ...UNLIMITED_RATES });
    platform = await startPlatform(config, new SqliteEventStore({ path: join(dir, 'events.db') }), pino({ level: 'silent' }));
    await bootstrapAdminKey(platform, ADMIN_KEY);
    app = await buildServer(platform);
    await app.ready();
    const server = app;

    const seeded = await seed(server, options);
    if (!(await platform.projections.waitFor(await platform.store.headPosition(), 60_000))) throw new Error('projections did not catch up');
    progress(
      `graphql: seeded ${options.orgs} orgs, ${options.subjects} subjects, ${seeded.associations} associations in ${(seeded.elapsedMs / 1000).toFixed(1)} s`,
    );

    const typical = (index: number) => ({ query: TYPICAL_QUERY, variables: { slug: slugOf(index % options.orgs) } });
    const effective = (index: number) => {
      const org = index % options.orgs;
      return {
        query: EFFECTIVE_ROLES_QUERY,
        variables: { orgId: seeded.orgIds[org] ?? '', subjectId: seeded.subjectIds[(org * options.associationsPerOrg) % options.subjects] ?? '' },
      };
    };

    for (const [name, build, note] of [
      ['graphql.org-by-slug', typical, 'orgBySlug with roles and 20 associations with their subjects'],
      ['graphql.effective-roles', effective, 'effectiveRoles of a subject in an org (hot-path cache)'],
    ] as const) {
      await measure(server, 1_000, options.concurrency, options.maxMsPerRun, build); // warm-up: JIT, caches, statements
      const { summary } = await measureRuns(options.runs, () => measure(server, options.queriesPerRun, options.concurrency, options.maxMsPerRun, build));
      const context = {
        orgs: options.orgs,
        concurrency: options.concurrency,
        queries: summary.count,
        principal: 'platform admin',
        transport: 'in-process inject',
        readModels: 'embedded SQLite',
        cache: 'in-process',
        note,
      };
      emit(`${name}.throughput`, summary.throughput, 'queries/s', { ...context, ...runsContext(summary) });
      emit(`${name}.p50`, summary.latency.p50, 'ms', { ...context, per: 'query' });
      emit(`${name}.p99`, summary.latency.p99, 'ms', { ...context, per: 'query' });
    }
  } finally {
    await app?.close();
    await platform?.close();
    await rm(dir, { recursive: true, force: true });
  }
}

const slugOf = (index: number) => `bench-org-${String(index).padStart(4, '0')}`;

async function measure(
  app: FastifyInstance,
  count: number,
  concurrency: number,
  maxMs: number,
  build: (index: number) => { query: string; variables: Record<string, unknown> },
): Promise<Run> {
  return measuredQueue(count, concurrency, maxMs, async (index) => {
    const started = now();
    const response = await app.inject({
      method: 'POST',
      url: '/graphql',
      headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
      payload: JSON.stringify(build(index)),
    });
    const latency = now() - started;
    const body = response.json<{ data?: unknown; errors?: unknown[] }>();
    if (response.statusCode !== 200 || (body.errors?.length ?? 0) > 0) throw new Error(`query failed (${response.statusCode}): ${response.body.slice(0, 300)}`);
    return latency;
  });
}

async function seed(
  app: FastifyInstance,
  options: GraphqlBenchOptions,
): Promise<{ orgIds: string[]; subjectIds: string[]; associations: number; elapsedMs: number }> {
  const started = now();
  const post = async (url: string, payload: unknown, expected: number): Promise<Record<string, unknown>> => {
    const response = await app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${ADMIN_KEY}` }, payload: payload as object });
    if (response.statusCode !== expected) throw new Error(`seeding ${url}: ${response.statusCode} ${response.body.slice(0, 300)}`);
    return response.json<Record<string, unknown>>();
  };
  const subjectIds: string[] = [];
  await runQueue(options.subjects, options.concurrency, 60_000, async (index) => {
    const body = await post('/subjects', { kind: index % 3 === 0 ? 'human' : 'agent', displayName: `Bench subject ${index}` }, 201);
    subjectIds[index] = String(body.subjectId);
  });
  const orgIds: string[] = [];
  let associations = 0;
  await runQueue(options.orgs, options.concurrency, 120_000, async (index) => {
    const body = await post('/orgs', { name: `Bench org ${index}`, slug: slugOf(index), tags: ['bench'] }, 201);
    const orgId = String(body.orgId);
    orgIds[index] = orgId;
    await post(`/orgs/${orgId}/roles`, { name: 'member' }, 200);
    await post(`/orgs/${orgId}/roles`, { name: 'writer', inherits: ['member'] }, 200);
    await post(`/orgs/${orgId}/roles`, { name: 'reviewer', inherits: ['member'] }, 200);
    await post(`/orgs/${orgId}/groups`, { name: 'staff', roles: ['member'] }, 200);
    for (let slot = 0; slot < options.associationsPerOrg; slot += 1) {
      const subjectId = subjectIds[(index * options.associationsPerOrg + slot) % options.subjects];
      // writer and reviewer never go to the same subject here (no conflict is declared anyway)
      await post(`/orgs/${orgId}/associations`, { subjectId, role: ROLES[slot % ROLES.length] }, 201);
      associations += 1;
    }
  });
  return { orgIds, subjectIds, associations, elapsedMs: now() - started };
}
