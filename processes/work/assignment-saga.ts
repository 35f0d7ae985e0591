import type { Logger } from 'pino';
import type { CommandPipeline } from '../../commands/pipeline.ts';
import type { StreamReader } from '../../commands/stream-loader.ts';
import { assignmentDecider, assignmentStream } from '../../domain/assignment/decider.ts';
import { contractDecider, contractStream } from '../../domain/contract/decider.ts';
import { jobDecider, jobStream } from '../../domain/job/decider.ts';
import type { Bus } from '../../infra/bus/port.ts';
import type { Saga } from '../saga-runner.ts';
import { assignmentEventTypes, decideAssignment, type AssignmentInput } from './assignment/decide.ts';
import { roundToAssess } from './assignment/rounds.ts';
import { noAssignmentState, type AssignmentWorkflowState } from './assignment/state.ts';
import { assignmentTimerOf, SIGNATURE_DUE } from './assignment/timer-refs.ts';
import { loadCandidateFacts, type WorkloadsOf } from './candidates.ts';
import { orgWorkSettings } from './org-settings.ts';
import { workSaga } from './work-command.ts';

export interface AssignmentSagaDeps {
  pipeline: CommandPipeline;
  reader: StreamReader;
  bus: Bus;
  workloadsOf: WorkloadsOf;
  clock?: () => Date;
  logger?: Logger;
}

/** The job an input concerns (null: a timer of another workflow, or an offer's signature timer, which needs none). */
function jobIdOf(input: AssignmentInput): string | null {
  if (input.type === 'assess-round' || input.type === 'offer') return input.jobId;
  if (input.type !== 'TimerFired') return input.data.jobId;
  const timer = assignmentTimerOf(input);
  return timer?.purpose === SIGNATURE_DUE || timer === null ? null : timer.jobId;
}

/**
 * The assignment workflow (`assignment/decide.ts`) with its I/O: the job, its assignment and the org's settings; the
 * contract an input concerns; the candidates' facts and workloads when a round is assessed.
 */
export function assignmentSaga(deps: AssignmentSagaDeps): Saga<(typeof assignmentEventTypes)[number]> {
  const { reader } = deps;
  const contract = async (contractId: string | undefined) =>
    contractId === undefined ? null : (await reader.load(contractDecider, contractStream(contractId))).state;

  const load = async (input: AssignmentInput, now: () => string): Promise<AssignmentWorkflowState> => {
    if (input.type === 'TimerFired') {
      const timer = assignmentTimerOf(input);
      if (timer?.purpose === SIGNATURE_DUE) return { ...noAssignmentState, contract: await contract(timer.contractId) };
    }
    const jobId = jobIdOf(input);
    const job = jobId === null ? null : (await reader.load(jobDecider, jobStream(jobId))).state;
    if (job === null) return noAssignmentState;
    const assignment = (await reader.load(assignmentDecider, assignmentStream(job.jobId))).state;
    const state: AssignmentWorkflowState = { ...noAssignmentState, job, assignment, settings: await orgWorkSettings(reader, job.orgId) };
    switch (input.type) {
      case 'AssignmentAwarded':
        return { ...state, contract: await contract(input.data.contractId) };
      case 'offer':
        return { ...state, contract: await contract(input.contractId) };
      case 'JobCancelled':
      case 'JobEscalationResolved':
        return { ...state, contract: await contract(assignment?.award?.contractId) };
      case 'assess-round': {
        // Read only when the round is still to be assessed: the workloads wait for their read model.
        const round = roundToAssess(state);
        if (round === null) return state;
        const source = await loadCandidateFacts(reader, round.job, round.assignment, now());
        return { ...state, candidates: { source, workloads: await deps.workloadsOf(job.orgId) } };
      }
      default:
        return state;
    }
  };

  return workSaga(deps, { name: 'assignment', eventTypes: assignmentEventTypes, decide: decideAssignment, load });
}
