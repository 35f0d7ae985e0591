import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { required } from '../../domain/shared/required.ts';
import { orgAggregate } from '../../commands/handlers/org.ts';
import { createJobAggregate, jobAggregate } from '../../commands/handlers/job.ts';
import type { CommandPipeline } from '../../commands/pipeline.ts';
import { jobDecider, jobStream } from '../../domain/job/decider.ts';
import type { Principal } from '../../domain/shared/principal.ts';
import { StreamNotFoundError } from '../../infra/eventstore/errors.ts';
import { collect } from '../support/async.ts';
import { asSubject, governance, ok, refused } from '../support/governance-fixtures.ts';
import { admin } from '../support/pipeline.ts';
import { governedStore } from '../support/governed-store.ts';

const inADay = () => new Date(Date.now() + 24 * 3600 * 1000).toISOString();

/** Drives one job through the governed pipeline in the words of the domain. */
function jobs(pipeline: CommandPipeline, orgId: string, jobId: string, aggregate = jobAggregate) {
  const run = (type: string, data: Record<string, unknown>, principal: Principal = admin) =>
    governance(pipeline).run(aggregate, { type, data: { jobId, orgId, ...data } }, principal);
  return {
    submit: (data: Record<string, unknown>, principal?: Principal) =>
      run('SubmitJob', { goal: 'Summarise the quarterly report', completionMode: 'verified', ...data }, principal),
    startContracting: (principal?: Principal) => run('StartContracting', {}, principal),
    assign: (assigneeSubjectId: string, principal?: Principal) => run('AssignJob', { assigneeSubjectId, contractId: randomUUID() }, principal),
    start: (principal?: Principal) => run('StartWork', {}, principal),
    deliver: (deliverable: unknown, principal?: Principal) => run('DeliverJob', { deliverable }, principal),
    verify: (principal?: Principal) => run('VerifyJob', { note: 'meets the template' }, principal),
    cancel: (principal?: Principal) => run('CancelJob', { reason: 'not needed' }, principal),
  };
}

describe('a job through the governed pipeline', () => {
  it('is submitted by an admin and walked to verified, each change appended with the decision that permitted it', async () => {
    const { store, pipeline, loader, g } = governedStore();
    const orgId = await g.registerOrg('lab');
    const writer = await g.registerSubject('writer', [{ name: 'nlp.summarize', level: 6 }]);
    const reviewer = await g.registerSubject('reviewer');
    const jobId = randomUUID();
    const job = jobs(pipeline, orgId, jobId);

    const steps = [
      await job.submit({
        priority: 'high',
        deadline: inADay(),
        objectives: ['one page'],
        requiredCapabilities: [{ name: 'nlp.summarize', level: 5 }],
        outputTemplate: { summary: 'string' },
        verifierSubjectIds: [reviewer],
        budget: { amount: 50, currency: 'EUR' },
        assignmentStrategy: 'direct',
        directAssignee: writer,
      }),
      await job.startContracting(),
      await job.assign(writer),
      await job.start(),
      await job.deliver({ summary: 'Revenue grew; costs fell.' }),
      await job.verify(),
    ].map(ok);

    const actions = ['job.submit', 'job.contracting.start', 'job.assign', 'job.start', 'job.deliver', 'job.verify'];
    const changes = ['JobSubmitted', 'JobContractingStarted', 'JobAssigned', 'JobWorkStarted', 'JobDelivered', 'JobVerified'];
    for (const [index, step] of steps.entries()) {
      expect(step.events.map((event) => event.type)).toEqual(['DecisionRecorded', changes[index]]);
      expect(step.events[0]?.data).toMatchObject({
        outcome: 'permitted',
        action: actions[index],
        orgId,
        determiningRuleIds: ['default:owner-manages-org', 'platform:admins-administer'],
      });
    }

    const stream = await collect(store.readStream(jobStream(jobId)));
    expect(stream.map((event) => event.type)).toEqual(changes.flatMap((change) => ['DecisionRecorded', change]));
    for (let index = 0; index < stream.length; index += 2) {
      const decision = required(stream[index], `the decision at ${index}`);
      const change = required(stream[index + 1], `the change after ${index}`);
      // One append: the decision right before the change, which is stamped with it and with the job's org.
      expect(decision.position).toBe(change.position - 1n);
      expect(change.metadata).toMatchObject({ decisionId: decision.data.decisionId, orgId, principal: admin });
      expect(decision.data).toMatchObject({ request: { resource: { type: 'job', id: jobId } } });
    }

    const { state } = await loader.load(jobDecider, jobStream(jobId));
    expect(state).toMatchObject({
      status: 'verified',
      orgId,
      priority: 'high',
      assignment: { assigneeSubjectId: writer },
      delivery: { deliverable: { summary: 'Revenue grew; costs fell.' }, deliveredBy: admin },
      verification: { verifiedBy: admin, note: 'meets the template' },
      submittedBy: admin,
    });
  });

  it("lets the org's policy give the parties their part, while the job still decides which subject is which", async () => {
    const { store, pipeline, g } = governedStore();
    const orgId = await g.registerOrg('studio');
    const [writer, otherWriter, reviewer] = [await g.registerSubject('writer'), await g.registerSubject('other'), await g.registerSubject('reviewer')];
    ok(await g.defineRole(orgId, { name: 'worker' }));
    ok(await g.defineRole(orgId, { name: 'verifier' }));
    ok(await g.grant(orgId, writer, 'worker'));
    ok(await g.grant(orgId, otherWriter, 'worker'));
    ok(await g.grant(orgId, reviewer, 'verifier'));
    await g.publishPolicy(orgId, [
      { id: 'workers-work', effect: 'permit', actions: ['job.start', 'job.deliver'], roles: ['worker'], reason: 'workers do the work' },
      { id: 'verifiers-verify', effect: 'permit', actions: ['job.verify', 'job.reject'], roles: ['verifier'], reason: 'verifiers check it' },
    ]);
    const jobId = randomUUID();
    const job = jobs(pipeline, orgId, jobId);
    ok(await job.submit({ verifierSubjectIds: [reviewer] }));
    ok(await job.startContracting());
    ok(await job.assign(writer));

    // The policy lets any worker start work; the job lets only its assignee.
    expect(refused(await job.start(asSubject(otherWriter)))).toMatchObject({ kind: 'forbidden', code: 'NOT_THE_ASSIGNEE' });
    ok(await job.start(asSubject(writer)));
    ok(await job.deliver('done', asSubject(writer)));
    // A worker is no verifier (the policy says so), and the assignee could not verify anyway.
    expect(refused(await job.verify(asSubject(writer)))).toMatchObject({ code: 'POLICY_DENIED', details: { outcome: 'not-permitted', action: 'job.verify' } });
    const verified = ok(await job.verify(asSubject(reviewer)));
    expect(verified.events[0]?.data).toMatchObject({ outcome: 'permitted', determiningRuleIds: ['verifiers-verify'] });

    // The permit the job then refused, and the denial, are both on record in the org's audit stream.
    const audit = await collect(store.readStream(`audit-${orgId}`));
    expect(audit.map((event) => [event.data.outcome, event.data.action])).toEqual([
      ['permitted', 'job.start'],
      ['not-permitted', 'job.verify'],
    ]);
  });

  it('denies by default a subject outside the org, and appends nothing to the job', async () => {
    const { store, pipeline, g } = governedStore();
    const orgId = await g.registerOrg('closed');
    const outsider = await g.registerSubject('outsider');
    const jobId = randomUUID();
    const job = jobs(pipeline, orgId, jobId);
    expect(refused(await job.submit({ completionMode: 'single' }, asSubject(outsider)))).toMatchObject({ code: 'POLICY_DENIED' });
    await expect(collect(store.readStream(jobStream(jobId)))).rejects.toThrow(StreamNotFoundError);
    ok(await job.submit({ completionMode: 'single' }));
    expect(refused(await job.cancel(asSubject(outsider)))).toMatchObject({ code: 'POLICY_DENIED', details: { action: 'job.cancel' } });
  });

  it('cannot act on a job by naming another org whose policy would permit it', async () => {
    const { store, pipeline, g } = governedStore();
    const orgId = await g.registerOrg('victim');
    const founder = await g.registerSubject('founder');
    const ownOrg = await g.registerOrg('own', asSubject(founder));
    const jobId = randomUUID();
    ok(await jobs(pipeline, orgId, jobId).submit({ completionMode: 'single' }));
    const before = await collect(store.readStream(jobStream(jobId)));

    const borrowed = refused(await jobs(pipeline, ownOrg, jobId).cancel(asSubject(founder)));
    expect(borrowed).toMatchObject({ kind: 'not_found', code: 'JOB_NOT_FOUND', details: { jobId, orgId: ownOrg } });
    expect(await collect(store.readStream(jobStream(jobId)))).toHaveLength(before.length);
  });

  it("enforces the org's quota of open jobs, set in its metadata, and records the refused permit", async () => {
    const { store, pipeline, g } = governedStore();
    const orgId = randomUUID();
    ok(await g.run(orgAggregate, { type: 'RegisterOrg', data: { orgId, name: 'Busy', slug: 'busy', metadata: { 'quota.maxOpenJobs': '2' } } }));
    const open = new Set<string>();
    const counted = createJobAggregate({ openJobsOf: async (org) => (org === orgId ? open.size : 0) });
    expect(counted.openJobsOf).toBeTypeOf('function');
    for (const name of ['first', 'second']) {
      const jobId = randomUUID();
      ok(await jobs(pipeline, orgId, jobId, counted).submit({ goal: name, completionMode: 'single' }));
      open.add(jobId);
    }
    const third = refused(await jobs(pipeline, orgId, randomUUID(), counted).submit({ completionMode: 'single' }));
    expect(third).toMatchObject({ kind: 'conflict', code: 'QUOTA_EXCEEDED', details: { orgId, openJobs: 2, maxOpenJobs: 2 } });
    const audit = await collect(store.readStream(`audit-${orgId}`));
    expect(audit.map((event) => [event.data.outcome, event.data.action])).toEqual([['permitted', 'job.submit']]);

    // A job ending frees its place.
    open.delete(required([...open][0], 'an open job'));
    ok(await jobs(pipeline, orgId, randomUUID(), counted).submit({ completionMode: 'single' }));
  });
});
