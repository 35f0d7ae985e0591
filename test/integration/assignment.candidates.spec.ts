import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { required } from '../../domain/shared/required.ts';
import { buildPolicyRequest } from '../../commands/governance/policy-request.ts';
import { rosterAggregate } from '../../commands/handlers/roster.ts';
import { assignmentDecider } from '../../domain/assignment/decider.ts';
import { workSettingsOf } from '../../domain/assignment/work-settings.ts';
import type { Job } from '../../domain/job/state.ts';
import { evaluatePolicy } from '../../domain/policy/evaluate.ts';
import { platformPolicy } from '../../domain/policy/platform-policy.ts';
import { assessCandidates } from '../../processes/work/candidates.ts';
import { bareJobSubmission } from '../support/bare-job.ts';
import { ok } from '../support/governance-fixtures.ts';
import { admin } from '../support/pipeline.ts';
import { governedStore } from '../support/governed-store.ts';

describe("assessing candidates decides each one's policy exactly as a command of that subject would be decided", () => {
  it('agrees with the per-subject policy request on roles, inherited roles, groups, job spaces and capabilities', async () => {
    const { loader, g } = governedStore();
    const orgId = await g.registerOrg('equivalence');
    const run = (type: string, data: Record<string, unknown>) => g.run(rosterAggregate, { type, data: { orgId, ...data } }, admin);
    ok(await g.defineRole(orgId, { name: 'worker' }));
    ok(await g.defineRole(orgId, { name: 'senior', inherits: ['worker'] }));
    ok(await run('DefineGroup', { group: { name: 'crew', roles: ['worker'] } }));
    ok(await run('DefineJobSpace', { jobSpace: { name: 'lab' } }));
    await g.publishPolicy(orgId, [
      { id: 'seniors-accept', effect: 'permit', actions: ['job.accept'], when: '"senior" in principal.roles', reason: 'seniors take work' },
      {
        id: 'crew-with-skill',
        effect: 'permit',
        actions: ['job.accept'],
        when: '"crew" in principal.groups && principal.capabilities.summarise >= 3',
        reason: 'skilled crew',
      },
      { id: 'no-interns', effect: 'forbid', actions: ['job.accept'], when: 'principal.capabilities.intern >= 1', reason: 'interns do not take jobs' },
    ]);

    const subjects = {
      senior: await g.registerSubject('senior'),
      skilledWorker: await g.registerSubject('skilled', [{ name: 'summarise', level: 4 }]),
      plainWorker: await g.registerSubject('plain', [{ name: 'summarise', level: 1 }]),
      seniorInLabOnly: await g.registerSubject('lab senior'),
      seniorIntern: await g.registerSubject('intern', [{ name: 'intern', level: 1 }]),
    };
    ok(await g.grant(orgId, subjects.senior, 'senior'));
    ok(await g.grant(orgId, subjects.skilledWorker, 'worker'));
    ok(await g.grant(orgId, subjects.plainWorker, 'worker'));
    ok(await run('GrantRole', { associationId: randomUUID(), subjectId: subjects.seniorInLabOnly, role: 'senior', jobSpace: 'lab' }));
    ok(await g.grant(orgId, subjects.seniorIntern, 'senior'));

    const now = new Date().toISOString();
    const job = {
      ...bareJobSubmission({ jobId: randomUUID(), orgId, goal: 'g', assignmentStrategy: 'criteria', submittedBy: admin, submittedAt: now }),
      status: 'contracting',
      assignment: null,
      delivery: null,
      verification: null,
      escalation: null,
      statusReason: null,
    } satisfies Job;
    const assignment = required(
      assignmentDecider.evolve(null, {
        type: 'AssignmentStarted',
        data: { jobId: job.jobId, orgId, strategy: 'criteria', maxRounds: 3, startedAt: now },
      }),
      'the started assignment',
    );
    const assessed = await assessCandidates({ reader: loader, job, assignment, settings: workSettingsOf({}), workloads: new Map(), now });

    const byPolicy = Object.fromEntries(assessed.map((candidate) => [candidate.subjectId, !candidate.reasons.some((reason) => reason.startsWith('policy:'))]));
    for (const subjectId of Object.values(subjects)) {
      const { request, policy } = await buildPolicyRequest(loader, {
        principal: { id: subjectId, kind: 'subject' },
        action: 'job.accept',
        orgId,
        resource: { type: 'job', id: job.jobId, jobSpace: null },
        command: { type: 'AcceptJob', data: { jobId: job.jobId, orgId } },
        now,
      });
      const reference = evaluatePolicy([...platformPolicy, ...policy.rules], request).outcome === 'permitted';
      expect(byPolicy[subjectId], subjectId).toBe(reference);
    }
    // And the cases themselves, so the comparison is not vacuous.
    expect(byPolicy).toEqual({
      [subjects.senior]: true,
      [subjects.skilledWorker]: true,
      [subjects.plainWorker]: false,
      [subjects.seniorInLabOnly]: false,
      [subjects.seniorIntern]: false,
    });
  });
});
