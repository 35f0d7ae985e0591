/**
 * `npm run bench`: one JSON line per figure on stdout, progress on stderr.
 * `npm run bench -- disk append streams pipeline logsize policy projections read` runs only the named groups (all by default).
 * `work` sizes come from BENCH_WORK_AGENTS / BENCH_WORK_JOBS / BENCH_WORK_SERIAL_JOBS / BENCH_WORK_ASSESSMENTS /
 * BENCH_WORK_NATS_JOBS; its NATS part uses NATS_URL, else nats://127.0.0.1:4222 when reachable, else prints `skipped`.
 * Every store lives in a fresh temp directory, removed at the end. Sized for well under a minute on 2 cores.
 */
import { cpus, freemem, totalmem, tmpdir } from 'node:os';
import Database from 'better-sqlite3';
import { benchAbuse } from './abuse-streams.ts';
import { benchAuditReevaluation } from './audit-reevaluation.ts';
import { benchCommandLatencyByLogSize } from './command-latency-log-size.ts';
import { benchManyStreamAppends } from './eventstore-append-streams.ts';
import { benchGraphqlQueries } from './graphql-queries.ts';
import { benchSingleStreamAppends } from './eventstore-append.ts';
import { probeFsync } from './fsync-probe.ts';
import { emit, now, progress } from './measure.ts';
import { benchPipelineOrgCommands } from './pipeline-org-commands.ts';
import { benchPolicyDecision } from './policy-decision.ts';
import { benchProjections } from './projections.ts';
import { benchReadAll } from './read-all.ts';
import { benchCriteriaAssignment } from './work-criteria-assignment.ts';
import { benchAuctionOverNats } from './work-auction-nats.ts';
import type { Synchronous } from './fixtures.ts';

const modes: readonly Synchronous[] = ['FULL', 'NORMAL'];

/**
 * Workloads are fixed counts, so figures compare across machines and commits (the adapter's append cost grows with
 * the stream's length, so a time-boxed run would measure a different stream on a faster machine). The time caps only
 * keep a slow disk from running for minutes; `events` / `commands` in each figure say what was actually done.
 */
const groups: Record<string, () => Promise<void>> = {
  async disk() {
    await probeFsync(200);
  },
  async append() {
    for (const synchronous of modes) {
      await benchSingleStreamAppends({ synchronous, batchSize: 1, eventsPerRun: 2_000, maxMsPerRun: 4_000, runs: 3 });
      await benchSingleStreamAppends({ synchronous, batchSize: 100, eventsPerRun: 10_000, maxMsPerRun: 3_000, runs: 3 });
    }
  },
  async streams() {
    for (const synchronous of modes) {
      await benchManyStreamAppends({ synchronous, streams: 100, eventsPerStream: 150, maxMsPerRun: 4_000, runs: 3 });
    }
  },
  async pipeline() {
    await benchPipelineOrgCommands({ orgsPerRun: 3_000, updateRounds: 3, concurrency: 32, runs: 3, maxMsPerPhase: 6_000, check: 'admin-only' });
    await benchPipelineOrgCommands({ orgsPerRun: 3_000, updateRounds: 3, concurrency: 32, runs: 3, maxMsPerPhase: 6_000, check: 'governed' });
  },
  /** The same governed command over HTTP on logs of 10,000 and 100,000 events, every consumer of the log running. */
  async logsize() {
    await benchCommandLatencyByLogSize({ sizes: [10_000, 100_000], orgs: 100, commands: 300 });
  },
  async policy() {
    await benchPolicyDecision();
  },
  async projections() {
    await benchProjections({ commandsPerSecond: 300, seconds: 10, concurrency: 16 });
  },
  async read() {
    await benchReadAll({ events: 200_000, eventsPerOrg: 20, seedChunk: 5, runs: 3 });
  },
  async graphql() {
    await benchGraphqlQueries();
  },
  async audit() {
    await benchAuditReevaluation({ decisions: 20_000, runs: 3 });
  },
  /** Issue 9 §4: many SSE streams replaying the log, many commands and GETs from one key, under the default limits. */
  async abuse() {
    await benchAbuse();
  },
  /** Assignment at scale (criteria over 1,000 agents) and the auction over NATS (skipped without a reachable server). */
  async work() {
    await benchCriteriaAssignment({
      agents: envInt('BENCH_WORK_AGENTS', 1_000),
      jobs: envInt('BENCH_WORK_JOBS', 50),
      serialJobs: envInt('BENCH_WORK_SERIAL_JOBS', 10),
      assessments: envInt('BENCH_WORK_ASSESSMENTS', 20),
    });
    await benchAuctionOverNats({ jobs: envInt('BENCH_WORK_NATS_JOBS', 15), bidders: 3, bidWindowMs: 300 });
  },
};

/** A positive integer from the environment (sizes of the `work` group), else the default. */
function envInt(name: string, fallback: number): number {
  const value = process.env[name];
  if (value === undefined || value === '') return fallback;
  const number = Number(value);
  if (!Number.isInteger(number) || number <= 0) throw new Error(`${name} must be a positive integer, got ${value}`);
  return number;
}

async function main(): Promise<void> {
  // A reader that stops early (`npm run bench | head`) must not kill the run before its temp directories are removed.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
  });
  const requested = process.argv.slice(2);
  const unknown = requested.filter((name) => !(name in groups));
  if (unknown.length > 0) {
    throw new Error(`unknown benchmark group(s): ${unknown.join(', ')}; known: ${Object.keys(groups).join(', ')}`);
  }
  const selected = requested.length > 0 ? requested : Object.keys(groups);

  const probe = new Database(':memory:');
  const sqliteVersion = probe.prepare<[], { version: string }>('SELECT sqlite_version() AS version').get()?.version ?? 'unknown';
  probe.close();
  const cpu = cpus();
  emit('environment', 0, 'info', {
    node: process.version,
    platform: process.platform,
    arch: process.arch,
    cpus: cpu.length,
    cpuModel: cpu[0]?.model.trim() ?? 'unknown',
    memoryGiB: Number((totalmem() / 2 ** 30).toFixed(1)),
    freeMemoryGiB: Number((freemem() / 2 ** 30).toFixed(1)),
    sqlite: sqliteVersion,
    tmpdir: tmpdir(),
    groups: selected.join(','),
  });

  const started = now();
  for (const name of selected) {
    const groupStarted = now();
    progress(`${name}: running`);
    await groups[name]?.();
    progress(`${name}: done in ${((now() - groupStarted) / 1000).toFixed(1)} s`);
  }
  progress(`all done in ${((now() - started) / 1000).toFixed(1)} s`);
}

main().catch((error: unknown) => {
  process.stderr.write(`[bench] failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
