import type { Synchronous } from './fixtures.ts';

const modes: readonly Synchronous[] = ['FULL', 'NORMAL'];

export interface BenchGroup {
  /** One line for `npm run bench -- --help`. */
  about: string;
  run(): Promise<void>;
}

/** A positive integer from the environment (sizes of the `work` group), else the default. */
function envInt(name: string, fallback: number): number {
  const value = process.env[name];
  if (value === undefined || value === '') return fallback;
  const number = Number(value);
  if (!Number.isInteger(number) || number <= 0) throw new Error(`${name} must be a positive integer, got ${value}`);
  return number;
}

/**
 * Workloads are fixed counts, so figures compare across machines and commits (the adapter's append cost grows with
 * the stream's length, so a time-boxed run would measure a different stream on a faster machine). The time caps only
 * keep a slow disk from running for minutes; `events` / `commands` in each figure say what was actually done. Each
 * group loads its code when it runs, so listing them (--help) loads none.
 */
export const benchGroups: Readonly<Record<string, BenchGroup>> = {
  disk: {
    about: 'how long the temp directory takes to make a small write durable (what FULL pays per commit)',
    async run() {
      await (await import('./fsync-probe.ts')).probeFsync(200);
    },
  },
  append: {
    about: 'one writer, one stream, each append awaited (batches of 1 and 100), FULL and NORMAL',
    async run() {
      const { benchSingleStreamAppends } = await import('./eventstore-append.ts');
      for (const synchronous of modes) {
        await benchSingleStreamAppends({ synchronous, batchSize: 1, eventsPerRun: 2_000, maxMsPerRun: 4_000, runs: 3 });
        await benchSingleStreamAppends({ synchronous, batchSize: 100, eventsPerRun: 10_000, maxMsPerRun: 3_000, runs: 3 });
      }
    },
  },
  streams: {
    about: 'one writer per stream, 100 streams in flight together (group commit), FULL and NORMAL',
    async run() {
      const { benchManyStreamAppends } = await import('./eventstore-append-streams.ts');
      for (const synchronous of modes) {
        await benchManyStreamAppends({ synchronous, streams: 100, eventsPerStream: 150, maxMsPerRun: 4_000, runs: 3 });
      }
    },
  },
  pipeline: {
    about: 'the whole write path of org commands, admin-only and governed',
    async run() {
      const { benchPipelineOrgCommands } = await import('./pipeline-org-commands.ts');
      await benchPipelineOrgCommands({ orgsPerRun: 3_000, updateRounds: 3, concurrency: 32, runs: 3, maxMsPerPhase: 6_000, check: 'admin-only' });
      await benchPipelineOrgCommands({ orgsPerRun: 3_000, updateRounds: 3, concurrency: 32, runs: 3, maxMsPerPhase: 6_000, check: 'governed' });
    },
  },
  logsize: {
    about: 'the same governed command over HTTP on logs of 10,000 and 100,000 events, every consumer of the log running',
    async run() {
      await (await import('./command-latency-log-size.ts')).benchCommandLatencyByLogSize({ sizes: [10_000, 100_000], orgs: 100, commands: 300 });
    },
  },
  policy: {
    about: 'policy decision latency for a 20-rule set with CEL conditions, and decisions/s',
    async run() {
      await (await import('./policy-decision.ts')).benchPolicyDecision();
    },
  },
  projections: {
    about: 'projection lag under a steady command load, and how fast a read model rebuilds',
    async run() {
      await (await import('./projections.ts')).benchProjections({ commandsPerSecond: 300, seconds: 10, concurrency: 16 });
    },
  },
  read: {
    about: '$all read throughput, and replay (decode and fold every org stream)',
    async run() {
      await (await import('./read-all.ts')).benchReadAll({ events: 200_000, eventsPerOrg: 20, seedChunk: 5, runs: 3 });
    },
  },
  graphql: {
    about: 'GraphQL read latency and throughput on the whole server in process',
    async run() {
      await (await import('./graphql-queries.ts')).benchGraphqlQueries();
    },
  },
  audit: {
    about: 'audit re-evaluation of a governed history of 20,000 decisions',
    async run() {
      await (await import('./audit-reevaluation.ts')).benchAuditReevaluation({ decisions: 20_000, runs: 3 });
    },
  },
  /** Issue 9 §4. */
  abuse: {
    about: 'many SSE streams replaying the log, many commands and GETs from one key, under the default limits',
    async run() {
      await (await import('./abuse-streams.ts')).benchAbuse();
    },
  },
  work: {
    about: 'assignment by criteria over 1,000 agents, and the auction over NATS (skipped without a reachable server)',
    async run() {
      const { benchCriteriaAssignment } = await import('./work-criteria-assignment.ts');
      const { benchAuctionOverNats } = await import('./work-auction-nats.ts');
      await benchCriteriaAssignment({
        agents: envInt('BENCH_WORK_AGENTS', 1_000),
        jobs: envInt('BENCH_WORK_JOBS', 50),
        serialJobs: envInt('BENCH_WORK_SERIAL_JOBS', 10),
        assessments: envInt('BENCH_WORK_ASSESSMENTS', 20),
      });
      await benchAuctionOverNats({ jobs: envInt('BENCH_WORK_NATS_JOBS', 15), bidders: 3, bidWindowMs: 300 });
    },
  },
};
