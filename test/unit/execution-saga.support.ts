import { workSettingsOf } from '../../domain/assignment/work-settings.ts';
import type { PlatformEventOf, PlatformEventType } from '../../domain/events/catalog.ts';
import { decideExecution } from '../../processes/work/execution/decide.ts';
import { taskIdFor } from '../../processes/work/execution/ids.ts';
import { noExecutionState } from '../../processes/work/execution/state.ts';
import { contractId, now } from '../support/job-fixtures.ts';
import { placed, workflowSpec } from '../support/workflow-spec.ts';

/** Given / when / then for the execution workflow, at `now` (the fixtures' instant) unless told. */
export const spec = workflowSpec(decideExecution, { now });
export const settings = workSettingsOf({});
export const state = noExecutionState;
/** The root task of the fixtures' contract. */
export const rootTaskId = taskIdFor(contractId);
export const event = <Type extends PlatformEventType>(input: PlatformEventOf<Type>) => placed(input);
export type { ExecutionStep } from '../../processes/work/execution/steps.ts';
