import type { Logger } from 'pino';
import type { CommandPipeline } from '../../commands/pipeline.ts';
import type { StreamReader } from '../../commands/stream-loader.ts';
import { contractDecider, contractStream } from '../../domain/contract/decider.ts';
import { jobDecider, jobStream } from '../../domain/job/decider.ts';
import type { Bus } from '../../infra/bus/port.ts';
import type { Saga } from '../saga-runner.ts';
import { decideObligations, type ObligationInput } from './obligation/decide.ts';
import { noObligationState, type ObligationState } from './obligation/state.ts';
import { obligationTimerRef } from './obligation/timer-ref.ts';
import { workSaga } from './work-command.ts';

const handled = ['ContractActivated', 'ObligationExtended', 'JobEscalationResolved', 'TimerFired'] as const;

/** The obligations workflow (`obligation/decide.ts`) with its I/O: the contract and its job. */
export function obligationSaga(deps: { pipeline: CommandPipeline; reader: StreamReader; bus: Bus; logger?: Logger }): Saga<(typeof handled)[number]> {
  const { reader } = deps;
  const contract = async (contractId: string) => (await reader.load(contractDecider, contractStream(contractId))).state;
  const job = async (jobId: string) => (await reader.load(jobDecider, jobStream(jobId))).state;
  const load = async (input: ObligationInput): Promise<ObligationState> => {
    switch (input.type) {
      case 'ContractActivated':
        return { ...noObligationState, contract: await contract(input.data.contractId) };
      case 'ObligationExtended':
        return noObligationState;
      case 'JobEscalationResolved': {
        if (input.data.resolution !== 'extend') return noObligationState;
        const resolved = await job(input.data.jobId);
        const contractId = resolved?.assignment?.contractId;
        return { job: resolved, contract: contractId === undefined ? null : await contract(contractId) };
      }
      case 'TimerFired': {
        const ref = obligationTimerRef(input);
        const due = ref === null ? null : await contract(ref.contractId);
        return { contract: due, job: due === null ? null : await job(due.jobId) };
      }
    }
  };
  return workSaga(deps, { name: 'obligations', eventTypes: handled, decide: decideObligations, load });
}
