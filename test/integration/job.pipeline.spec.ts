import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { jobAggregate } from '../../commands/handlers/job.ts';
import { orgAggregate } from '../../commands/handlers/org.ts';
import type { PreAppendCheck } from '../../commands/pre-append-check.ts';
import { knownActions } from '../../commands/known-actions.ts';
import { jobDecider, jobStream } from '../../domain/job/decider.ts';
import { collect } from '../support/async.ts';
import { ok } from '../support/governance-fixtures.ts';
import { admin, commandId, pipelineOn, registerOrg, tempStore } from '../support/pipeline.ts';

const allowAll: PreAppendCheck = async () => ({ allowed: true });
const now = new Date('2026-11-27T12:00:00.000Z');

function submit(jobId: string, orgId: string, extra: Record<string, unknown> = {}) {
  return { type: 'SubmitJob', data: { jobId, orgId, goal: 'Translate the manual', completionMode: 'single', ...extra } };
}

describe('job commands through the pipeline', () => {
  it('registers every job action as a known action, so policies may name them', () => {
    expect(knownActions()).toEqual(expect.arrayContaining([...jobAggregate.actions]));
    expect([...jobAggregate.actions].sort()).toEqual([
      'job.assign',
      'job.cancel',
      'job.contracting.start',
      'job.deliver',
      'job.escalate',
      'job.escalation.raise',
      'job.escalation.resolve',
      'job.fail',
      'job.reject',
      'job.start',
      'job.submit',
      'job.verify',
    ]);
  });

  it('escalates and resumes, cancels, and rebuilds the same state from the log, with schema version 1 and the org in the metadata', async () => {
    const store = tempStore();
    const { pipeline } = pipelineOn(store, { clock: () => now });
    const orgId = randomUUID();
    const jobId = randomUUID();
    const run = async (command: unknown) => ok(await pipeline.execute(jobAggregate, command, { commandId: commandId(), principal: admin }));
    ok(await pipeline.execute(orgAggregate, registerOrg(orgId), { commandId: commandId(), principal: admin }));

    await run(submit(jobId, orgId, { deadline: '2026-11-28T12:00:00+01:00' }));
    await run({ type: 'StartContracting', data: { jobId, orgId } });
    await run({ type: 'EscalateJob', data: { jobId, orgId, reason: 'no bidders', escalateTo: 'board' } });
    const resumed = await run({ type: 'ResolveEscalation', data: { jobId, orgId, resolution: 'resume', note: 'try again' } });
    expect(resumed.events[0]).toMatchObject({ type: 'JobEscalationResolved', data: { status: 'contracting', resolvedAt: now.toISOString() } });
    await run({ type: 'CancelJob', data: { jobId, orgId, reason: 'budget cut' } });

    const events = await collect(store.readStream(jobStream(jobId)));
    expect(events.map((event) => event.type)).toEqual(['JobSubmitted', 'JobContractingStarted', 'JobEscalated', 'JobEscalationResolved', 'JobCancelled']);
    expect(events.every((event) => event.metadata.schemaVersion === 1 && event.metadata.orgId === orgId)).toBe(true);
    expect(events[0]?.data).toMatchObject({ deadline: '2026-11-28T11:00:00.000Z', submittedAt: now.toISOString() });

    const { loader } = pipelineOn(store);
    const { state } = await loader.load(jobDecider, jobStream(jobId));
    expect(state).toMatchObject({ status: 'cancelled', statusReason: 'budget cut', escalation: null, deadline: '2026-11-28T11:00:00.000Z' });
  });

  it('refuses domain errors with nothing appended', async () => {
    const store = tempStore();
    const { pipeline } = pipelineOn(store, { check: allowAll, clock: () => now });
    const execute = (command: unknown) => pipeline.execute(jobAggregate, command, { commandId: commandId(), principal: admin });
    const orgId = randomUUID();
    expect(await execute(submit(randomUUID(), orgId))).toMatchObject({ kind: 'not_found', code: 'ORG_NOT_FOUND' });
    ok(await pipeline.execute(orgAggregate, registerOrg(orgId), { commandId: commandId(), principal: admin }));
    const jobId = randomUUID();
    ok(await execute(submit(jobId, orgId)));
    const head = await store.headPosition();
    expect(await execute(submit(jobId, orgId))).toMatchObject({ kind: 'conflict', code: 'JOB_ALREADY_EXISTS' });
    expect(await execute(submit(randomUUID(), orgId, { deadline: '2026-11-27T11:59:59Z' }))).toMatchObject({ kind: 'unprocessable', code: 'DEADLINE_IN_PAST' });
    expect(await execute({ type: 'StartWork', data: { jobId, orgId } })).toMatchObject({
      kind: 'conflict',
      code: 'ILLEGAL_TRANSITION',
      details: { jobId, status: 'submitted', command: 'StartWork' },
    });
    expect(await execute({ type: 'StartContracting', data: { jobId: randomUUID(), orgId } })).toMatchObject({ kind: 'not_found', code: 'JOB_NOT_FOUND' });
    ok(await pipeline.execute(orgAggregate, { type: 'SuspendOrg', data: { orgId, reason: 'audit' } }, { commandId: commandId(), principal: admin }));
    const suspendedHead = await store.headPosition();
    expect(await execute(submit(randomUUID(), orgId))).toMatchObject({ kind: 'conflict', code: 'ORG_NOT_ACTIVE' });
    expect(await store.headPosition()).toBe(suspendedHead);
    expect(suspendedHead).toBe(head + 1n);
  });
});

const jobId = '55555555-5555-4555-8555-555555555555';
const orgId = '11111111-1111-4111-8111-111111111111';
const subjectId = 'aaaaaaaa-0000-4000-8000-000000000001';
const base = { jobId, orgId, goal: 'g', completionMode: 'single' };
const malformed: Array<[string, unknown, string[]]> = [
  ['SubmitJob without a goal', { type: 'SubmitJob', data: { jobId, orgId, completionMode: 'single' } }, ['goal']],
  ['SubmitJob with an unknown priority', { type: 'SubmitJob', data: { ...base, priority: 'urgent' } }, ['priority']],
  ['SubmitJob with a deadline without a zone', { type: 'SubmitJob', data: { ...base, deadline: '2027-01-01T00:00:00' } }, ['deadline']],
  [
    'SubmitJob with a fractional capability level',
    { type: 'SubmitJob', data: { ...base, requiredCapabilities: [{ name: 'nlp', level: 2.5 }] } },
    ['requiredCapabilities', '0', 'level'],
  ],
  ['SubmitJob with a budget in lowercase currency', { type: 'SubmitJob', data: { ...base, budget: { amount: 5, currency: 'usd' } } }, ['budget', 'currency']],
  ['SubmitJob with a negative budget', { type: 'SubmitJob', data: { ...base, budget: { amount: -5, currency: 'USD' } } }, ['budget', 'amount']],
  ['SubmitJob with verification and no verifier', { type: 'SubmitJob', data: { ...base, completionMode: 'verified' } }, ['verifierSubjectIds']],
  ["SubmitJob with 'direct' and no assignee", { type: 'SubmitJob', data: { ...base, assignmentStrategy: 'direct' } }, ['directAssignee']],
  ['SubmitJob with an output template that is a list', { type: 'SubmitJob', data: { ...base, outputTemplate: [1] } }, ['outputTemplate']],
  ['SubmitJob naming the submitter', { type: 'SubmitJob', data: { ...base, submittedBy: 'me' } }, []],
  ['AssignJob without a contract', { type: 'AssignJob', data: { jobId, orgId, assigneeSubjectId: subjectId } }, ['contractId']],
  [
    'AssignJob to a name, not a subject id',
    { type: 'AssignJob', data: { jobId, orgId, assigneeSubjectId: 'bob', contractId: subjectId } },
    ['assigneeSubjectId'],
  ],
  ['StartWork without the org', { type: 'StartWork', data: { jobId } }, ['orgId']],
  ['DeliverJob without a deliverable', { type: 'DeliverJob', data: { jobId, orgId } }, ['deliverable']],
  ['DeliverJob with an oversized deliverable', { type: 'DeliverJob', data: { jobId, orgId, deliverable: 'x'.repeat(40_000) } }, ['deliverable']],
  [
    'DeliverJob with a deeply nested deliverable',
    { type: 'DeliverJob', data: { jobId, orgId, deliverable: JSON.parse(`${'['.repeat(20)}${']'.repeat(20)}`) } },
    ['deliverable'],
  ],
  ['RejectDelivery with a blank reason', { type: 'RejectDelivery', data: { jobId, orgId, reason: ' ' } }, ['reason']],
  ['EscalateJob to a role that is not a role name', { type: 'EscalateJob', data: { jobId, orgId, reason: 'r', escalateTo: 'The Board' } }, ['escalateTo']],
  ['ResolveEscalation with an unknown resolution', { type: 'ResolveEscalation', data: { jobId, orgId, resolution: 'postpone' } }, ['resolution']],
  ['ResolveEscalation extend without a deadline', { type: 'ResolveEscalation', data: { jobId, orgId, resolution: 'extend' } }, ['deadline']],
  [
    'ResolveEscalation resume with a deadline',
    { type: 'ResolveEscalation', data: { jobId, orgId, resolution: 'resume', deadline: '2099-01-01T00:00:00Z' } },
    ['deadline'],
  ],
  ['an unknown command type', { type: 'DeleteJob', data: { jobId, orgId } }, ['type']],
];

describe('malformed job commands', () => {
  it.each(malformed)('refuses %s with VALIDATION_FAILED and appends nothing', async (_name, command, path) => {
    const store = tempStore();
    const { pipeline } = pipelineOn(store, { check: allowAll });
    const result = await pipeline.execute(jobAggregate, command, { commandId: commandId(), principal: admin });
    expect(result).toMatchObject({ kind: 'invalid', code: 'VALIDATION_FAILED' });
    const issues = (result as unknown as { details: { issues: Array<{ path: string[] }> } }).details.issues;
    expect(issues.length).toBeGreaterThan(0);
    if (path.length > 0) expect(issues.map((issue) => issue.path)).toContainEqual(path);
    expect(await store.headPosition()).toBe(0n);
  });
});
