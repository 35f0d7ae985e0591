import { randomUUID } from 'node:crypto';
import { orgAggregate } from '../commands/handlers/org.ts';
import { CommandPipeline } from '../commands/pipeline.ts';
import { platformAdminsOnly } from '../commands/pre-append-check.ts';
import { StreamLoader } from '../commands/stream-loader.ts';
import { createEventRegistry } from '../domain/events/catalog.ts';
import type { OrgCommand } from '../domain/org/commands.ts';
import { isAppError, type AppError } from '../domain/shared/app-error.ts';
import { benchAdmin, withTempStore } from './fixtures.ts';
import { emit, now, perSecond, progress, runQueue, summarize } from './measure.ts';

export interface PipelineOptions {
  /** Orgs registered in the measured phase; the update phase runs `updateRounds` commands on each. */
  orgs: number;
  updateRounds: number;
  concurrency: number;
  /** Cap on each phase, whatever the counts. */
  maxMsPerPhase: number;
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
    const pipeline = new CommandPipeline({ store, loader, registry, check: platformAdminsOnly });
    const failures: AppError[] = [];

    const execute = async (command: OrgCommand): Promise<number> => {
      const before = now();
      const result = await pipeline.execute(orgAggregate, command, { commandId: randomUUID(), principal: benchAdmin });
      const elapsed = now() - before;
      if (isAppError(result)) failures.push(result);
      else if (result.events.length === 0) throw new Error(`${command.type} appended nothing`);
      return elapsed;
    };

    const runPhase = async (orgIds: readonly string[], prefix: string, rounds: number, maxMs: number) => {
      const register = await registerOrgs(orgIds, prefix, options.concurrency, maxMs, execute);
      const update = await updateOrgs(orgIds.slice(0, register.completed), rounds, options.concurrency, maxMs, execute);
      if (failures.length > 0) {
        const first = failures[0];
        throw new Error(`${failures.length} org commands failed; first: ${first?.code} ${first?.message}`);
      }
      return { register, update };
    };

    // Warm-up: zod schemas, the decider, statements and the JIT, on orgs the measured phase does not touch.
    await runPhase(newOrgIds(Math.min(200, options.orgs)), 'warmup', updateCycle.length, 5_000);

    const measured = await runPhase(newOrgIds(options.orgs), 'bench', options.updateRounds, options.maxMsPerPhase);
    const base = { synchronous: 'FULL', concurrency: options.concurrency, streams: measured.register.completed };

    const register = summarize(measured.register.samples);
    const registerContext = {
      ...base,
      commands: measured.register.completed,
      command: 'RegisterOrg',
      appendsPerCommand: 2,
      note: 'each RegisterOrg appends a slug reservation, then OrgRegistered',
    };
    emit('pipeline.org.register.throughput', perSecond(measured.register.completed, measured.register.elapsedMs), 'commands/s', registerContext);
    emit('pipeline.org.register.p50', register.p50, 'ms', registerContext);
    emit('pipeline.org.register.p99', register.p99, 'ms', registerContext);

    const update = summarize(measured.update.samples);
    const updateContext = {
      ...base,
      commands: measured.update.completed,
      command: updateCycle.join('|'),
      appendsPerCommand: 1,
    };
    emit('pipeline.org.update.throughput', perSecond(measured.update.completed, measured.update.elapsedMs), 'commands/s', updateContext);
    emit('pipeline.org.update.p50', update.p50, 'ms', updateContext);
    emit('pipeline.org.update.p99', update.p99, 'ms', updateContext);
    progress(
      `pipeline: ${measured.register.completed} registers in ${measured.register.elapsedMs.toFixed(0)} ms, ` +
        `${measured.update.completed} updates in ${measured.update.elapsedMs.toFixed(0)} ms`,
    );
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
): Promise<{ completed: number; elapsedMs: number; samples: number[] }> {
  const samples: number[] = [];
  const run = await runQueue(orgIds.length, concurrency, maxMs, async (index) => {
    const orgId = orgIds[index] ?? '';
    samples.push(
      await execute({
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
      }),
    );
  });
  return { ...run, samples };
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
): Promise<{ completed: number; elapsedMs: number; samples: number[] }> {
  const samples: number[] = [];
  const orgs = orgIds.length;
  if (orgs <= concurrency) throw new Error('the update phase needs more orgs than commands in flight');
  const run = await runQueue(orgs * rounds, concurrency, maxMs, async (index) => {
    const orgId = orgIds[index % orgs] ?? '';
    const round = Math.floor(index / orgs);
    const kind = updateCycle[round % updateCycle.length];
    const command: OrgCommand =
      kind === 'UpdateOrgMetadata'
        ? { type: 'UpdateOrgMetadata', data: { orgId, name: `Bench org ${index % orgs} (round ${round})` } }
        : kind === 'SuspendOrg'
          ? { type: 'SuspendOrg', data: { orgId, reason: `benchmark round ${round}` } }
          : { type: 'ReactivateOrg', data: { orgId, reason: `benchmark round ${round}` } };
    samples.push(await execute(command));
  });
  return { ...run, samples };
}
