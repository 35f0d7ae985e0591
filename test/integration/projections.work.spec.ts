import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createEventRegistry } from '../../domain/events/catalog.ts';
import type { Principal } from '../../domain/shared/principal.ts';
import type { JsonDocument } from '../../infra/documents/port.ts';
import { appliesTo, type Projection } from '../../projections/projection.ts';
import { readModelProjections } from '../../projections/read-models/all.ts';
import { ASSIGNMENTS, assignmentsProjection } from '../../projections/read-models/assignments.ts';
import { BIDS, bidsProjection } from '../../projections/read-models/bids.ts';
import { CONTRACTS, contractView, contractsProjection } from '../../projections/read-models/contracts.ts';
import { ESCALATIONS, escalationId, escalationsProjection } from '../../projections/read-models/escalations.ts';
import { TASKS, taskView, tasksProjection } from '../../projections/read-models/tasks.ts';
import { ProjectionRunner } from '../../projections/runner.ts';
import { bareJobSubmission } from '../support/bare-job.ts';
import { tempStore } from '../support/pipeline.ts';
import { LogConsumer } from '../../infra/log-consumer/log-consumer.ts';
import type { JsonObject } from '../../domain/shared/json-value.ts';
import { memoryDocs, projectionsCaughtUp, collectionsDump, projectedLog } from '../support/projection-runs.ts';

const system: Principal = { id: 'system', kind: 'system' };
const lead: Principal = { id: randomUUID(), kind: 'subject' };
const workProjections: readonly Projection[] = [contractsProjection, tasksProjection, assignmentsProjection, bidsProjection, escalationsProjection];
const collections = [CONTRACTS, TASKS, ASSIGNMENTS, BIDS, ESCALATIONS];

let clock = Date.parse('2026-11-27T10:00:00.000Z');
const tick = () => {
  clock += 1000;
  return new Date(clock).toISOString();
};

/**
 * A log written event by event (each validated by the registry, as the pipeline writes it): two contracts (one
 * reviewed, signed, breached, extended and fulfilled; one refused by its assignee), two tasks (one retried, completed
 * with outputs whose keys are not storable document keys, and accepted; one cancelled), an auction over two rounds
 * (an invalid bid refused with its reasons, the first award lost to a refused contract), and three escalation
 * episodes (one raised and resolved by reassigning, a second one of the same job still open, one ended by cancelling
 * the job).
 */
async function history() {
  const store = tempStore();
  const registry = createEventRegistry();
  const append = async (streamId: string, type: string, data: Record<string, unknown>, principal: Principal = system) => {
    const encoded = registry.encode(type, data);
    const occurredAt = tick();
    await store.appendToStream(streamId, [
      {
        id: randomUUID(),
        type,
        data: encoded.data as JsonObject,
        metadata: { commandId: `cmd-${randomUUID()}`, principal, orgId: String(data.orgId), occurredAt, schemaVersion: encoded.schemaVersion } as JsonObject,
      },
    ]);
    return occurredAt;
  };
  const [orgId, otherOrgId] = [randomUUID(), randomUUID()];
  const [x, y, z] = [randomUUID(), randomUUID(), randomUUID()];
  const ids = {
    job: randomUUID(),
    escalatedTwice: randomUUID(),
    cancelled: randomUUID(),
    contract: randomUUID(),
    refused: randomUUID(),
    task: randomUUID(),
    dropped: randomUUID(),
    firstContract: randomUUID(),
  };
  const dueAt = '2026-12-04T10:00:00.000Z';
  const later = '2026-12-11T10:00:00.000Z';

  // The assignment: round 1 awards y, whose contract is refused; round 2 awards x.
  const a = `assignment-${ids.job}`;
  const ref = { orgId, jobId: ids.job };
  await append(a, 'AssignmentStarted', { ...ref, strategy: 'auction', maxRounds: 3, startedAt: tick() });
  await append(a, 'CandidatesAssessed', {
    ...ref,
    round: 1,
    candidates: [
      { subjectId: x, eligible: true, reasons: [], score: null },
      { subjectId: y, eligible: true, reasons: [], score: null },
      { subjectId: z, eligible: false, reasons: ['lacks capability summarise'], score: null },
    ],
  });
  await append(a, 'CallForProposalsIssued', { ...ref, round: 1, invitees: [x, y], closesAt: tick() });
  await append(a, 'ProposalRecorded', {
    ...ref,
    round: 1,
    subjectId: y,
    bid: { price: 4, etaSeconds: 60, note: 'fast' },
    valid: true,
    reasons: [],
    receivedAt: tick(),
  });
  await append(a, 'ProposalRecorded', { ...ref, round: 1, subjectId: x, bid: { price: 6 }, valid: true, reasons: [], receivedAt: tick() });
  await append(a, 'ProposalRecorded', {
    ...ref,
    round: 1,
    subjectId: z,
    bid: { price: 1 },
    valid: false,
    reasons: ['ineligible: lacks capability summarise'],
    receivedAt: tick(),
  });
  await append(a, 'AssignmentAwarded', { ...ref, round: 1, subjectId: y, contractId: ids.firstContract, basis: 'lowest price 4', declined: [x] });
  await append(a, 'AssignmentRoundFailed', { ...ref, round: 1, reason: 'contract_rejected', detail: 'y refused the contract' });
  await append(a, 'CandidatesAssessed', { ...ref, round: 2, candidates: [{ subjectId: x, eligible: true, reasons: [], score: null }] });
  await append(a, 'CallForProposalsIssued', { ...ref, round: 2, invitees: [x], closesAt: tick() });
  await append(a, 'ProposalRecorded', { ...ref, round: 2, subjectId: x, bid: { price: 6 }, valid: true, reasons: [], receivedAt: tick() });
  await append(a, 'AssignmentAwarded', { ...ref, round: 2, subjectId: x, contractId: ids.contract, basis: 'the only valid bid', declined: [] });
  await append(a, 'AssignmentCompleted', { ...ref, subjectId: x, contractId: ids.contract });

  // The refused contract, then the one carried out.
  const draft = (contractId: string, assignee: string, reviewRequired: boolean) => ({
    contractId,
    ...ref,
    assigneeSubjectId: assignee,
    verifierSubjectIds: [z],
    permittedActions: ['task.*'],
    permittedTools: ['text.summarise'],
    deliverables: ['a summary'],
    obligations: [{ obligationId: 'delivery', description: 'Deliver the summary', dueAt }],
    escalateTo: 'lead',
    reviewRequired,
    draftedBy: system,
    draftedAt: tick(),
  });
  const r = `contract-${ids.refused}`;
  await append(r, 'ContractDrafted', draft(ids.refused, y, false));
  const rejectedAt = await append(r, 'ContractRejected', {
    contractId: ids.refused,
    ...ref,
    party: 'assignee',
    reason: 'too cheap',
    assigneeSubjectId: y,
    rejectedBy: { id: y, kind: 'subject' },
    rejectedAt: tick(),
  });
  const c = `contract-${ids.contract}`;
  const cref = { contractId: ids.contract, ...ref };
  await append(c, 'ContractDrafted', draft(ids.contract, x, true));
  await append(c, 'ContractReviewed', { ...cref, approved: true, note: 'fine', reviewedBy: lead, reviewedAt: tick() });
  await append(c, 'ContractSigned', { ...cref, party: 'org', signedBy: system, signedAt: tick() });
  await append(c, 'ContractSigned', { ...cref, party: 'assignee', signedBy: { id: x, kind: 'subject' }, signedAt: tick() });
  await append(c, 'ContractActivated', { ...cref, assigneeSubjectId: x, activatedAt: tick() });
  await append(c, 'ContractBreached', {
    ...cref,
    breachId: 'tool:1',
    kind: 'forbidden_action',
    clause: 'permittedTools',
    details: 'used web.search',
    escalateTo: 'lead',
    recordedBy: system,
    recordedAt: tick(),
  });
  await append(c, 'ObligationExtended', { ...cref, obligationId: 'delivery', previousDueAt: dueAt, dueAt: later, extendedBy: lead, extendedAt: tick() });

  // The task: a failed attempt, a retry, completion with outputs keyed by the agent, and acceptance.
  const t = `task-${ids.task}`;
  const tref = { taskId: ids.task, ...ref };
  await append(t, 'TaskCreated', {
    ...tref,
    parentTaskId: null,
    contractId: ids.contract,
    title: 'Summarise',
    input: { 'goal.text': 'summarise', $why: ['x'] },
    assigneeSubjectId: x,
    heartbeatTimeoutMs: 30_000,
    maxAttempts: 3,
    createdBy: system,
    createdAt: tick(),
  });
  await append(t, 'TaskDispatched', { ...tref, attempt: 1, assigneeSubjectId: x, heartbeatTimeoutMs: 30_000, dispatchedBy: system, dispatchedAt: tick() });
  await append(t, 'TaskProgressReported', { ...tref, attempt: 1, progress: 30, message: null, reportedAt: tick() });
  await append(t, 'TaskAttemptFailed', { ...tref, attempt: 1, reason: 'no heartbeat', willRetry: true, failedBy: system, failedAt: tick() });
  await append(t, 'TaskDispatched', { ...tref, attempt: 2, assigneeSubjectId: x, heartbeatTimeoutMs: 30_000, dispatchedBy: system, dispatchedAt: tick() });
  const heartbeat = tick();
  await append(t, 'TaskProgressReported', { ...tref, attempt: 2, progress: 80, message: 'nearly', reportedAt: heartbeat });
  await append(t, 'TaskToolUsed', { ...tref, attempt: 2, tool: 'text.summarise', purpose: null, usedAt: tick() });
  await append(t, 'TaskCompleted', {
    ...tref,
    attempt: 2,
    outputs: { 'summary.text': 'SHORT', $meta: { 'a.b': 1 } },
    completedBy: { id: x, kind: 'subject' },
    completedAt: tick(),
  });
  await append(t, 'TaskReviewed', { ...tref, verdict: 'accept', note: null, reviewedBy: system, reviewedAt: tick() });
  await append(c, 'ContractFulfilled', { ...cref, fulfilledBy: system, fulfilledAt: tick() });

  const d = `task-${ids.dropped}`;
  await append(d, 'TaskCreated', {
    taskId: ids.dropped,
    ...ref,
    parentTaskId: null,
    contractId: null,
    title: 'Dropped',
    input: null,
    assigneeSubjectId: y,
    heartbeatTimeoutMs: 30_000,
    maxAttempts: 1,
    createdBy: system,
    createdAt: tick(),
  });
  await append(d, 'TaskCancelled', { taskId: ids.dropped, ...ref, reason: 'not needed', cancelledBy: system, cancelledAt: tick() });

  // Escalations. The job stream starts with a JobSubmitted, so the first escalation is its revision 1.
  const submitted = (jobId: string, org: string) => bareJobSubmission({ jobId, orgId: org, goal: 'Do it', submittedBy: system, submittedAt: tick() });
  const e = `job-${ids.escalatedTwice}`;
  const eref = { jobId: ids.escalatedTwice, orgId };
  await append(e, 'JobSubmitted', submitted(ids.escalatedTwice, orgId));
  await append(e, 'JobEscalated', { ...eref, reason: 'deadline missed', escalateTo: 'lead', from: 'submitted', escalatedBy: system, escalatedAt: tick() });
  await append(e, 'JobEscalationRaised', {
    ...eref,
    reason: 'unresolved for an hour',
    escalateTo: 'owner',
    previousEscalateTo: 'lead',
    raisedBy: system,
    raisedAt: tick(),
  });
  await append(e, 'JobEscalationResolved', {
    ...eref,
    resolution: 'extend',
    note: 'one more week',
    status: 'submitted',
    deadline: later,
    resolvedBy: lead,
    resolvedAt: tick(),
  });
  await append(e, 'JobEscalated', { ...eref, reason: 'no valid bids', escalateTo: 'lead', from: 'submitted', escalatedBy: system, escalatedAt: tick() });
  await append(e, 'JobEscalationRaised', {
    ...eref,
    reason: 'still unresolved',
    escalateTo: 'owner',
    previousEscalateTo: 'lead',
    raisedBy: system,
    raisedAt: tick(),
  });

  const k = `job-${ids.cancelled}`;
  const kref = { jobId: ids.cancelled, orgId: otherOrgId };
  await append(k, 'JobSubmitted', submitted(ids.cancelled, otherOrgId));
  await append(k, 'JobEscalated', { ...kref, reason: 'stuck', escalateTo: 'board', from: 'submitted', escalatedBy: lead, escalatedAt: tick() });
  await append(k, 'JobCancelled', { ...kref, reason: 'dropped while escalated' }, lead);

  return { store, registry, orgId, otherOrgId, x, y, z, ids, dueAt, later, heartbeat, rejectedAt };
}

describe('the contracts, tasks, assignments, bids and escalations read models', () => {
  it('are maintained by the platform: every one is in the read model list', () => {
    const names = readModelProjections.map((projection) => projection.name);
    expect(names).toEqual(expect.arrayContaining(['contracts', 'tasks', 'assignments', 'bids', 'escalations']));
  });

  it('hold one contract per contract: parties, terms, obligations with due times, review, signatures, breaches', async () => {
    const { store, registry, orgId, x, z, ids, later, rejectedAt } = await history();
    const { runner, docs } = await projectionsCaughtUp(store, registry, readModelProjections);
    const contract = await docs.get(CONTRACTS, ids.contract);
    expect(contract).toMatchObject({
      orgId,
      jobId: ids.job,
      assigneeSubjectId: x,
      verifierSubjectIds: [z],
      status: 'fulfilled',
      open: false,
      permittedActions: ['task.*'],
      permittedTools: ['text.summarise'],
      obligations: [{ obligationId: 'delivery', dueAt: later }],
      review: { approved: true, note: 'fine', reviewedBy: lead },
      signatures: { org: { signedBy: system }, assignee: { signedBy: { id: x, kind: 'subject' } } },
      activatedAt: expect.any(String),
      endedAt: expect.any(String),
      breaches: [{ breachId: 'tool:1', kind: 'forbidden_action', clause: 'permittedTools', details: 'used web.search' }],
      breachCount: 1,
      escalateTo: 'lead',
      revision: 7,
    });
    expect(contractView(contract as JsonDocument)).toMatchObject({ contractId: ids.contract, breachCount: 1, position: expect.stringMatching(/^\d+$/) });
    expect(await docs.get(CONTRACTS, ids.refused)).toMatchObject({
      status: 'rejected',
      open: false,
      rejection: { party: 'assignee', reason: 'too cheap' },
      statusReason: 'too cheap',
      endedAt: expect.any(String),
      signatures: { org: null, assignee: null },
      updatedAt: rejectedAt,
    });
    await runner.stop();
  });

  it('hold one task per task: status, attempt, progress, heartbeat, outputs as JSON text, review', async () => {
    const { store, registry, x, y, ids } = await history();
    const { runner, docs } = await projectionsCaughtUp(store, registry, workProjections);
    const task = await docs.get(TASKS, ids.task);
    expect(task).toMatchObject({
      jobId: ids.job,
      contractId: ids.contract,
      assigneeSubjectId: x,
      status: 'accepted',
      attempt: 2,
      progress: 80,
      // Completion stops the heartbeat clock.
      lastHeartbeatAt: null,
      lastFailure: { attempt: 1, reason: 'no heartbeat' },
      review: { verdict: 'accept' },
      open: false,
      closedAt: expect.any(String),
      outputsJson: JSON.stringify({ 'summary.text': 'SHORT', $meta: { 'a.b': 1 } }),
      inputJson: JSON.stringify({ 'goal.text': 'summarise', $why: ['x'] }),
    });
    expect(task?.completion).toMatchObject({ attempt: 2, completedBy: { id: x } });
    expect(taskView(task as JsonDocument)).toMatchObject({
      taskId: ids.task,
      outputs: { 'summary.text': 'SHORT', $meta: { 'a.b': 1 } },
      input: { $why: ['x'] },
    });
    expect(await docs.get(TASKS, ids.dropped)).toMatchObject({
      assigneeSubjectId: y,
      status: 'cancelled',
      statusReason: 'not needed',
      outputsJson: null,
      completion: null,
      inputJson: 'null',
    });
    await runner.stop();
  });

  it('keep the heartbeat of a running attempt', async () => {
    const { store, registry, ids, heartbeat } = await history();
    // Only the events up to the second progress report: the attempt is running.
    const docs = memoryDocs();
    await tasksProjection.setup({ docs, registry });
    for (const event of await projectedLog(store, registry)) {
      if (event.streamId !== `task-${ids.task}` || !appliesTo(tasksProjection, event)) continue;
      await tasksProjection.apply(event, { docs, registry });
      if (event.type === 'TaskProgressReported' && event.data.attempt === 2) break;
    }
    expect(await docs.get(TASKS, ids.task)).toMatchObject({
      status: 'in_progress',
      attempt: 2,
      progress: 80,
      lastHeartbeatAt: heartbeat,
      open: true,
      closedAt: null,
    });
  });

  it('hold one assignment per job and one bid per recorded proposal, refused ones with their reasons', async () => {
    const { store, registry, orgId, x, y, z, ids } = await history();
    const { runner, docs } = await projectionsCaughtUp(store, registry, workProjections);
    expect(await docs.get(ASSIGNMENTS, ids.job)).toMatchObject({
      orgId,
      jobId: ids.job,
      strategy: 'auction',
      maxRounds: 3,
      round: 2,
      phase: 'completed',
      award: { round: 2, subjectId: x, contractId: ids.contract, basis: 'the only valid bid', declined: [] },
      failedRounds: 1,
      roundFailures: [{ round: 1, reason: 'contract_rejected', detail: 'y refused the contract' }],
      excluded: [y],
      assessedCount: 1,
      eligibleCount: 1,
      invitedCount: 1,
      validBidCount: 1,
      bidCount: 4,
      completedAt: expect.any(String),
    });
    const bids = (await docs.find(BIDS, { filter: { field: 'jobId', op: 'eq', value: ids.job }, sort: [{ field: 'receivedAt', direction: 'asc' }], limit: 10 }))
      .items;
    expect(bids.map((bid) => [bid.round, bid.subjectId, bid.price, bid.valid])).toEqual([
      [1, y, 4, true],
      [1, x, 6, true],
      [1, z, 1, false],
      [2, x, 6, true],
    ]);
    expect(bids[0]).toMatchObject({ orgId, etaSeconds: 60, note: 'fast', reasons: [] });
    expect(bids[2]).toMatchObject({ reasons: ['ineligible: lacks capability summarise'], etaSeconds: null, note: null });
    await runner.stop();
  });

  it('hold one escalation per episode: raised, resolved, still open, ended by cancelling the job', async () => {
    const { store, registry, orgId, otherOrgId, ids, later } = await history();
    const { runner, docs } = await projectionsCaughtUp(store, registry, workProjections);
    expect(await docs.get(ESCALATIONS, escalationId(ids.escalatedTwice, 1))).toMatchObject({
      orgId,
      jobId: ids.escalatedTwice,
      reason: 'deadline missed',
      from: 'submitted',
      escalateTo: 'owner',
      raises: [{ escalateTo: 'owner', previousEscalateTo: 'lead', reason: 'unresolved for an hour' }],
      open: false,
      resolution: 'extend',
      note: 'one more week',
      resolvedBy: lead,
      statusAfter: 'submitted',
      deadline: later,
      resolvedAt: expect.any(String),
    });
    // The second episode of the same job: its raise is its own, the first episode's raises are untouched.
    expect(await docs.get(ESCALATIONS, escalationId(ids.escalatedTwice, 4))).toMatchObject({
      reason: 'no valid bids',
      escalateTo: 'owner',
      open: true,
      raises: [{ escalateTo: 'owner', previousEscalateTo: 'lead', reason: 'still unresolved' }],
      resolution: null,
      resolvedAt: null,
    });
    expect((await docs.get(ESCALATIONS, escalationId(ids.escalatedTwice, 1)))?.raises).toHaveLength(1);
    expect(await docs.get(ESCALATIONS, escalationId(ids.cancelled, 1))).toMatchObject({
      orgId: otherOrgId,
      escalateTo: 'board',
      open: false,
      resolution: 'cancel',
      note: 'dropped while escalated',
      resolvedBy: lead,
      statusAfter: 'cancelled',
    });
    const open = await docs.find(ESCALATIONS, {
      filter: {
        and: [
          { field: 'orgId', op: 'eq', value: orgId },
          { field: 'open', op: 'eq', value: true },
          { field: 'escalateTo', op: 'eq', value: 'owner' },
        ],
      },
      limit: 10,
    });
    expect(open.items.map((item) => item._id)).toEqual([escalationId(ids.escalatedTwice, 4)]);
    await runner.stop();
  });

  it('are idempotent: every event delivered twice, a replay without checkpoints, and a rebuild all give the same read models', async () => {
    const { store, registry } = await history();
    const { runner, docs } = await projectionsCaughtUp(store, registry, workProjections);
    await runner.stop();
    const built = await collectionsDump(docs, collections);
    expect(Object.values(built).map((items) => items.length)).toEqual([2, 2, 1, 4, 3]);

    const twice = memoryDocs();
    for (const projection of workProjections) await projection.setup({ docs: twice, registry });
    for (const event of await projectedLog(store, registry)) {
      for (const projection of workProjections) {
        if (!projection.eventTypes.includes(event.type)) continue;
        await projection.apply(event, { docs: twice, registry });
        await projection.apply(event, { docs: twice, registry });
      }
    }
    expect(await collectionsDump(twice, collections)).toEqual(built);

    // Every event applied again over the finished read models (checkpoints lost): an earlier episode's events
    // must not touch the later, open one.
    for (const event of await projectedLog(store, registry)) {
      for (const projection of workProjections) if (projection.eventTypes.includes(event.type)) await projection.apply(event, { docs: twice, registry });
    }
    expect(await collectionsDump(twice, collections)).toEqual(built);

    await docs.dropCollection('_projections');
    const replay = new ProjectionRunner(new LogConsumer(store), docs, registry, workProjections);
    await replay.start();
    expect(await replay.waitFor(await store.headPosition())).toBe(true);
    expect(await collectionsDump(docs, collections)).toEqual(built);
    for (const projection of workProjections) await replay.rebuild(projection.name);
    expect(await replay.waitFor(await store.headPosition())).toBe(true);
    expect(await collectionsDump(docs, collections)).toEqual(built);
    await replay.stop();
  });
});
