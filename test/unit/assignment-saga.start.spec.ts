import { describe, expect, it } from 'vitest';
import { workSettingsOf } from '../../domain/assignment/work-settings.ts';
import { assigneeId, contractingStarted, jobId, jobSubmitted, now, orgId } from '../support/job-fixtures.ts';
import { placedAs } from '../support/workflow-spec.ts';
import { assessed, eligible, event, roundFailed, spec, started, stateWith } from './assignment-saga.support.ts';

const submitted = () => placedAs('JobSubmitted', jobSubmitted());

describe('assignment workflow: a submitted job starts contracting and its assignment', () => {
  it('starts contracting and the assignment, with the org’s strategy and rounds when the job names none', () => {
    const settings = workSettingsOf({ 'work.assignmentStrategy': 'auction', 'work.maxRounds': '4' });
    spec
      .given(stateWith([], { jobEvents: [jobSubmitted()], settings }))
      .when(submitted())
      .thenSteps([
        { kind: 'command', command: { aggregate: 'job', type: 'StartContracting', data: { jobId, orgId } }, commandId: `assign:${jobId}:contracting` },
        {
          kind: 'command',
          command: { aggregate: 'assignment', type: 'StartAssignment', data: { jobId, orgId, strategy: 'auction', maxRounds: 4 } },
          commandId: `assign:${jobId}:start`,
        },
      ]);
  });

  it('keeps the job’s own strategy', () => {
    const settings = workSettingsOf({ 'work.assignmentStrategy': 'auction' });
    const decided = spec
      .given(stateWith([], { jobEvents: [jobSubmitted({ assignmentStrategy: 'direct', directAssignee: assigneeId })], settings }))
      .when(submitted());
    decided.thenKinds(['command:StartContracting', 'command:StartAssignment']);
    expect(decided.steps[1]).toMatchObject({ command: { data: { strategy: 'direct' } } });
  });

  it('only starts the assignment of a job already contracting (a replay), and nothing for a job that does not exist', () => {
    spec
      .given(stateWith([], { jobEvents: [jobSubmitted(), contractingStarted] }))
      .when(submitted())
      .thenKinds(['command:StartAssignment']);
    spec
      .given(stateWith([], { job: null }))
      .when(submitted())
      .thenNothing();
  });
});

describe('assignment workflow: a round to run has its candidates assessed', () => {
  const failedRound = event<'AssignmentRoundFailed'>({
    type: 'AssignmentRoundFailed',
    data: { jobId, orgId, round: 1, reason: 'contract_rejected', detail: 'refused' },
  });
  const roundEvents = [
    failedRound,
    event<'AssignmentStarted'>({ type: 'AssignmentStarted', data: { jobId, orgId, strategy: 'criteria', maxRounds: 3, startedAt: now } }),
    event<'AssignmentRestarted'>({ type: 'AssignmentRestarted', data: { jobId, orgId, reason: 'reassign', excluded: [] } }),
  ];

  it('asks for the candidates to be read and assessed when the round is still to be assessed', () => {
    for (const input of roundEvents) {
      spec
        .given(stateWith([started('criteria')]))
        .when(input)
        .thenSteps([{ kind: 'follow', input: { type: 'assess-round', jobId } }]);
    }
    // A failed round: the next one is assessing, with nothing assessed yet.
    spec
      .given(stateWith([started('criteria'), assessed(1, [eligible(assigneeId)]), roundFailed(1)]))
      .when(failedRound)
      .thenKinds(['follow']);
  });

  it('does nothing for a round assessed already, or a job that is not contracting (on hold)', () => {
    for (const input of roundEvents) {
      spec
        .given(stateWith([started('criteria'), assessed(1, [eligible(assigneeId)])]))
        .when(input)
        .thenNothing();
      spec
        .given(stateWith([started('criteria')], { jobEvents: [jobSubmitted()] }))
        .when(input)
        .thenNothing();
      spec.given(stateWith([])).when(input).thenNothing();
    }
  });
});
