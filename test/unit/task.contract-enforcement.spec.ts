import { describe, expect, it } from 'vitest';
import { createTaskAggregate, taskAggregate } from '../../commands/handlers/task.ts';
import type { LoadedStream, StreamReader } from '../../commands/stream-loader.ts';
import type { DecisionContext } from '../../domain/shared/decider.ts';
import type { Principal } from '../../domain/shared/principal.ts';
import type { TaskCommand } from '../../domain/task/commands.ts';
import { termsViolation } from '../../domain/task/contract-terms.ts';
import { taskStream } from '../../domain/task/decider.ts';
import type { TaskEvent } from '../../domain/task/events.ts';
import {
  activeTerms,
  admin,
  assignee,
  assigneeId,
  attemptFailed,
  commandsOnATask,
  contractId,
  createTask,
  historyTo,
  orgId,
  otherContractId,
  otherOrgId,
  progressReported,
  stranger,
  system,
  taskAfter,
  taskCompleted,
  taskCreated,
  taskDispatched,
  taskId,
  taskReviewed,
  taskSpec as spec,
  termsWith,
  toolUsed,
  verifier,
  verifierId,
} from '../support/task-fixtures.ts';

const commands = commandsOnATask(1);
const contractBound = [commands.ReportTaskProgress, commands.UseTool, commands.CompleteTask, commands.FailTaskAttempt] as const;
const useTool = (tool: string): TaskCommand => ({ type: 'UseTool', data: { taskId, orgId, tool } });

describe('termsViolation', () => {
  it('permits an action matched by a pattern, and a tool listed', () => {
    expect(termsViolation(activeTerms, { action: 'task.progress' })).toBeNull();
    expect(termsViolation(activeTerms, { action: 'task.tool.use', tool: 'web.search' })).toBeNull();
    expect(termsViolation(termsWith({ permittedActions: ['task.complete'] }), { action: 'task.complete' })).toBeNull();
  });

  it('names the permittedActions clause for an action no pattern matches', () => {
    const terms = termsWith({ permittedActions: ['task.progress', 'job.*'] });
    expect(termsViolation(terms, { action: 'task.complete' })).toEqual({
      contractId,
      clause: 'permittedActions',
      message: `contract ${contractId} does not permit the action task.complete`,
    });
    // A trailing `*` matches one or more segments, not none; patterns are whole segments.
    expect(termsViolation(termsWith({ permittedActions: ['task.tool'] }), { action: 'task.tool.use' })?.clause).toBe('permittedActions');
    expect(termsViolation(termsWith({ permittedActions: ['task.*'] }), { action: 'task' })?.clause).toBe('permittedActions');
    expect(termsViolation(termsWith({ permittedActions: [] }), { action: 'task.progress' })?.clause).toBe('permittedActions');
  });

  it('names the permittedTools clause for a tool not listed, compared exactly', () => {
    expect(termsViolation(activeTerms, { action: 'task.tool.use', tool: 'shell.exec' })).toEqual({
      contractId,
      clause: 'permittedTools',
      message: `contract ${contractId} does not permit the tool shell.exec`,
    });
    expect(termsViolation(activeTerms, { action: 'task.tool.use', tool: 'Web.Search' })?.clause).toBe('permittedTools');
    expect(termsViolation(termsWith({ permittedTools: ['web.*'] }), { action: 'task.tool.use', tool: 'web.search' })?.clause).toBe('permittedTools');
  });

  it('checks the action before the tool', () => {
    expect(termsViolation(termsWith({ permittedActions: ['task.progress'] }), { action: 'task.tool.use', tool: 'shell.exec' })?.clause).toBe(
      'permittedActions',
    );
  });
});

describe('an assignee’s work is held to its contract', () => {
  it('is allowed within the terms', () => {
    const allowed: Array<[TaskCommand, TaskEvent]> = [
      [commands.ReportTaskProgress, progressReported(1)],
      [commands.UseTool, toolUsed(1)],
      [useTool('mcp:github/create_issue'), toolUsed(1, 'mcp:github/create_issue')],
      [commands.CompleteTask, taskCompleted(1)],
      [commands.FailTaskAttempt, attemptFailed(1, true, assignee)],
    ];
    for (const [command, event] of allowed) spec.given(historyTo.in_progress).when(command, { principal: assignee }).thenEvents([event]);
  });

  it('refuses a tool outside permittedTools, naming the clause, the action and the tool', () => {
    spec
      .given(historyTo.in_progress)
      .when(useTool('shell.exec'), { principal: assignee })
      .thenError('CONTRACT_VIOLATION', { taskId, contractId, clause: 'permittedTools', action: 'task.tool.use', tool: 'shell.exec' });
  });

  it('refuses each command whose action the contract does not permit', () => {
    const actionOf = { ReportTaskProgress: 'task.progress', UseTool: 'task.tool.use', CompleteTask: 'task.complete', FailTaskAttempt: 'task.fail' } as const;
    for (const command of contractBound) {
      const action = actionOf[command.type];
      const others = Object.values(actionOf).filter((other) => other !== action);
      // Everything but this action is permitted: only this one is refused.
      spec
        .given(historyTo.in_progress)
        .when(command, { principal: assignee, contract: termsWith({ permittedActions: others }) })
        .thenError('CONTRACT_VIOLATION', { contractId, clause: 'permittedActions', action, tool: command.type === 'UseTool' ? 'web.search' : null });
      spec
        .given(historyTo.in_progress)
        .when(command, { principal: assignee, contract: termsWith({ permittedActions: [action] }) })
        .thenTypes(
          command.type === 'ReportTaskProgress'
            ? ['TaskProgressReported']
            : command.type === 'UseTool'
              ? ['TaskToolUsed']
              : command.type === 'CompleteTask'
                ? ['TaskCompleted']
                : ['TaskAttemptFailed'],
        );
    }
  });

  it('refuses work under a contract that cannot be found (not loaded, missing, or another contract’s terms)', () => {
    for (const command of contractBound) {
      for (const contract of [null, undefined, termsWith({ contractId: otherContractId })]) {
        spec.given(historyTo.in_progress).when(command, { principal: assignee, contract }).thenError('CONTRACT_NOT_FOUND', { taskId, contractId });
      }
    }
  });

  it('refuses work under a contract not in force', () => {
    for (const status of ['drafted', 'in_review', 'awaiting_signatures', 'fulfilled', 'terminated', 'rejected']) {
      for (const command of contractBound) {
        spec
          .given(historyTo.in_progress)
          .when(command, { principal: assignee, contract: termsWith({ status }) })
          .thenError('CONTRACT_NOT_ACTIVE', { taskId, contractId, status });
      }
    }
  });

  it('refuses work by an assignee the contract does not bind', () => {
    spec
      .given(historyTo.in_progress)
      .when(commands.CompleteTask, { principal: assignee, contract: termsWith({ assigneeSubjectId: verifierId }) })
      .thenError('NOT_THE_CONTRACT_ASSIGNEE', { taskId, contractId, principal: assigneeId });
  });

  it('checks who acts before the contract: a stranger is not the assignee, whatever the terms', () => {
    spec.given(historyTo.in_progress).when(commands.CompleteTask, { principal: stranger, contract: null }).thenError('NOT_THE_ASSIGNEE');
  });

  it('does not hold the platform’s own commands to the assignee’s contract', () => {
    spec
      .given(historyTo.in_progress)
      .when(commands.FailTaskAttempt, { principal: system, contract: null })
      .thenEvents([attemptFailed(1, true)]);
    spec
      .given(historyTo.in_progress)
      .when(commands.FailTaskAttempt, { principal: system, contract: termsWith({ status: 'terminated' }) })
      .thenTypes(['TaskAttemptFailed']);
  });

  it('has nothing to enforce on a task under no contract', () => {
    const uncontracted = [taskCreated({ contractId: null }), taskDispatched(1)];
    spec.given(uncontracted).when(useTool('shell.exec'), { principal: assignee, contract: null }).thenTypes(['TaskToolUsed']);
  });

  it('reviews by the contract’s verifier list', () => {
    spec
      .given(historyTo.completed)
      .when(commands.ReviewTask, { principal: verifier })
      .thenEvents([taskReviewed('accept')]);
    spec
      .given(historyTo.completed)
      .when(commands.ReviewTask, { principal: verifier, contract: termsWith({ verifierSubjectIds: [] }) })
      .thenError('NOT_THE_VERIFIER');
    spec.given(historyTo.completed).when(commands.ReviewTask, { principal: verifier, contract: null }).thenError('CONTRACT_NOT_FOUND', { contractId });
    spec.given(historyTo.completed).when(commands.ReviewTask, { principal: admin, contract: null }).thenTypes(['TaskReviewed']);
  });
});

/** A reader holding the given task stream only; records every stream read. */
function readerWith(events: readonly TaskEvent[]) {
  const reads: string[] = [];
  const reader: StreamReader = {
    async load(decider, streamId) {
      reads.push(streamId);
      const state = streamId === taskStream(taskId) ? (events as never[]).reduce(decider.evolve, decider.initialState) : decider.initialState;
      return { streamId, state, revision: BigInt(events.length - 1), fenced: false, commands: new Map() } as LoadedStream<typeof state>;
    },
  };
  return { reader, reads };
}
const base = (principal: Principal): DecisionContext => ({ now: '2026-11-27T10:00:00.000Z', principal, commandId: 'cmd-1' });

describe('the handler loads the terms of the task’s own contract', () => {
  it('asks contractOf for the contract the task names, in the task’s org, for a subject’s work and review', async () => {
    const asked: Array<[string, string]> = [];
    const aggregate = createTaskAggregate({
      contractOf: async (_reader, org, contract) => {
        asked.push([org, contract]);
        return activeTerms;
      },
    });
    const { reader, reads } = readerWith(historyTo.in_progress);
    for (const command of [...contractBound, commands.ReviewTask]) {
      expect(await aggregate.loadContext(command, reader, base(assignee))).toMatchObject({ contract: activeTerms, principal: assignee });
    }
    expect(asked).toEqual(Array.from({ length: 5 }, () => [orgId, contractId]));
    expect(reads.every((stream) => stream === taskStream(taskId))).toBe(true);
  });

  it('loads nothing for the platform, for commands that need no terms, for a task of another org or with no contract', async () => {
    let asked = 0;
    const aggregate = createTaskAggregate({
      contractOf: async () => {
        asked += 1;
        return activeTerms;
      },
    });
    const { reader } = readerWith(historyTo.in_progress);
    for (const principal of [system, admin]) {
      expect(await aggregate.loadContext(commands.FailTaskAttempt, reader, base(principal))).toEqual(base(principal));
    }
    for (const command of [createTask(), commands.CancelTask, commands.DispatchTask, commands.ReassignTask]) {
      expect(await aggregate.loadContext(command, reader, base(assignee))).toEqual(base(assignee));
    }
    const elsewhere: TaskCommand = { ...commands.CompleteTask, data: { ...commands.CompleteTask.data, orgId: otherOrgId } };
    expect(await aggregate.loadContext(elsewhere, reader, base(assignee))).toEqual(base(assignee));
    const uncontracted = readerWith([taskCreated({ contractId: null }), taskDispatched(1)]);
    expect(await aggregate.loadContext(commands.CompleteTask, uncontracted.reader, base(assignee))).toEqual(base(assignee));
    expect(asked).toBe(0);
  });

  it('by default finds no contract, so the work is refused rather than waved through', async () => {
    const { reader } = readerWith(historyTo.in_progress);
    const context = await taskAggregate.loadContext(commands.CompleteTask, reader, base(assignee));
    expect(context.contract).toBeNull();
    const outcome = taskAggregate.decider.decide(commands.CompleteTask, taskAfter(historyTo.in_progress), context);
    expect(outcome).toMatchObject({ kind: 'conflict', code: 'CONTRACT_NOT_FOUND' });
  });
});
