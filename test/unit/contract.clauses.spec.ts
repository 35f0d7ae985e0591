import { describe, expect, it } from 'vitest';
import { contractClauseViolation, type ContractTerms } from '../../domain/contract/clauses.ts';
import {
  admin,
  assignee,
  breached,
  commandsOnAContract,
  contractId,
  contractSpec as spec,
  contractStateAfter,
  historyTo,
  jobId,
  now,
  orgId,
  signatory,
  system,
  terminated,
} from '../support/contract-fixtures.ts';

const terms: ContractTerms = { contractId, permittedActions: ['task.*', 'job.deliver'], permittedTools: ['web.search', 'code-interpreter'] };

describe('contractClauseViolation', () => {
  it.each(['task.progress', 'task.tool.use', 'job.deliver'])('permits %s, matched by a pattern', (action) => {
    expect(contractClauseViolation(terms, { action })).toBeNull();
  });

  it.each(['job.verify', 'task', 'contract.sign', 'tasks.progress'])('refuses %s, which no pattern matches', (action) => {
    expect(contractClauseViolation(terms, { action })).toEqual({
      contractId,
      clause: 'permittedActions',
      message: `contract ${contractId} does not permit the action ${action}`,
    });
  });

  it('permits a listed tool and refuses any other, by exact name', () => {
    expect(contractClauseViolation(terms, { action: 'task.tool.use', tool: 'web.search' })).toBeNull();
    expect(contractClauseViolation(terms, { action: 'task.tool.use', tool: 'code-interpreter' })).toBeNull();
    for (const tool of ['shell', 'Web.Search', 'web.search.deep', 'web']) {
      expect(contractClauseViolation(terms, { action: 'task.tool.use', tool })).toMatchObject({ contractId, clause: 'permittedTools' });
    }
  });

  it('checks tools only when the act uses one', () => {
    expect(contractClauseViolation({ ...terms, permittedTools: [] }, { action: 'task.complete' })).toBeNull();
    expect(contractClauseViolation({ ...terms, permittedTools: [] }, { action: 'task.tool.use', tool: 'web.search' })).toMatchObject({
      clause: 'permittedTools',
    });
  });

  it('reports a forbidden action before a forbidden tool', () => {
    expect(contractClauseViolation(terms, { action: 'job.verify', tool: 'shell' })).toMatchObject({ clause: 'permittedActions' });
  });

  it('reads the terms of a contract state as it is', () => {
    const contract = contractStateAfter(historyTo.active);
    if (contract === null) throw new Error('no contract');
    expect(contractClauseViolation(contract, { action: 'task.complete', tool: 'web.search' })).toBeNull();
    expect(contractClauseViolation(contract, { action: 'task.complete', tool: 'code-interpreter' })).toMatchObject({ clause: 'permittedTools' });
  });

  it('lets a contract permit everything with `*`', () => {
    expect(contractClauseViolation({ ...terms, permittedActions: ['*'] }, { action: 'job.verify' })).toBeNull();
  });
});

describe('recording breaches', () => {
  const record = (breachId: string, kind: 'deadline_missed' | 'forbidden_action' = 'deadline_missed', clause = 'obligations.final') => ({
    type: 'RecordBreach' as const,
    data: { contractId, orgId, breachId, kind, clause, details: 'not delivered by the due date' },
  });

  it('records a breach of an active contract, with the contract’s escalation role', () => {
    spec
      .given(historyTo.active)
      .when(record('deadline:final'), { principal: system })
      .thenEvents([breached('deadline:final')]);
    expect(breached('deadline:final').data).toMatchObject({ jobId, escalateTo: 'board', recordedAt: now });
  });

  it('keeps every breach in the state, in order', () => {
    const state = contractStateAfter([...historyTo.active, breached('b-1'), breached('b-2', admin)]);
    expect(state?.breaches.map((breach) => [breach.breachId, breach.recordedBy.kind])).toEqual([
      ['b-1', 'system'],
      ['b-2', 'admin'],
    ]);
    expect(state?.status).toBe('active');
  });

  it('records a forbidden action against the clause it broke', () => {
    spec
      .given(historyTo.active)
      .when(record('tool:shell:1', 'forbidden_action', 'permittedTools'), { principal: admin })
      .thenEvents([
        {
          type: 'ContractBreached',
          data: {
            contractId,
            orgId,
            jobId,
            breachId: 'tool:shell:1',
            kind: 'forbidden_action',
            clause: 'permittedTools',
            details: 'not delivered by the due date',
            escalateTo: 'board',
            recordedBy: admin,
            recordedAt: now,
          },
        },
      ]);
  });

  it('does nothing when the same breach is recorded again, even after the contract ended', () => {
    spec
      .given([...historyTo.active, breached('deadline:final')])
      .when(record('deadline:final'), { principal: system })
      .thenNothing();
    spec
      .given([...historyTo.active, breached('deadline:final'), terminated('active')])
      .when(record('deadline:final'), { principal: system })
      .thenNothing();
    spec
      .given([...historyTo.active, breached('deadline:final')])
      .when(record('deadline:final:2'), { principal: system })
      .thenTypes(['ContractBreached']);
  });

  it('is the platform’s to record, not a subject’s, whatever the policy says', () => {
    for (const principal of [assignee, signatory]) {
      spec.given(historyTo.active).when(record('b-1'), { principal }).thenError('PLATFORM_ONLY', { contractId, principal: principal.id });
      // Not even a repeat answers a subject with anything but the refusal.
      spec
        .given([...historyTo.active, breached('b-1')])
        .when(record('b-1'), { principal })
        .thenError('PLATFORM_ONLY');
    }
  });

  it('needs an active contract', () => {
    for (const status of ['in_review', 'awaiting_signatures', 'fulfilled', 'terminated', 'rejected'] as const) {
      spec.given(historyTo[status]).when(commandsOnAContract.RecordBreach, { principal: system }).thenError('ILLEGAL_TRANSITION', { status });
    }
  });
});
