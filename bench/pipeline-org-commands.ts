import { randomUUID } from 'node:crypto';
import { orgAggregate } from '../commands/handlers/org.ts';
import { CommandPipeline } from '../commands/pipeline.ts';
import { platformAdminsOnly } from '../commands/pre-append-check.ts';
import { governedCheck } from '../commands/governance/governed-check.ts';
import { StreamLoader } from '../commands/stream-loader.ts';
import { createEventRegistry } from '../domain/events/catalog.ts';
import type { OrgCommand } from '../domain/org/commands.ts';
import { isAppError, type AppError } from '../domain/shared/app-error.ts';
import { benchAdmin, withTempStore } from './fixtures.ts';
import { emit, measuredQueue, now, progress, runsContext, summarizeRuns, type Run } from './measure.ts';

export interface PipelineOptions {
  /** Orgs registered per run (fresh ones each run); the update phase then runs `updateRounds` commands on each. */
  orgsPerRun: number;
  updateRounds: number;
  concurrency: number;
  runs: number;
  /** Caps each phase of a run on a slow machine, whatever the counts. */
  maxMsPerPhase: number;
  /**
   * `governed`: every command is decided by the policy engine (platform + org policy, effective roles) and appends
   * its DecisionRecorded, as the server runs it; `admin-only`: the bare pipeline with the trivial check.
   */
  check: 'governed' | 'admin-only';
}

/** The update phase cycles through these, so every command is a legal transition that appends one event. */
const updateCycle = ['UpdateOrgMetadata', 'SuspendOrg', 'ReactivateOrg'] as const;

/**
 * The whole write path of org commands (validate, load, check, decide, reserve the slug, append, cache), wired as
 * api/platform.ts wires it, on an embedded store at synchronous FULL (the default).
 */
export async function benchPipelineOrgCommands(options: PipelineOptions): Promise<void> {
  await withTempStore('pipeline', {}, async (store) => {
    const registry = createEventRegistry();
    const loader = new StreamLoader(store, registry);
    const check = options.check === 'governed' ? governedCheck : platformAdminsOnly;
    const pipeline = new CommandPipeline({ store, loader, registry, check });
    const prefix = options.check === 'governed' ? 'pipeline.governed.org' : 'pipeline.org';
    const failures: AppError[] = [];

    const execute = async (command: OrgCommand): Promise<number> => {
      const before = now();
      const result = await pipeline.execute(orgAggregate, command, { commandId: randomUUID(), principal: benchAdmin });
      const elapsed = now() - before;
      if (isAppError(result)) failures.push(result);
      else if (result.events.length === 0) throw new Error(`${command.type} appended nothing`);
      return elapsed;
    };

    const runPhases = async (orgIds: readonly string[], prefix: string, rounds: number, maxMs: number) => {
      const register = await registerOrgs(orgIds, prefix, options.concurrency, maxMs, execute);
      const update = await updateOrgs(orgIds.slice(0, register.count), rounds, options.concurrency, maxMs, execute);
      if (failures.length > 0) {
        const first = failures[0];
        throw new Error(`${failures.length} org commands failed; first: ${first?.code} ${first?.message}`);
      }
      return { register, update };
    };

    // Warm-up: zod schemas, the decider, statements and the JIT, on orgs the measured runs do not touch.
    await runPhases(newOrgIds(1_000), 'warmup', updateCycle.length, 5_000);

    const registers: Run[] = [];
    const updates: Run[] = [];
    for (let run = 0; run < options.runs; run += 1) {
      const measured = await runPhases(newOrgIds(options.orgsPerRun), `bench${run}`, options.updateRounds, options.maxMsPerPhase);
      registers.push(measured.register);
      updates.push(measured.update);
    }
    // Each run's orgs were all loaded last, so they stay in the loader's LRU cache (10,000 streams) during the run.
    const base = { synchronous: 'FULL', concurrency: options.concurrency, orgsPerRun: options.orgsPerRun, loaderCache: 'warm' };

    const register = summarizeRuns(registers);
    const registerContext = {
      ...base,
      commands: register.count,
      command: 'RegisterOrg',
      appendsPerCommand: 2,
      note: 'each RegisterOrg appends a slug reservation, then OrgRegistered',
    };
    emit(`${prefix}.register.throughput`, register.throughput, 'commands/s', { ...registerContext, ...runsContext(register) });
    emit(`${prefix}.register.p50`, register.latency.p50, 'ms', registerContext);
    emit(`${prefix}.register.p99`, register.latency.p99, 'ms', registerContext);

    const update = summarizeRuns(updates);
    const updateContext = {
      ...base,
      commands: update.count,
      command: updateCycle.join('|'),
      appendsPerCommand: 1,
    };
    emit(`${prefix}.update.throughput`, update.throughput, 'commands/s', { ...updateContext, ...runsContext(update) });
    emit(`${prefix}.update.p50`, update.latency.p50, 'ms', updateContext);
    emit(`${prefix}.update.p99`, update.latency.p99, 'ms', updateContext);
    progress(`pipeline: ${register.count} registers and ${update.count} updates in ${options.runs} runs`);
  });
}

function newOrgIds(count: number): string[] {
  return Array.from({ length: count }, () => randomUUID());
}

async function registerOrgs(
  orgIds: readonly string[],
  prefix: string,
  concurrency: number,
  maxMs: number,
  execute: (command: OrgCommand) => Promise<number>,
): Promise<Run> {
  return measuredQueue(orgIds.length, concurrency, maxMs, (index) => {
    const orgId = orgIds[index] ?? '';
    return execute({
      type: 'RegisterOrg',
      data: {
        orgId,
        name: `Bench org ${index}`,
        // Slugs must be unique across the store: the pipeline reserves each one.
        slug: `${prefix}-${index}-${orgId.slice(0, 8)}`,
        description: 'An org registered by the benchmark',
        tags: ['bench', `shard-${index % 16}`],
        metadata: { owner: 'bench', tier: 'standard' },
      },
    });
  });
}

/**
 * Command `i` targets org `i % orgs` in round `i / orgs`: with far more orgs than commands in flight, no org has two
 * commands in flight at once, so rounds apply in order (update, suspend, reactivate, update, ...).
 */
async function updateOrgs(
  orgIds: readonly string[],
  rounds: number,
  concurrency: number,
  maxMs: number,
  execute: (command: OrgCommand) => Promise<number>,
): Promise<Run> {
  const orgs = orgIds.length;
  if (orgs <= concurrency) throw new Error('the update phase needs more orgs than commands in flight');
  return measuredQueue(orgs * rounds, concurrency, maxMs, (index) => {
    const orgId = orgIds[index % orgs] ?? '';
    const round = Math.floor(index / orgs);
    const kind = updateCycle[round % updateCycle.length];
    const command: OrgCommand =
      kind === 'UpdateOrgMetadata'
        ? { type: 'UpdateOrgMetadata', data: { orgId, name: `Bench org ${index % orgs} (round ${round})` } }
        : kind === 'SuspendOrg'
          ? { type: 'SuspendOrg', data: { orgId, reason: `benchmark round ${round}` } }
          : { type: 'ReactivateOrg', data: { orgId, reason: `benchmark round ${round}` } };
    return execute(command);
  });
}
