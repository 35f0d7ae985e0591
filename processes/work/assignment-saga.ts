import { v5 as uuidv5 } from 'uuid';
import type { Logger } from 'pino';
import { assignmentAggregate } from '../../commands/handlers/assignment.ts';
import { contractAggregate } from '../../commands/handlers/contract.ts';
import { jobAggregate } from '../../commands/handlers/job.ts';
import type { StreamReader } from '../../commands/stream-loader.ts';
import type { CommandPipeline } from '../../commands/pipeline.ts';
import { assignmentDecider, assignmentStream } from '../../domain/assignment/decider.ts';
import type { Assignment } from '../../domain/assignment/state.ts';
import type { WorkSettings } from '../../domain/assignment/work-settings.ts';
import { contractDecider, contractStream } from '../../domain/contract/decider.ts';
import { isFinalContractStatus } from '../../domain/contract/state.ts';
import { jobDecider, jobStream } from '../../domain/job/decider.ts';
import type { Job } from '../../domain/job/state.ts';
import { isAppError } from '../../domain/shared/app-error.ts';
import type { Bus } from '../../infra/bus/port.ts';
import { agentInboxSubject } from '../../domain/agent-protocol/subjects.ts';
import type { Award, CallForProposals, ProposalRejected } from '../../domain/agent-protocol/messages.ts';
import type { Saga, SagaEvent } from '../saga-runner.ts';
import { assessCandidates, type WorkloadsOf } from './candidates.ts';
import { orgWorkSettings } from './org-settings.ts';
import { SystemCommands } from './system-commands.ts';

const CONTRACT_NAMESPACE = '8f0c6f0e-2b7a-4a51-9d3e-6a1f4c2b7e90';
/** The contract of a job's round: derived, so a retried award drafts the same contract. */
export const contractIdFor = (jobId: string, round: number) => uuidv5(`contract:${jobId}:${round}`, CONTRACT_NAMESPACE);

export const AUCTION_CLOSE = 'auction.close';
export const SIGNATURE_DUE = 'contract.signature';

export interface AssignmentSagaDeps {
  pipeline: CommandPipeline;
  reader: StreamReader;
  bus: Bus;
  workloadsOf: WorkloadsOf;
  clock?: () => Date;
  logger?: Logger;
}

const handled = [
  'JobSubmitted',
  'AssignmentStarted',
  'AssignmentRestarted',
  'CandidatesAssessed',
  'CallForProposalsIssued',
  'AssignmentRoundFailed',
  'AssignmentAwarded',
  'AssignmentEscalated',
  'ContractReviewed',
  'ContractActivated',
  'ContractRejected',
  'JobCancelled',
  'JobEscalationResolved',
  'TimerFired',
] as const;
type Handled = (typeof handled)[number];

/**
 * The assignment of each job, from submission to an assignee under a signed contract:
 *
 *   JobSubmitted -> StartContracting + StartAssignment (strategy: the job's, else the org's `work.assignmentStrategy`)
 *   round starts -> assess every candidate (recorded) -> direct/criteria: close the round at once;
 *                   auction: call for proposals (cfp to each invitee) + a durable timer at the bid deadline
 *   auction timer fires -> close the round: the best valid bid wins (or the round fails)
 *   awarded -> draft the contract (terms from the job and the org's work settings), the org signs (unless the org
 *              reviews contracts first), accept-proposal to the winner, reject-proposal to the other bidders
 *   contract activated (the assignee signed) -> AssignJob, assignment completed
 *   contract rejected -> the round fails, the next round runs without that subject
 *   last round failed -> the job is escalated to the org's `work.escalateTo` role
 *
 * Each step reads the current state and does only what is still missing, with deterministic command ids.
 */
export class AssignmentSaga implements Saga<Handled> {
  readonly name = 'assignment';
  readonly eventTypes = handled;
  private readonly commands: SystemCommands;

  constructor(private readonly deps: AssignmentSagaDeps) {
    this.commands = new SystemCommands(deps.pipeline, deps.logger);
  }

  private now(): Date {
    return (this.deps.clock ?? (() => new Date()))();
  }

  async handle(event: SagaEvent<Handled>): Promise<void> {
    switch (event.type) {
      case 'JobSubmitted':
        return this.onSubmitted(event, event.data.jobId);
      case 'AssignmentStarted':
      case 'AssignmentRestarted':
      case 'AssignmentRoundFailed':
        return this.runRound(event, event.data.jobId);
      case 'CandidatesAssessed':
        return this.afterAssessment(event, event.data.jobId);
      case 'CallForProposalsIssued':
        return this.callForProposals(event, event.data.jobId);
      case 'TimerFired': {
        const { purpose } = event.data;
        // The ref is the JSON this saga scheduled the timer with: its shape depends on the purpose.
        const ref = event.data.ref as { jobId?: string; round?: number };
        if (purpose === AUCTION_CLOSE && typeof ref.jobId === 'string' && typeof ref.round === 'number') {
          return this.closeRound(event, ref.jobId, ref.round);
        }
        if (purpose === SIGNATURE_DUE) return this.onSignatureDue(event, event.data.ref as { contractId?: string; timeoutMs?: number });
        return;
      }
      case 'AssignmentAwarded':
        return this.onAwarded(event, event.data.jobId);
      case 'ContractReviewed':
        return this.onContractReviewed(event);
      case 'ContractActivated':
        return this.onContractActivated(event);
      case 'ContractRejected':
        return this.onContractRejected(event);
      case 'AssignmentEscalated':
        return this.onEscalated(event, event.data.jobId);
      case 'JobCancelled':
        return this.onJobEnded(event, event.data.jobId);
      case 'JobEscalationResolved':
        return this.onEscalationResolved(event);
    }
  }

  private async load(jobId: string): Promise<{ job: Job; assignment: Assignment | null; settings: WorkSettings } | null> {
    const job = (await this.deps.reader.load(jobDecider, jobStream(jobId))).state;
    if (job === null) return null;
    const assignment = (await this.deps.reader.load(assignmentDecider, assignmentStream(jobId))).state;
    return { job, assignment, settings: await orgWorkSettings(this.deps.reader, job.orgId) };
  }

  private async onSubmitted(event: SagaEvent, jobId: string): Promise<void> {
    const loaded = await this.load(jobId);
    if (loaded === null) return;
    const { job, settings } = loaded;
    if (job.status === 'submitted') {
      await this.commands.run(jobAggregate, { type: 'StartContracting', data: { jobId, orgId: job.orgId } }, `assign:${jobId}:contracting`, event);
    }
    const strategy = job.assignmentStrategy ?? settings.assignmentStrategy;
    await this.commands.run(
      assignmentAggregate,
      { type: 'StartAssignment', data: { jobId, orgId: job.orgId, strategy, maxRounds: settings.maxRounds } },
      `assign:${jobId}:start`,
      event,
    );
  }

  /** A round needs its candidates assessed (the start, a failed round, a restart). */
  private async runRound(event: SagaEvent, jobId: string): Promise<void> {
    const loaded = await this.load(jobId);
    if (loaded?.assignment == null) return;
    const { job, assignment, settings } = loaded;
    if (assignment.phase !== 'assessing' || assignment.assessments !== null) return;
    if (job.status !== 'contracting') return;
    const now = this.now().toISOString();
    const candidates = await assessCandidates({ reader: this.deps.reader, job, assignment, settings, workloads: await this.deps.workloadsOf(job.orgId), now });
    await this.commands.run(
      assignmentAggregate,
      { type: 'RecordAssessment', data: { jobId, orgId: job.orgId, round: assignment.round, candidates } },
      `assign:${jobId}:assess:${assignment.round}`,
      event,
    );
  }

  private async afterAssessment(event: SagaEvent, jobId: string): Promise<void> {
    const loaded = await this.load(jobId);
    if (loaded?.assignment == null) return;
    const { job, assignment, settings } = loaded;
    if (assignment.phase !== 'assessing' || assignment.assessments === null) return;
    const anyEligible = [...assignment.assessments.values()].some((c) => c.eligible && !assignment.excluded.includes(c.subjectId));
    if (assignment.strategy === 'auction' && anyEligible) {
      const closesAt = new Date(this.now().getTime() + settings.bidWindowMs).toISOString();
      await this.commands.run(
        assignmentAggregate,
        { type: 'IssueCallForProposals', data: { jobId, orgId: job.orgId, round: assignment.round, closesAt } },
        `assign:${jobId}:cfp:${assignment.round}`,
        event,
      );
      return;
    }
    await this.closeRound(event, jobId, assignment.round);
  }

  /** Sends the call for proposals to each invitee (again, after a restart, while it is open) and sets its deadline. */
  private async callForProposals(event: SagaEvent<'CallForProposalsIssued'>, jobId: string): Promise<void> {
    const loaded = await this.load(jobId);
    if (loaded?.assignment == null) return;
    const { job, assignment } = loaded;
    const { round, invitees, closesAt } = event.data;
    if (assignment.round !== round || assignment.phase !== 'bidding') return;
    await this.commands.schedule(
      {
        key: `${AUCTION_CLOSE}:${jobId}:${round}`,
        orgId: job.orgId,
        dueAt: closesAt,
        purpose: AUCTION_CLOSE,
        ref: { jobId, round },
      },
      event,
    );
    if (Date.parse(closesAt) <= this.now().getTime()) return;
    const cfp: CallForProposals = {
      orgId: job.orgId,
      jobId,
      round,
      closesAt,
      goal: job.goal,
      objectives: job.objectives,
      requiredCapabilities: job.requiredCapabilities,
      budget: job.budget,
      deadline: job.deadline,
    };
    for (const subjectId of invitees) await this.deps.bus.publish(agentInboxSubject(subjectId, 'cfp'), { data: cfp });
  }

  private async closeRound(event: SagaEvent, jobId: string, round: number): Promise<void> {
    const loaded = await this.load(jobId);
    if (loaded?.assignment == null) return;
    const { job, assignment } = loaded;
    if (assignment.round !== round) return;
    await this.commands.run(
      assignmentAggregate,
      { type: 'CloseRound', data: { jobId, orgId: job.orgId, round, contractId: contractIdFor(jobId, round) } },
      `assign:${jobId}:close:${round}`,
      event,
    );
  }

  private async onAwarded(event: SagaEvent<'AssignmentAwarded'>, jobId: string): Promise<void> {
    const loaded = await this.load(jobId);
    if (loaded?.assignment == null) return;
    const { job, assignment, settings } = loaded;
    const award = event.data;
    if (assignment.award?.contractId !== award.contractId || assignment.phase !== 'awarded') return;
    const now = this.now().getTime();
    const obligations =
      job.deadline !== null && Date.parse(job.deadline) > now
        ? [{ obligationId: 'delivery', description: `deliver: ${job.goal}`.slice(0, 500), dueAt: job.deadline }]
        : [];
    // Drafted already (a replay; the deadline or the settings may differ by now): the step is done.
    const existing = (await this.deps.reader.load(contractDecider, contractStream(award.contractId))).state;
    const drafted =
      existing !== null
        ? null
        : await this.commands.run(
            contractAggregate,
            {
              type: 'DraftContract',
              data: {
                contractId: award.contractId,
                orgId: job.orgId,
                jobId,
                assigneeSubjectId: award.subjectId,
                verifierSubjectIds: job.verifierSubjectIds,
                permittedActions: settings.permittedActions,
                permittedTools: settings.permittedTools,
                deliverables: job.objectives.length > 0 ? job.objectives.map((objective) => objective.slice(0, 500)) : [job.goal.slice(0, 500)],
                obligations,
                escalateTo: settings.escalateTo,
                reviewRequired: settings.contractReviewRequired,
              },
            },
            `assign:${award.contractId}:draft`,
            event,
          );
    if (drafted !== null && isAppError(drafted)) {
      this.deps.logger?.warn({ jobId, code: drafted.code }, 'the contract of an award could not be drafted; the round fails');
      await this.failRound(event, job, assignment, 'contract_rejected', `the contract could not be drafted: ${drafted.message}`.slice(0, 500));
      return;
    }
    for (const subjectId of award.declined) {
      const rejected: ProposalRejected = { orgId: job.orgId, jobId, round: award.round, reason: 'another bid won' };
      await this.deps.bus.publish(agentInboxSubject(subjectId, 'reject'), { data: rejected });
    }
    if (!settings.contractReviewRequired) await this.offer(event, job, award.contractId, award.round, award.basis);
  }

  private async onContractReviewed(event: SagaEvent<'ContractReviewed'>): Promise<void> {
    const { contractId, jobId, approved } = event.data;
    if (!approved) return; // a disapproval rejects the contract: ContractRejected follows
    const loaded = await this.load(jobId);
    if (loaded?.assignment?.award?.contractId !== contractId) return;
    await this.offer(event, loaded.job, contractId, loaded.assignment.award.round, 'approved after review');
  }

  /** The org signs its side, and the chosen agent is asked to sign (accept-proposal). */
  private async offer(event: SagaEvent, job: Job, contractId: string, round: number, basis: string): Promise<void> {
    await this.commands.run(
      contractAggregate,
      { type: 'SignContract', data: { contractId, orgId: job.orgId, party: 'org' } },
      `assign:${contractId}:sign-org`,
      event,
    );
    const contract = (await this.deps.reader.load(contractDecider, contractStream(contractId))).state;
    if (contract === null || contract.status !== 'awaiting_signatures') return;
    const message: Award = {
      orgId: job.orgId,
      jobId: job.jobId,
      round,
      basis,
      goal: job.goal,
      contract: {
        contractId,
        permittedActions: contract.permittedActions,
        permittedTools: contract.permittedTools,
        deliverables: contract.deliverables,
        obligations: contract.obligations.map(({ obligationId, description, dueAt }) => ({ obligationId, description, dueAt })),
      },
    };
    // The offer is a one-off message: an agent that never answers must not hold the job. The timer is durable.
    const settings = await orgWorkSettings(this.deps.reader, job.orgId);
    await this.commands.schedule(
      {
        key: `${SIGNATURE_DUE}:${contractId}`,
        orgId: job.orgId,
        dueAt: new Date(this.now().getTime() + settings.signatureTimeoutMs),
        purpose: SIGNATURE_DUE,
        ref: { contractId, jobId: job.jobId, timeoutMs: settings.signatureTimeoutMs },
      },
      event,
    );
    await this.deps.bus.publish(agentInboxSubject(contract.assigneeSubjectId, 'accept'), { data: message });
  }

  /** Not signed in time: the org withdraws the offer (a rejection, on record), and the next round goes on without it. */
  private async onSignatureDue(event: SagaEvent, ref: { contractId?: string; timeoutMs?: number }): Promise<void> {
    if (typeof ref.contractId !== 'string') return;
    const contract = (await this.deps.reader.load(contractDecider, contractStream(ref.contractId))).state;
    if (contract === null || contract.status !== 'awaiting_signatures') return;
    await this.commands.run(
      contractAggregate,
      {
        type: 'RejectContract',
        data: { contractId: contract.contractId, orgId: contract.orgId, party: 'org', reason: `the assignee did not sign within ${String(ref.timeoutMs)} ms` },
      },
      `assign:${contract.contractId}:signature-due`,
      event,
    );
  }

  private async onContractActivated(event: SagaEvent<'ContractActivated'>): Promise<void> {
    const { contractId, jobId, assigneeSubjectId, orgId } = event.data;
    const loaded = await this.load(jobId);
    if (loaded?.assignment?.award?.contractId !== contractId || loaded.job.orgId !== orgId) return;
    // On hold (escalated while the offer was out): assigned when the escalation is resolved, not now.
    if (loaded.job.status !== 'contracting' && loaded.job.assignment?.contractId !== contractId) return;
    await this.assignUnder(event, loaded.job, contractId, assigneeSubjectId);
  }

  private async assignUnder(event: SagaEvent, job: Job, contractId: string, assigneeSubjectId: string): Promise<void> {
    const { jobId, orgId } = job;
    if (job.status === 'contracting') {
      const assigned = await this.commands.run(
        jobAggregate,
        { type: 'AssignJob', data: { jobId, orgId, assigneeSubjectId, contractId } },
        `assign:${contractId}:assign-job`,
        event,
      );
      if (isAppError(assigned)) return;
    }
    await this.commands.run(assignmentAggregate, { type: 'CompleteAssignment', data: { jobId, orgId, contractId } }, `assign:${contractId}:complete`, event);
  }

  private async onContractRejected(event: SagaEvent<'ContractRejected'>): Promise<void> {
    const { contractId, jobId, party, reason } = event.data;
    const loaded = await this.load(jobId);
    if (loaded?.assignment?.award?.contractId !== contractId || loaded.assignment.phase !== 'awarded') return;
    await this.failRound(event, loaded.job, loaded.assignment, 'contract_rejected', `the ${party} rejected the contract: ${reason}`.slice(0, 500));
  }

  private async failRound(event: SagaEvent, job: Job, assignment: Assignment, reason: 'contract_rejected' | 'assignee_lost', detail: string): Promise<void> {
    await this.commands.run(
      assignmentAggregate,
      { type: 'FailRound', data: { jobId: job.jobId, orgId: job.orgId, round: assignment.round, reason, detail } },
      `assign:${job.jobId}:fail:${assignment.round}`,
      event,
    );
  }

  private async onEscalated(event: SagaEvent<'AssignmentEscalated'>, jobId: string): Promise<void> {
    const loaded = await this.load(jobId);
    if (loaded === null || loaded.assignment?.phase !== 'escalated') return;
    const { job, settings } = loaded;
    if (job.status !== 'contracting' && job.status !== 'submitted') return;
    await this.commands.run(
      jobAggregate,
      {
        type: 'EscalateJob',
        data: { jobId, orgId: job.orgId, reason: `no assignee found: ${event.data.reason}`.slice(0, 1000), escalateTo: settings.escalateTo },
      },
      `assign:${jobId}:escalate:${loaded.assignment.round}`,
      event,
    );
  }

  /**
   * An escalation resolved. Back to contracting: `reassign` drops whoever was chosen (its contract is terminated) and
   * assigns anew without it; `resume` / `extend` carry on where the assignment was (an offer signed meanwhile is
   * assigned now). Cancelled: as a cancelled job.
   */
  private async onEscalationResolved(event: SagaEvent<'JobEscalationResolved'>): Promise<void> {
    const { jobId, status, resolution } = event.data;
    if (status === 'cancelled') return this.onJobEnded(event, jobId);
    if (status !== 'contracting') return;
    const loaded = await this.load(jobId);
    if (loaded?.assignment == null) return;
    const { job, assignment } = loaded;
    if (assignment.phase === 'completed' || assignment.phase === 'escalated') {
      const exclude = resolution === 'reassign' && assignment.phase === 'completed' && assignment.award ? [assignment.award.subjectId] : [];
      await this.commands.run(
        assignmentAggregate,
        { type: 'RestartAssignment', data: { jobId, orgId: job.orgId, reason: `the job went back to contracting (${resolution})`, exclude } },
        `assign:${jobId}:restart:${event.eventId}`,
        event,
      );
      return;
    }
    if (assignment.phase === 'awarded' && assignment.award) {
      const contract = (await this.deps.reader.load(contractDecider, contractStream(assignment.award.contractId))).state;
      if (resolution === 'reassign') {
        await this.terminateAward(event, job.orgId, assignment.award.contractId, 'the job was reassigned before it was assigned');
        await this.failRound(event, job, assignment, 'assignee_lost', 'the job was reassigned by its escalatee');
        return;
      }
      // Signed while the job was on hold: assign it now.
      if (contract?.status === 'active') await this.assignUnder(event, job, assignment.award.contractId, contract.assigneeSubjectId);
      return;
    }
    // Assessing (or a round that failed while on hold): run it now that the job is contracting again.
    await this.runRound(event, jobId);
  }

  /** The job ended before it was assigned: the assignment stops and an offer still open is withdrawn. */
  private async onJobEnded(event: SagaEvent, jobId: string): Promise<void> {
    const loaded = await this.load(jobId);
    if (loaded?.assignment == null) return;
    const { job, assignment } = loaded;
    await this.commands.run(
      assignmentAggregate,
      { type: 'CancelAssignment', data: { jobId, orgId: job.orgId, reason: 'the job was cancelled' } },
      `assign:${jobId}:cancel`,
      event,
    );
    if (assignment.phase === 'awarded' && assignment.award) await this.terminateAward(event, job.orgId, assignment.award.contractId, 'the job was cancelled');
  }

  private async terminateAward(event: SagaEvent, orgId: string, contractId: string, reason: string): Promise<void> {
    const contract = (await this.deps.reader.load(contractDecider, contractStream(contractId))).state;
    if (contract === null || isFinalContractStatus(contract.status)) return;
    await this.commands.run(contractAggregate, { type: 'TerminateContract', data: { contractId, orgId, reason } }, `assign:${contractId}:terminate`, event);
  }
}
