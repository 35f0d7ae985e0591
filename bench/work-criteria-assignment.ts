import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import type { Platform } from '../api/platform.ts';
import { startPlatform } from '../bin/platform/start-platform.ts';
import { orgAggregate } from '../commands/handlers/org.ts';
import { rosterAggregate } from '../commands/handlers/roster.ts';
import { subjectAggregate } from '../commands/handlers/subject.ts';
import type { StreamReader } from '../commands/stream-loader.ts';
import { assignmentDecider, assignmentStream } from '../domain/assignment/decider.ts';
import { workSettingsOf } from '../domain/assignment/work-settings.ts';
import { jobDecider, jobStream } from '../domain/job/decider.ts';
import { orgDecider, orgStream } from '../domain/org/decider.ts';
import { loadConfig } from '../infra/config/env.ts';
import { SqliteEventStore } from '../infra/eventstore/sqlite.ts';
import { assessCandidates } from '../processes/work/candidates.ts';
import { workloadsFromReadModel } from '../processes/work/workloads.ts';
import { emit, now, perSecond, progress, runQueue, summarize } from './measure.ts';
import { EventClock, mustExecute, Timings } from './work-support.ts';

export interface CriteriaAssignmentOptions {
  /** Agent subjects holding `worker` and the capability: every one is a candidate of every job. */
  agents: number;
  /** Jobs submitted in one burst (throughput), after `serialJobs` submitted one at a time (latency). */
  jobs: number;
  serialJobs: number;
  /** Direct calls of assessCandidates over the same org (p50/p99 of one assessment). */
  assessments: number;
}

const CAPABILITY = 'summarise';
const AWARD_TIMEOUT_MS = 120_000;

/**
 * The `criteria` strategy at scale: one org with `agents` eligible agents (each holds `worker` and declares the
 * capability), jobs submitted as the org's owner, and the time until the assignment saga awards each one
 * (AssignmentAwarded: the decision). The agents never sign (they are not connected), so contracts stay
 * awaiting signatures and workloads stay at 0: every job assesses every agent, all eligible.
 */
export async function benchCriteriaAssignment(options: CriteriaAssignmentOptions): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'agencygrid-bench-work-'));
  let platform: Platform | undefined;
  let clock: EventClock | undefined;
  const restore: Array<() => void> = [];
  try {
    // No NATS_URL: the in-process bus (the cfp/accept messages go nowhere; nothing here waits for them).
    const config = loadConfig({ LOG_LEVEL: 'silent', DATA_DIR: dir });
    const running = await startPlatform(config, new SqliteEventStore({ path: join(dir, 'events.db') }), pino({ level: 'silent' }));
    platform = running;
    const { orgId, setupMs } = await seedOrg(platform, options.agents);
    progress(`work: org with ${options.agents} eligible agents seeded in ${(setupMs / 1000).toFixed(1)} s (through the pipeline, governed, as admin)`);

    clock = new EventClock(
      platform.store,
      ['AssignmentAwarded', 'AssignmentRoundFailed', 'CandidatesAssessed'],
      (event) => `${event.type}:${String(event.data.jobId)}`,
    );
    await clock.start();
    const events = clock;

    // Where the saga's time goes: each handled event type, and each command the pipeline ran, timed as they happen.
    const sagaTimes = new Timings();
    const commandTimes = new Timings();
    restore.push(sagaTimes.wrap(platform.work.assignment.saga, 'handle', (event: { type: string }) => event.type));
    restore.push(commandTimes.wrap(platform.pipeline, 'execute', (_aggregate: unknown, command: { type: string }) => command.type));

    const submit = async (index: number): Promise<{ jobId: string; submittedAt: number }> => {
      const jobId = randomUUID();
      const submittedAt = now();
      await mustExecute(running.pipeline, running.jobs, {
        type: 'SubmitJob',
        data: {
          jobId,
          orgId,
          goal: `Summarise report ${index}`,
          completionMode: 'single',
          requiredCapabilities: [{ name: CAPABILITY, level: 1 }],
          requiredRoles: ['worker'],
        },
      });
      return { jobId, submittedAt };
    };
    const awardOf = async (jobId: string): Promise<number> => {
      const awarded = events.waitFor(`AssignmentAwarded:${jobId}`, AWARD_TIMEOUT_MS);
      const failed = events.waitFor(`AssignmentRoundFailed:${jobId}`, AWARD_TIMEOUT_MS).then(() => {
        throw new Error(`job ${jobId}: the round failed instead of awarding`);
      });
      failed.catch(() => undefined);
      return Promise.race([awarded, failed]);
    };

    // Warm-up: the JIT, zod schemas, CEL compilation, statements.
    for (let index = 0; index < 2; index += 1) {
      const { jobId } = await submit(-1 - index);
      await awardOf(jobId);
    }
    for (const timings of [sagaTimes, commandTimes]) timings.byLabel.clear();

    // One job at a time: the latency of one assignment with nothing queued in front of it.
    const serial: number[] = [];
    for (let index = 0; index < options.serialJobs; index += 1) {
      const { jobId, submittedAt } = await submit(index);
      serial.push((await awardOf(jobId)) - submittedAt);
    }
    const serialLatency = summarize(serial);

    // A burst: every job submitted at once (8 submissions in flight); the saga works through them one event at a time.
    for (const timings of [sagaTimes, commandTimes]) timings.byLabel.clear();
    const submitted: Array<{ jobId: string; submittedAt: number }> = [];
    const burstStarted = now();
    await runQueue(options.jobs, 8, AWARD_TIMEOUT_MS, async (index) => {
      submitted[index] = await submit(1_000 + index);
    });
    const submittedIn = now() - burstStarted;
    const awardedAt = await Promise.all(submitted.map(({ jobId }) => awardOf(jobId)));
    const burstMs = Math.max(...awardedAt) - burstStarted;
    const burstLatency = summarize(awardedAt.map((at, index) => at - (submitted[index]?.submittedAt ?? at)));

    const base = {
      agents: options.agents,
      strategy: 'criteria',
      eligible: options.agents,
      store: 'embedded SQLite (FULL)',
      bus: 'in-process',
      measuredTo: 'AssignmentAwarded (the award decision; the agents are not connected, so no contract is signed)',
      loadAvg1: Number(loadavg()[0]?.toFixed(2)),
    };
    emit('work.criteria.award.throughput', perSecond(options.jobs, burstMs), 'jobs/s', {
      ...base,
      jobs: options.jobs,
      submittedInMs: Math.round(submittedIn),
      per: 'jobs awarded / (first submission -> last AssignmentAwarded), all jobs submitted at once',
    });
    emit('work.criteria.award.burst.p50', burstLatency.p50, 'ms', {
      ...base,
      jobs: options.jobs,
      per: 'submission -> AssignmentAwarded, queued behind the burst',
    });
    emit('work.criteria.award.burst.p99', burstLatency.p99, 'ms', { ...base, jobs: options.jobs });
    emit('work.criteria.award.single.p50', serialLatency.p50, 'ms', {
      ...base,
      jobs: options.serialJobs,
      per: 'submission -> AssignmentAwarded, one job at a time',
    });
    emit('work.criteria.award.single.p99', serialLatency.p99, 'ms', { ...base, jobs: options.serialJobs });

    // Where one job's time goes in the saga (burst, per job): handlers per event type, and the commands inside them.
    const perJob = (timings: Timings, label: string) => timings.total(label) / options.jobs;
    const handled = [...sagaTimes.byLabel.keys()].map((type) => `${type} ${perJob(sagaTimes, type).toFixed(1)}`).join(', ');
    const commanded = [...commandTimes.byLabel.keys()].map((type) => `${type} ${perJob(commandTimes, type).toFixed(1)}`).join(', ');
    progress(`work: assignment saga, ms per job by event handled: ${handled}`);
    progress(`work: pipeline, ms per job by command: ${commanded}`);
    const sagaTotal = [...sagaTimes.byLabel.keys()].reduce((sum, type) => sum + perJob(sagaTimes, type), 0);
    emit('work.criteria.saga.per-job', sagaTotal, 'ms', { ...base, per: 'assignment saga handler time per job (serial: it bounds the award rate)' });
    emit('work.criteria.saga.run-round', perJob(sagaTimes, 'AssignmentStarted'), 'ms', {
      ...base,
      per: 'the round step: load, workloads, assessCandidates, RecordAssessment',
    });
    emit('work.criteria.record-assessment', perJob(commandTimes, 'RecordAssessment'), 'ms', {
      ...base,
      per: 'pipeline.execute of RecordAssessment (validate 1,000 candidates, policy, decide, append CandidatesAssessed, fold)',
    });
    emit('work.criteria.close-round', perJob(commandTimes, 'CloseRound'), 'ms', {
      ...base,
      per: 'pipeline.execute of CloseRound (choose among 1,000, append AssignmentAwarded)',
    });

    // The CandidatesAssessed event itself: its size, and decoding it (every reader of the stream validates it).
    const sample = submitted[0]?.jobId ?? '';
    const assessed = events.all(`CandidatesAssessed:${sample}`)[0]?.event;
    if (assessed) {
      const bytes = JSON.stringify(assessed.data).length;
      const decodes: number[] = [];
      for (let index = 0; index < 20; index += 1) {
        const started = now();
        platform.registry.decode(assessed.type, assessed.data, assessed.metadata);
        decodes.push(now() - started);
      }
      emit('work.criteria.candidates-assessed.bytes', bytes, 'bytes', { ...base, per: 'JSON data of one CandidatesAssessed (1 per job)' });
      emit('work.criteria.candidates-assessed.decode.p50', summarize(decodes).p50, 'ms', { ...base, per: 'registry.decode (zod) of one CandidatesAssessed' });
    }

    for (const undo of restore.splice(0)) undo();
    await benchAssessments(platform, orgId, sample, options, base);
  } finally {
    for (const undo of restore) undo();
    await clock?.stop();
    await platform?.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * assessCandidates called directly (as the saga calls it) on the seeded org, then the same work taken apart: the
 * stream loads, building each candidate's policy request, evaluating the policy, the eligibility and score.
 */
async function benchAssessments(
  platform: Platform,
  orgId: string,
  jobId: string,
  options: CriteriaAssignmentOptions,
  base: Record<string, string | number>,
): Promise<void> {
  const job = (await platform.loader.load(jobDecider, jobStream(jobId))).state;
  const assignment = (await platform.loader.load(assignmentDecider, assignmentStream(jobId))).state;
  const org = (await platform.loader.load(orgDecider, orgStream(orgId))).state;
  if (job === null || assignment === null || org === null) throw new Error('the sample job has no assignment');
  const settings = workSettingsOf(org.metadata);
  const workloadsOf = workloadsFromReadModel({ store: platform.store, docs: platform.docs, projections: platform.projections });

  let loadMs = 0;
  let loads = 0;
  const reader: StreamReader = {
    async load(decider, streamId) {
      const started = now();
      try {
        return await platform.loader.load(decider, streamId);
      } finally {
        loadMs += now() - started;
        loads += 1;
      }
    },
  };

  const durations: number[] = [];
  const workloadMs: number[] = [];
  let candidates = 0;
  for (let run = 0; run < options.assessments + 2; run += 1) {
    const workloadsStarted = now();
    const workloads = await workloadsOf(orgId);
    const started = now();
    loadMs = 0;
    loads = 0;
    const assessed = await assessCandidates({ reader, job, assignment, settings, workloads, now: new Date().toISOString() });
    if (run < 2) continue; // warm-up
    durations.push(now() - started);
    workloadMs.push(started - workloadsStarted);
    candidates = assessed.length;
    if (assessed.some((candidate) => !candidate.eligible)) throw new Error('a seeded agent was not eligible');
  }
  const assessment = summarize(durations);
  const context = { ...base, candidates, assessments: durations.length };
  emit('work.criteria.assess.p50', assessment.p50, 'ms', { ...context, per: 'one assessCandidates of every candidate (called directly, loader cache warm)' });
  emit('work.criteria.assess.p99', assessment.p99, 'ms', context);
  emit('work.criteria.assess.per-candidate', assessment.p50 / Math.max(1, candidates), 'ms', context);
  emit('work.criteria.workloads.p50', summarize(workloadMs).p50, 'ms', {
    ...base,
    per: 'workloadsOf(org): wait for the workloads projection + read the counts',
  });
  emit('work.criteria.assess.loads-share', loadMs / Math.max(1e-9, durations.at(-1) ?? 1), 'ratio', {
    ...context,
    loads,
    per: 'time in StreamLoader.load / assessment (last run)',
  });
}

/** The org, its `worker` role and `agents` subjects, each registered with the capability and granted `worker`. */
async function seedOrg(platform: Platform, agents: number): Promise<{ orgId: string; setupMs: number }> {
  const started = now();
  const orgId = randomUUID();
  const { pipeline } = platform;
  await mustExecute(pipeline, orgAggregate, {
    type: 'RegisterOrg',
    data: {
      orgId,
      name: 'Bench work org',
      slug: `bench-work-${orgId.slice(0, 8)}`,
      metadata: { 'work.assignmentStrategy': 'criteria', 'work.maxOpenAssignments': '10000', 'quota.maxOpenJobs': '100000' },
    },
  });
  await mustExecute(pipeline, rosterAggregate, { type: 'DefineRole', data: { orgId, role: { name: 'worker' } } });
  await runQueue(agents, 32, 600_000, async (index) => {
    const subjectId = randomUUID();
    await mustExecute(pipeline, subjectAggregate, {
      type: 'RegisterSubject',
      data: { subjectId, kind: 'agent', displayName: `Bench agent ${index}`, capabilities: [{ name: CAPABILITY, level: 1 + (index % 5) }] },
    });
    await mustExecute(pipeline, rosterAggregate, { type: 'GrantRole', data: { orgId, associationId: randomUUID(), subjectId, role: 'worker' } });
  });
  if (!(await platform.projections.waitFor(await platform.store.headPosition(), 60_000))) throw new Error('projections did not catch up after seeding');
  return { orgId, setupMs: now() - started };
}
