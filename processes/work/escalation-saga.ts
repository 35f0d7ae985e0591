import type { Logger } from 'pino';
import { jobAggregate } from '../../commands/handlers/job.ts';
import type { CommandPipeline } from '../../commands/pipeline.ts';
import type { StreamReader } from '../../commands/stream-loader.ts';
import { jobDecider, jobStream } from '../../domain/job/decider.ts';
import type { Saga, SagaEvent } from '../saga-runner.ts';
import { OWNER_ESCALATION_ROLE } from './obligation-saga.ts';
import { orgWorkSettings } from './org-settings.ts';
import { SystemCommands } from './system-commands.ts';

export const ESCALATION_TIMEOUT = 'escalation.timeout';

const handled = ['JobEscalated', 'TimerFired'] as const;

/**
 * The escalation path: an escalation goes to a role first (the contract's or the org's `work.escalateTo`); if nobody
 * resolves it within `work.escalationTimeoutMs`, it is raised to the org's owner. A durable timer per escalation,
 * keyed by when it was escalated, so a resolved-and-escalated-again job is timed afresh.
 */
export class EscalationSaga implements Saga<(typeof handled)[number]> {
  readonly name = 'escalations';
  readonly eventTypes = handled;
  private readonly commands: SystemCommands;

  constructor(private readonly deps: { pipeline: CommandPipeline; reader: StreamReader; logger?: Logger }) {
    this.commands = new SystemCommands(deps.pipeline, deps.logger);
  }

  async handle(event: SagaEvent<(typeof handled)[number]>): Promise<void> {
    if (event.type === 'JobEscalated') {
      const { jobId, orgId, escalateTo, escalatedAt } = event.data;
      if (escalateTo === OWNER_ESCALATION_ROLE) return;
      const timeout = (await orgWorkSettings(this.deps.reader, orgId)).escalationTimeoutMs;
      await this.commands.schedule(
        {
          key: `${ESCALATION_TIMEOUT}:${jobId}:${escalatedAt}`,
          orgId,
          dueAt: new Date(Date.parse(escalatedAt) + timeout),
          purpose: ESCALATION_TIMEOUT,
          ref: { jobId, escalatedAt, timeoutMs: timeout },
        },
        event,
      );
      return;
    }
    const { purpose } = event.data;
    // The ref is the JSON this saga scheduled the timer with (above).
    const ref = event.data.ref as { jobId?: string; escalatedAt?: string; timeoutMs?: number };
    if (purpose !== ESCALATION_TIMEOUT || typeof ref.jobId !== 'string') return;
    const job = (await this.deps.reader.load(jobDecider, jobStream(ref.jobId))).state;
    // Resolved meanwhile, or escalated again later (a later timer keeps that one), or already with the owner.
    if (job?.escalation == null || job.escalation.escalatedAt !== ref.escalatedAt || job.escalation.escalateTo === OWNER_ESCALATION_ROLE) return;
    await this.commands.run(
      jobAggregate,
      {
        type: 'RaiseEscalation',
        data: {
          jobId: job.jobId,
          orgId: job.orgId,
          reason: `the escalation to ${job.escalation.escalateTo} was not resolved within ${String(ref.timeoutMs)} ms`,
          escalateTo: OWNER_ESCALATION_ROLE,
        },
      },
      `escalation:${job.jobId}:${job.escalation.escalatedAt}:raise`,
      event,
    );
  }
}
