import type { Logger } from 'pino';
import type { CommandPipeline } from '../../commands/pipeline.ts';
import type { StreamReader } from '../../commands/stream-loader.ts';
import { jobDecider, jobStream } from '../../domain/job/decider.ts';
import type { Bus } from '../../infra/bus/port.ts';
import type { Saga } from '../saga-runner.ts';
import { decideEscalation, type EscalationInput } from './escalation/decide.ts';
import { noEscalationState, type EscalationState } from './escalation/state.ts';
import { escalationTimerRef } from './escalation/timer-ref.ts';
import { orgWorkSettings } from './org-settings.ts';
import { workSaga } from './work-command.ts';

const handled = ['JobEscalated', 'TimerFired'] as const;

/** The escalation workflow (`escalation/decide.ts`) with its I/O: the org's settings, the job of a fired timer. */
export function escalationSaga(deps: { pipeline: CommandPipeline; reader: StreamReader; bus: Bus; logger?: Logger }): Saga<(typeof handled)[number]> {
  const { reader } = deps;
  const load = async (input: EscalationInput): Promise<EscalationState> => {
    if (input.type === 'JobEscalated') {
      return { ...noEscalationState, escalationTimeoutMs: (await orgWorkSettings(reader, input.data.orgId)).escalationTimeoutMs };
    }
    const ref = escalationTimerRef(input);
    if (ref === null) return noEscalationState;
    return { ...noEscalationState, job: (await reader.load(jobDecider, jobStream(ref.jobId))).state };
  };
  return workSaga(deps, { name: 'escalations', eventTypes: handled, decide: decideEscalation, load });
}
