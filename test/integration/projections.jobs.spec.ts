import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { required } from '../../domain/shared/required.ts';
import { jobAggregate } from '../../commands/handlers/job.ts';
import { orgAggregate } from '../../commands/handlers/org.ts';
import type { JsonDocument } from '../../infra/documents/port.ts';
import { appliesTo, type Projection } from '../../projections/projection.ts';
import { readModelProjections } from '../../projections/read-models/all.ts';
import { JOBS, countOpenJobs, jobView, jobsProjection } from '../../projections/read-models/jobs.ts';
import { WORKLOADS, WORKLOAD_JOBS, workloadId, workloadsProjection } from '../../projections/read-models/workloads.ts';
import { ProjectionRunner } from '../../projections/runner.ts';
import { ok } from '../support/governance-fixtures.ts';
import { admin, commandId, pipelineOn, registerOrg, tempStore } from '../support/pipeline.ts';
import { LogConsumer } from '../../infra/log-consumer/log-consumer.ts';
import { memoryDocs, projectionsCaughtUp, collectionsDump, projectedLog } from '../support/projection-runs.ts';

/**
 * Two orgs; alice holds two open jobs in the first (one in progress, one escalated), and once held a third that was
 * verified; a fourth was hers until an escalation reassigned it to bob; a fifth was hers until an escalation sent it
 * back to contracting, where it waits; bob also holds a job in the second org; one job is cancelled before anyone
 * held it.
 */
async function history() {
  const store = tempStore();
  const { pipeline, registry } = pipelineOn(store);
  const run = async (command: unknown) => ok(await pipeline.execute(jobAggregate, command, { commandId: commandId(), principal: admin }));
  const [orgId, otherOrgId] = [randomUUID(), randomUUID()];
  ok(await pipeline.execute(orgAggregate, registerOrg(orgId), { commandId: commandId(), principal: admin }));
  ok(await pipeline.execute(orgAggregate, registerOrg(otherOrgId), { commandId: commandId(), principal: admin }));
  const [alice, bob] = [randomUUID(), randomUUID()];
  const ids = {
    working: randomUUID(),
    escalated: randomUUID(),
    verified: randomUUID(),
    reassigned: randomUUID(),
    unheld: randomUUID(),
    cancelled: randomUUID(),
    elsewhere: randomUUID(),
  };
  const submit = (jobId: string, org = orgId, extra: Record<string, unknown> = {}) =>
    run({ type: 'SubmitJob', data: { jobId, orgId: org, goal: `Job ${jobId.slice(0, 4)}`, completionMode: 'single', ...extra } });
  const assign = async (jobId: string, subjectId: string, org = orgId) => {
    await run({ type: 'StartContracting', data: { jobId, orgId: org } });
    await run({ type: 'AssignJob', data: { jobId, orgId: org, assigneeSubjectId: subjectId, contractId: randomUUID() } });
  };

  await submit(ids.working, orgId, { priority: 'high', outputTemplate: { 'a.b': { $c: 1 } } });
  await assign(ids.working, alice);
  await run({ type: 'StartWork', data: { jobId: ids.working, orgId } });

  await submit(ids.escalated);
  await assign(ids.escalated, alice);
  await run({ type: 'EscalateJob', data: { jobId: ids.escalated, orgId, reason: 'stuck', escalateTo: 'board' } });

  await submit(ids.verified);
  await assign(ids.verified, alice);
  await run({ type: 'StartWork', data: { jobId: ids.verified, orgId } });
  await run({ type: 'DeliverJob', data: { jobId: ids.verified, orgId, deliverable: { 'x.y': ['$z'] } } });
  await run({ type: 'VerifyJob', data: { jobId: ids.verified, orgId } });

  await submit(ids.reassigned);
  await assign(ids.reassigned, alice);
  await run({ type: 'EscalateJob', data: { jobId: ids.reassigned, orgId, reason: 'too slow', escalateTo: 'board' } });
  await run({ type: 'ResolveEscalation', data: { jobId: ids.reassigned, orgId, resolution: 'reassign' } });
  await run({ type: 'AssignJob', data: { jobId: ids.reassigned, orgId, assigneeSubjectId: bob, contractId: randomUUID() } });

  await submit(ids.unheld);
  await assign(ids.unheld, alice);
  await run({ type: 'EscalateJob', data: { jobId: ids.unheld, orgId, reason: 'wrong agent', escalateTo: 'board' } });
  await run({ type: 'ResolveEscalation', data: { jobId: ids.unheld, orgId, resolution: 'reassign' } });

  await submit(ids.cancelled);
  await run({ type: 'CancelJob', data: { jobId: ids.cancelled, orgId, reason: 'not needed' } });

  await submit(ids.elsewhere, otherOrgId);
  await assign(ids.elsewhere, bob, otherOrgId);
  return { store, registry, orgId, otherOrgId, alice, bob, ids };
}
const collections = [JOBS, WORKLOADS, WORKLOAD_JOBS];

describe('the jobs and workloads read models', () => {
  it('hold one document per job and the open assignments per org and subject', async () => {
    const { store, registry, orgId, otherOrgId, alice, bob, ids } = await history();
    const { runner, docs } = await projectionsCaughtUp(store, registry, readModelProjections);

    const working = await docs.get(JOBS, ids.working);
    expect(working).toMatchObject({ orgId, status: 'in_progress', priority: 'high', assigneeSubjectId: alice, open: true, closedAt: null });
    expect(jobView(working as JsonDocument)).toMatchObject({ jobId: ids.working, outputTemplate: { 'a.b': { $c: 1 } }, assigneeSubjectId: alice });
    expect(await docs.get(JOBS, ids.escalated)).toMatchObject({
      status: 'escalated',
      escalation: { from: 'assigned', escalateTo: 'board' },
      assigneeSubjectId: alice,
    });
    const verified = await docs.get(JOBS, ids.verified);
    expect(verified).toMatchObject({ status: 'verified', open: false, closedAt: expect.any(String), revision: 5 });
    expect(jobView(verified as JsonDocument).delivery).toMatchObject({ deliverable: { 'x.y': ['$z'] }, deliveredBy: admin });
    expect(await docs.get(JOBS, ids.reassigned)).toMatchObject({ status: 'assigned', assigneeSubjectId: bob, escalation: null });
    expect(await docs.get(JOBS, ids.unheld)).toMatchObject({ status: 'contracting', assigneeSubjectId: null, contractId: null, open: true });
    expect(await docs.get(JOBS, ids.cancelled)).toMatchObject({ status: 'cancelled', statusReason: 'not needed', assigneeSubjectId: null });
    expect(await docs.get(JOBS, ids.elsewhere)).toMatchObject({ orgId: otherOrgId, status: 'assigned' });

    expect(await countOpenJobs(docs, orgId)).toBe(4);
    expect(await countOpenJobs(docs, otherOrgId)).toBe(1);

    expect(await docs.get(WORKLOADS, workloadId(orgId, alice))).toMatchObject({ orgId, subjectId: alice, openAssignments: 2 });
    expect((required(await docs.get(WORKLOADS, workloadId(orgId, alice)), 'the workload of alice').openJobIds as string[]).sort()).toEqual(
      [ids.working, ids.escalated].sort(),
    );
    expect(await docs.get(WORKLOADS, workloadId(orgId, bob))).toMatchObject({ openAssignments: 1, openJobIds: [ids.reassigned] });
    expect(await docs.get(WORKLOADS, workloadId(otherOrgId, bob))).toMatchObject({ openAssignments: 1, openJobIds: [ids.elsewhere] });
    expect(await docs.get(WORKLOADS, workloadId(otherOrgId, alice))).toBeUndefined();
    await runner.stop();
  });

  it("follows the log live: ending a job lowers its holder's workload", async () => {
    const { store, registry, orgId, alice, ids } = await history();
    const { runner, docs } = await projectionsCaughtUp(store, registry, readModelProjections);
    const { pipeline } = pipelineOn(store);
    const run = async (command: unknown) => ok(await pipeline.execute(jobAggregate, command, { commandId: commandId(), principal: admin }));
    await run({ type: 'ResolveEscalation', data: { jobId: ids.escalated, orgId, resolution: 'cancel', note: 'dropped' } });
    await run({ type: 'FailJob', data: { jobId: ids.working, orgId, reason: 'crashed' } });
    expect(await runner.waitFor(await store.headPosition())).toBe(true);
    expect(await docs.get(WORKLOADS, workloadId(orgId, alice))).toMatchObject({ openAssignments: 0, openJobIds: [] });
    expect(await docs.get(JOBS, ids.escalated)).toMatchObject({ status: 'cancelled', statusReason: 'dropped', open: false });
    expect(await countOpenJobs(docs, orgId)).toBe(2);
    await runner.stop();
  });

  it('is idempotent: every event delivered twice, a replay without checkpoints, and a rebuild all give the same read models', async () => {
    const { store, registry } = await history();
    const { runner, docs } = await projectionsCaughtUp(store, registry, readModelProjections);
    await runner.stop();
    const built = await collectionsDump(docs, collections);
    expect(built[WORKLOADS]?.length).toBe(3);

    // Redelivery: each event applied twice in a row, straight through the projections.
    const twice = memoryDocs();
    for (const projection of [jobsProjection, workloadsProjection]) await projection.setup({ docs: twice, registry });
    const redelivered: readonly Projection[] = [jobsProjection, workloadsProjection];
    for (const event of await projectedLog(store, registry)) {
      for (const projection of redelivered) {
        if (!appliesTo(projection, event)) continue;
        await projection.apply(event, { docs: twice, registry });
        await projection.apply(event, { docs: twice, registry });
      }
    }
    expect(await collectionsDump(twice, collections)).toEqual(built);

    // Checkpoints forgotten, documents kept: the whole log is applied a second time.
    await docs.dropCollection('_projections');
    const replay = new ProjectionRunner(new LogConsumer(store), docs, registry, readModelProjections);
    await replay.start();
    expect(await replay.waitFor(await store.headPosition())).toBe(true);
    expect(await collectionsDump(docs, collections)).toEqual(built);
    await replay.rebuild('jobs');
    await replay.rebuild('workloads');
    expect(await replay.waitFor(await store.headPosition())).toBe(true);
    expect(await collectionsDump(docs, collections)).toEqual(built);
    await replay.stop();
  });

  it('replays an event interrupted between its workload write and its job entry without counting it twice', async () => {
    const { store, registry, orgId, alice, ids } = await history();
    const docs = memoryDocs();
    await workloadsProjection.setup({ docs, registry });
    const events = (await projectedLog(store, registry)).filter((event) => appliesTo(workloadsProjection, event));
    const assigned = events.findIndex((event) => event.type === 'JobAssigned' && event.data.jobId === ids.working);
    for (const event of events.slice(0, assigned)) await workloadsProjection.apply(event, { docs, registry });
    const entryBefore = await docs.get(WORKLOAD_JOBS, ids.working);
    const event = events[assigned] as (typeof events)[number];
    await workloadsProjection.apply(event, { docs, registry });
    expect(await docs.get(WORKLOADS, workloadId(orgId, alice))).toMatchObject({ openAssignments: 1 });
    // The crash: the workload was written, the job's entry was not.
    await docs.upsert(WORKLOAD_JOBS, entryBefore as JsonDocument);
    await workloadsProjection.apply(event, { docs, registry });
    expect(await docs.get(WORKLOADS, workloadId(orgId, alice))).toMatchObject({ openAssignments: 1, openJobIds: [ids.working] });
    expect(await docs.get(WORKLOAD_JOBS, ids.working)).toMatchObject({ assigneeSubjectId: alice, open: true, _position: event.position.toString() });

    for (const later of events.slice(assigned + 1)) await workloadsProjection.apply(later, { docs, registry });
    const { runner, docs: reference } = await projectionsCaughtUp(store, registry, [workloadsProjection]);
    await runner.stop();
    expect(await collectionsDump(docs, [WORKLOADS, WORKLOAD_JOBS])).toEqual(await collectionsDump(reference, [WORKLOADS, WORKLOAD_JOBS]));
  });
});
