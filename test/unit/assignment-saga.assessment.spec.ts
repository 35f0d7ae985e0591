import { describe, expect, it } from 'vitest';
import { defaultOrgPolicy } from '../../domain/policy/platform-policy.ts';
import { rosterDecider } from '../../domain/roster/decider.ts';
import type { RosterEvent } from '../../domain/roster/events.ts';
import type { Subject } from '../../domain/subject/state.ts';
import type { AssignmentFollowUp } from '../../processes/work/assignment/follow-ups.ts';
import type { CandidateFactsSource } from '../../processes/work/candidates.ts';
import { assigneeId, jobId, now, orgId, strangerId, system, verifierId } from '../support/job-fixtures.ts';
import { granted, role, roleDefined } from '../support/roster-fixtures.ts';
import { assessed, contractingJob, eligible, settings, spec, started, stateWith } from './assignment-saga.support.ts';

const writerB = 'dddddddd-1111-4000-8000-00000000000b';
const subjectWith = (subjectId: string, level: number): Subject => ({
  subjectId,
  kind: 'agent',
  displayName: subjectId.slice(0, 4),
  description: '',
  endpoint: null,
  status: 'active',
  statusReason: null,
  capabilities: { 'nlp.summarize': { level, evidence: null, verified: null, verifiedIn: {} } },
  registeredBy: system,
});
const roster = [
  roleDefined(role('writer')),
  granted(assigneeId, 'writer'),
  granted(writerB, 'writer'),
  granted(strangerId, 'reader'),
  granted(verifierId, 'writer'),
].reduce((state: ReturnType<typeof rosterDecider.evolve>, event: RosterEvent) => rosterDecider.evolve(state, event), rosterDecider.initialState);
const source: CandidateFactsSource = {
  roster,
  subjects: new Map([
    [assigneeId, subjectWith(assigneeId, 6)],
    [writerB, subjectWith(writerB, 8)],
    [strangerId, subjectWith(strangerId, 9)],
    [verifierId, subjectWith(verifierId, 9)],
  ]),
  policy: {
    request: {
      principal: { id: 'assignment', kind: 'system', roles: [], groups: [], capabilities: {} },
      action: 'job.accept',
      resource: { type: 'job', id: jobId, jobSpace: null, attributes: {} },
      org: { id: orgId, status: 'active', ownerId: 'admin:a', tags: [], metadata: {} },
      command: { type: 'AcceptJob', data: { jobId, orgId } },
      now,
    },
    policy: { source: 'default', version: null, hash: 'default', rules: defaultOrgPolicy },
  },
};
const assess: AssignmentFollowUp = { type: 'assess-round', jobId };

describe('assignment workflow: assessing a round’s candidates', () => {
  it('assesses every member of the org, in id order, and records why each one is or is not eligible, scored for criteria', () => {
    const decided = spec.given(stateWith([started('criteria')], { candidates: { source, workloads: new Map() } })).when(assess);
    decided.thenKinds(['command:RecordAssessment']);
    expect(decided.steps[0]).toMatchObject({
      commandId: `assign:${jobId}:assess:1`,
      command: {
        type: 'RecordAssessment',
        data: {
          jobId,
          orgId,
          round: 1,
          candidates: [
            eligible(assigneeId, 60),
            { subjectId: verifierId, eligible: false, reasons: ['verifies this job (separation of duties)'], score: null },
            { subjectId: strangerId, eligible: false, reasons: ['lacks role(s) writer'], score: null },
            eligible(writerB, 80),
          ],
        },
      },
    });
  });

  it('counts open assignments from the read model against the limit and in the score', () => {
    const workloads = new Map([
      [assigneeId, 2],
      [writerB, settings.maxOpenAssignments],
    ]);
    const decided = spec.given(stateWith([started('criteria')], { candidates: { source, workloads } })).when(assess);
    expect(decided.steps[0]).toMatchObject({
      command: {
        data: {
          candidates: [
            eligible(assigneeId, 58),
            expect.objectContaining({ subjectId: verifierId }),
            expect.objectContaining({ subjectId: strangerId }),
            {
              subjectId: writerB,
              eligible: false,
              reasons: [`workload: ${settings.maxOpenAssignments} open assignment(s), the limit is ${settings.maxOpenAssignments}`],
              score: null,
            },
          ],
        },
      },
    });
  });

  it('assesses only the named subject of a direct job, unscored', () => {
    const job = contractingJob({ assignmentStrategy: 'direct', directAssignee: writerB });
    const decided = spec.given(stateWith([started('direct')], { job, candidates: { source, workloads: new Map() } })).when(assess);
    expect(decided.steps[0]).toMatchObject({ command: { data: { candidates: [eligible(writerB, null)] } } });
  });

  it('does nothing once the round is assessed, or without the candidates read', () => {
    spec
      .given(stateWith([started('criteria'), assessed(1, [eligible(assigneeId)])], { candidates: { source, workloads: new Map() } }))
      .when(assess)
      .thenNothing();
    spec
      .given(stateWith([started('criteria')]))
      .when(assess)
      .thenNothing();
  });
});
