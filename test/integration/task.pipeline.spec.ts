import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createTaskAggregate, taskAggregate, type ContractOf } from '../../commands/handlers/task.ts';
import { knownActions } from '../../commands/known-actions.ts';
import type { PreAppendCheck } from '../../commands/pre-append-check.ts';
import type { Principal } from '../../domain/shared/principal.ts';
import type { ContractTerms } from '../../domain/task/contract-terms.ts';
import { taskDecider, taskStream } from '../../domain/task/decider.ts';
import { collect } from '../support/async.ts';
import { ok } from '../support/governance-fixtures.ts';
import { admin, commandId, pipelineOn, tempStore } from '../support/pipeline.ts';

/** The policy says yes to everything: what is refused here is refused by the task and its contract. */
const allowAll: PreAppendCheck = async () => ({ allowed: true });
const now = new Date('2026-11-27T12:00:00.000Z');
const system: Principal = { id: 'system', kind: 'system' };
const subject = (id: string): Principal => ({ id, kind: 'subject' });

function setup(terms: (orgId: string, contractId: string) => ContractTerms | null) {
  const store = tempStore();
  const asked: Array<[string, string]> = [];
  const contractOf: ContractOf = async (_reader, orgId, contractId) => {
    asked.push([orgId, contractId]);
    return terms(orgId, contractId);
  };
  const aggregate = createTaskAggregate({ contractOf });
  const { pipeline } = pipelineOn(store, { check: allowAll, clock: () => now });
  const execute = (command: unknown, principal: Principal = admin) => pipeline.execute(aggregate, command, { commandId: commandId(), principal });
  return { store, pipeline, execute, asked };
}

describe('task commands through the pipeline', () => {
  it('registers every task action as a known action, so policies may name them', () => {
    expect(knownActions()).toEqual(expect.arrayContaining([...taskAggregate.actions]));
    expect([...taskAggregate.actions].sort()).toEqual([
      'task.cancel',
      'task.complete',
      'task.create',
      'task.dispatch',
      'task.fail',
      'task.progress',
      'task.reassign',
      'task.review',
      'task.tool.use',
    ]);
  });

  const orgId = randomUUID();
  const jobId = randomUUID();
  const contractId = randomUUID();
  const assigneeId = randomUUID();
  const verifierId = randomUUID();
  const terms: ContractTerms = {
    contractId,
    status: 'active',
    assigneeSubjectId: assigneeId,
    verifierSubjectIds: [verifierId],
    permittedActions: ['task.progress', 'task.tool.use', 'task.complete'],
    permittedTools: ['web.search'],
  };
  const fixed = (org: string, contract: string) => (org === orgId && contract === contractId ? terms : null);
  const create = (taskId: string, extra: Record<string, unknown> = {}) => ({
    type: 'CreateTask',
    data: { taskId, orgId, jobId, contractId, title: 'Translate chapter 1', input: { chapter: 1 }, assigneeSubjectId: assigneeId, ...extra },
  });

  it('runs a task under its contract from creation to acceptance, and rebuilds the same state from the log', async () => {
    const { store, execute, asked } = setup(fixed);
    const taskId = randomUUID();
    const ref = { taskId, orgId };
    ok(await execute(create(taskId)));
    ok(await execute({ type: 'DispatchTask', data: { ...ref, attempt: 1 } }, system));
    ok(await execute({ type: 'ReportTaskProgress', data: { ...ref, progress: 40, message: 'reading' } }, subject(assigneeId)));
    ok(await execute({ type: 'UseTool', data: { ...ref, tool: 'web.search', purpose: 'glossary' } }, subject(assigneeId)));
    ok(await execute({ type: 'CompleteTask', data: { ...ref, outputs: { text: 'Kapitel 1' } } }, subject(assigneeId)));
    const reviewed = ok(await execute({ type: 'ReviewTask', data: { ...ref, verdict: 'accept' } }, subject(verifierId)));
    expect(reviewed.events[0]).toMatchObject({ type: 'TaskReviewed', data: { verdict: 'accept', reviewedAt: now.toISOString() } });
    // The contract named by the task, in the task's org, for each of the four subject commands.
    expect(asked).toEqual(Array.from({ length: 4 }, () => [orgId, contractId]));

    const events = await collect(store.readStream(taskStream(taskId)));
    expect(events.map((event) => event.type)).toEqual([
      'TaskCreated',
      'TaskDispatched',
      'TaskProgressReported',
      'TaskToolUsed',
      'TaskCompleted',
      'TaskReviewed',
    ]);
    expect(events.every((event) => event.metadata.schemaVersion === 1 && event.metadata.orgId === orgId)).toBe(true);
    expect(events[0]?.data).toMatchObject({ heartbeatTimeoutMs: 60_000, maxAttempts: 3, parentTaskId: null, createdAt: now.toISOString() });
    expect(events[1]?.data).toMatchObject({ attempt: 1, assigneeSubjectId: assigneeId, heartbeatTimeoutMs: 60_000 });

    const { loader } = pipelineOn(store);
    const { state } = await loader.load(taskDecider, taskStream(taskId));
    expect(state).toMatchObject({ status: 'accepted', attempt: 1, progress: 40, completion: { outputs: { text: 'Kapitel 1' }, attempt: 1 } });
  });

  it('refuses a tool outside permittedTools with CONTRACT_VIOLATION and appends nothing', async () => {
    const { store, execute } = setup(fixed);
    const taskId = randomUUID();
    const ref = { taskId, orgId };
    ok(await execute(create(taskId)));
    ok(await execute({ type: 'DispatchTask', data: { ...ref, attempt: 1 } }, system));
    const head = await store.headPosition();

    const refused = await execute({ type: 'UseTool', data: { ...ref, tool: 'shell.exec' } }, subject(assigneeId));
    expect(refused).toMatchObject({
      kind: 'forbidden',
      code: 'CONTRACT_VIOLATION',
      details: { contractId, clause: 'permittedTools', action: 'task.tool.use', tool: 'shell.exec' },
    });
    // An action the contract does not list (task.fail) is refused by the other clause.
    expect(await execute({ type: 'FailTaskAttempt', data: { ...ref, attempt: 1, reason: 'stuck' } }, subject(assigneeId))).toMatchObject({
      kind: 'forbidden',
      code: 'CONTRACT_VIOLATION',
      details: { clause: 'permittedActions', action: 'task.fail', tool: null },
    });
    expect(await store.headPosition()).toBe(head);
    const events = await collect(store.readStream(taskStream(taskId)));
    expect(events.map((event) => event.type)).toEqual(['TaskCreated', 'TaskDispatched']);

    // The same assignee within its terms goes through; the platform's failure is not the assignee's act.
    ok(await execute({ type: 'UseTool', data: { ...ref, tool: 'web.search' } }, subject(assigneeId)));
    ok(await execute({ type: 'FailTaskAttempt', data: { ...ref, attempt: 1, reason: 'heartbeat timed out' } }, system));
  });

  it('refuses work under a contract not in force, or one contractOf does not find (the default)', async () => {
    const { store, execute } = setup(() => ({ ...terms, status: 'terminated' }));
    const taskId = randomUUID();
    ok(await execute(create(taskId)));
    ok(await execute({ type: 'DispatchTask', data: { taskId, orgId, attempt: 1 } }, system));
    const head = await store.headPosition();
    expect(await execute({ type: 'ReportTaskProgress', data: { taskId, orgId, progress: 1 } }, subject(assigneeId))).toMatchObject({
      kind: 'conflict',
      code: 'CONTRACT_NOT_ACTIVE',
      details: { contractId, status: 'terminated' },
    });

    const { pipeline } = pipelineOn(store, { check: allowAll, clock: () => now });
    const byDefault = await pipeline.execute(
      taskAggregate,
      { type: 'ReportTaskProgress', data: { taskId, orgId, progress: 1 } },
      { commandId: commandId(), principal: subject(assigneeId) },
    );
    expect(byDefault).toMatchObject({ kind: 'conflict', code: 'CONTRACT_NOT_FOUND', details: { taskId, contractId } });
    expect(await store.headPosition()).toBe(head);
  });

  it('retries attempts until maxAttempts and then fails the task', async () => {
    const { store, execute } = setup(fixed);
    const taskId = randomUUID();
    const ref = { taskId, orgId };
    ok(await execute(create(taskId, { maxAttempts: 2, contractId: null })));
    ok(await execute({ type: 'DispatchTask', data: { ...ref, attempt: 1 } }, system));
    ok(await execute({ type: 'FailTaskAttempt', data: { ...ref, attempt: 1, reason: 'timed out' } }, system));
    expect(await execute({ type: 'DispatchTask', data: { ...ref, attempt: 1 } }, system)).toMatchObject({ code: 'ATTEMPT_MISMATCH' });
    ok(await execute({ type: 'DispatchTask', data: { ...ref, attempt: 2 } }, system));
    const last = ok(await execute({ type: 'FailTaskAttempt', data: { ...ref, attempt: 2, reason: 'timed out again' } }, subject(assigneeId)));
    expect(last.events.map((event) => event.type)).toEqual(['TaskAttemptFailed', 'TaskFailed']);
    const { loader } = pipelineOn(store);
    expect((await loader.load(taskDecider, taskStream(taskId))).state).toMatchObject({ status: 'failed', attempt: 2, statusReason: 'timed out again' });
  });

  it('answers TASK_NOT_FOUND for a task named with another org, and refuses malformed commands before anything is read', async () => {
    const { store, execute } = setup(fixed);
    const taskId = randomUUID();
    ok(await execute(create(taskId)));
    const head = await store.headPosition();
    expect(await execute({ type: 'CancelTask', data: { taskId, orgId: randomUUID(), reason: 'x' } })).toMatchObject({
      kind: 'not_found',
      code: 'TASK_NOT_FOUND',
    });
    expect(await execute(create(taskId))).toMatchObject({ kind: 'conflict', code: 'TASK_ALREADY_EXISTS' });
    expect(await execute({ type: 'CompleteTask', data: { taskId, orgId, outputs: null } }, subject(assigneeId))).toMatchObject({
      kind: 'invalid',
      code: 'VALIDATION_FAILED',
    });
    expect(await execute(create(randomUUID(), { heartbeatTimeoutMs: 10 }))).toMatchObject({ kind: 'invalid', code: 'VALIDATION_FAILED' });
    expect(await store.headPosition()).toBe(head);
  });
});
