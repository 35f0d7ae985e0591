import type { Logger } from 'pino';
import { contractAggregate } from '../../commands/handlers/contract.ts';
import { jobAggregate } from '../../commands/handlers/job.ts';
import type { CommandPipeline } from '../../commands/pipeline.ts';
import type { StreamReader } from '../../commands/stream-loader.ts';
import { contractDecider, contractStream } from '../../domain/contract/decider.ts';
import { jobDecider, jobStream } from '../../domain/job/decider.ts';
import { isEscalatableJobStatus } from '../../domain/job/state.ts';
import type { Saga, SagaEvent } from '../saga-runner.ts';
import { SystemCommands } from './system-commands.ts';

export const OBLIGATION_DUE = 'contract.obligation';
/** Who an escalation goes to when the contract names no role: the org's owner (who manages the org by default). */
export const OWNER_ESCALATION_ROLE = 'owner';

export interface ObligationSagaDeps {
  pipeline: CommandPipeline;
  reader: StreamReader;
  clock?: () => Date;
  logger?: Logger;
}

const handled = ['ContractActivated', 'ObligationExtended', 'JobEscalationResolved', 'TimerFired'] as const;

/**
 * Keeps contracts' deadlines. Each obligation of an active contract is a durable timer (it fires after a restart
 * too); when it fires and the obligation is still open (not met, not extended), the breach is recorded on the
 * contract and the job is escalated to the contract's `escalateTo` role (the org's `work.escalateTo`, by default the
 * owner). The escalatee resolves the job's escalation: `extend` (a new deadline: the obligation is extended and its
 * timer set again), `reassign` or `cancel`.
 */
export class ObligationSaga implements Saga<(typeof handled)[number]> {
  readonly name = 'obligations';
  readonly eventTypes = handled;
  private readonly commands: SystemCommands;

  constructor(private readonly deps: ObligationSagaDeps) {
    this.commands = new SystemCommands(deps.pipeline, deps.logger);
  }

  async handle(event: SagaEvent<(typeof handled)[number]>): Promise<void> {
    switch (event.type) {
      case 'ContractActivated':
        return this.scheduleAll(event, event.data.contractId);
      case 'ObligationExtended': {
        const { contractId, orgId, obligationId, dueAt } = event.data;
        return this.scheduleOne(event, contractId, orgId, obligationId, dueAt);
      }
      case 'JobEscalationResolved':
        return this.onResolved(event);
      case 'TimerFired': {
        if (event.data.purpose !== OBLIGATION_DUE) return;
        // The ref is the JSON this saga scheduled the timer with.
        const ref = event.data.ref as { contractId?: string; obligationId?: string; dueAt?: string };
        if (typeof ref.contractId === 'string' && typeof ref.obligationId === 'string' && typeof ref.dueAt === 'string') {
          return this.onDue(event, ref.contractId, ref.obligationId, ref.dueAt);
        }
      }
    }
  }

  private async scheduleAll(event: SagaEvent, contractId: string): Promise<void> {
    const contract = (await this.deps.reader.load(contractDecider, contractStream(contractId))).state;
    if (contract === null) return;
    for (const obligation of contract.obligations) await this.scheduleOne(event, contractId, contract.orgId, obligation.obligationId, obligation.dueAt);
  }

  private async scheduleOne(event: SagaEvent, contractId: string, orgId: string, obligationId: string, dueAt: string): Promise<void> {
    await this.commands.schedule(
      {
        // The due time is part of the key: an extension is a new timer, and the old one finds the obligation moved.
        key: `${OBLIGATION_DUE}:${contractId}:${obligationId}:${dueAt}`,
        orgId,
        dueAt,
        purpose: OBLIGATION_DUE,
        ref: { contractId, obligationId, dueAt },
      },
      event,
    );
  }

  private async onDue(event: SagaEvent, contractId: string, obligationId: string, dueAt: string): Promise<void> {
    const contract = (await this.deps.reader.load(contractDecider, contractStream(contractId))).state;
    if (contract === null || contract.status !== 'active') return;
    const obligation = contract.obligations.find((item) => item.obligationId === obligationId);
    if (obligation === undefined || obligation.dueAt !== dueAt) return; // extended since: a later timer keeps it
    const job = (await this.deps.reader.load(jobDecider, jobStream(contract.jobId))).state;
    if (job === null || job.assignment?.contractId !== contractId) return;
    // The delivery obligation is met once the job is delivered (verification is the verifier's, not the assignee's).
    if (['delivered', 'verified'].includes(job.status)) return;
    await this.commands.run(
      contractAggregate,
      {
        type: 'RecordBreach',
        data: {
          contractId,
          orgId: contract.orgId,
          breachId: `deadline:${obligationId}:${dueAt}`,
          kind: 'deadline_missed',
          clause: `obligations.${obligationId}`,
          details: `${obligation.description} was due at ${dueAt}; the job is ${job.status}`.slice(0, 1000),
        },
      },
      `obligation:${contractId}:${obligationId}:${dueAt}:breach`,
      event,
    );
    if (!isEscalatableJobStatus(job.status)) return;
    await this.commands.run(
      jobAggregate,
      {
        type: 'EscalateJob',
        data: {
          jobId: job.jobId,
          orgId: job.orgId,
          reason: `missed deadline: ${obligation.description} was due at ${dueAt}`.slice(0, 1000),
          escalateTo: contract.escalateTo ?? OWNER_ESCALATION_ROLE,
        },
      },
      `obligation:${contractId}:${obligationId}:${dueAt}:escalate`,
      event,
    );
  }

  /** `extend`: the job's new deadline becomes the delivery obligation's new due time. */
  private async onResolved(event: SagaEvent<'JobEscalationResolved'>): Promise<void> {
    const { data } = event;
    if (data.resolution !== 'extend' || data.deadline === undefined) return;
    const { deadline } = data;
    const job = (await this.deps.reader.load(jobDecider, jobStream(data.jobId))).state;
    const contractId = job?.assignment?.contractId;
    if (job == null || contractId === undefined) return;
    const contract = (await this.deps.reader.load(contractDecider, contractStream(contractId))).state;
    if (contract === null || contract.status !== 'active') return;
    for (const obligation of contract.obligations) {
      if (Date.parse(obligation.dueAt) >= Date.parse(deadline)) continue;
      await this.commands.run(
        contractAggregate,
        { type: 'ExtendObligation', data: { contractId, orgId: contract.orgId, obligationId: obligation.obligationId, dueAt: deadline } },
        `obligation:${contractId}:${obligation.obligationId}:extend:${event.eventId}`,
        event,
      );
    }
  }
}
