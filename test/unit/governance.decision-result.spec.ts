import { describe, expect, it } from 'vitest';
import { governedCheck } from '../../commands/governance/governed-check.ts';
import type { PreAppendInput } from '../../commands/pre-append-check.ts';
import type { StreamReader } from '../../commands/stream-loader.ts';
import type { DecisionRecordedData } from '../../domain/policy/decision-events.ts';
import type { Principal } from '../../domain/shared/principal.ts';

/** Every stream empty: a platform-level command (no org) decided by the platform policy alone. */
const emptyLog: StreamReader = {
  load: async (decider, streamId) => ({ streamId, state: decider.initialState, revision: -1n, fenced: false, commands: new Map() }),
};

function input(principal: Principal): PreAppendInput {
  return {
    commandId: 'cmd-1',
    now: new Date().toISOString(),
    action: 'subject.register',
    alsoAuthorize: [],
    resource: { type: 'subject', id: 's-1', jobSpace: null },
    orgId: null,
    principal,
    command: { type: 'RegisterSubject', data: { subjectId: 's-1' } },
    streamId: 'subject-s-1',
    streamRevision: 6n,
    state: null,
    reader: emptyLog,
  };
}

const resultOf = (event: { data: unknown } | undefined) => (event?.data as DecisionRecordedData | undefined)?.result;

describe('the decision records what became of the command', () => {
  it('a permit appended with the change is applied, on the stream and revision it was decided on', async () => {
    const outcome = await governedCheck(input({ id: 'admin:a', kind: 'admin' }));
    if (!outcome.allowed) throw new Error('expected a permit');
    expect(outcome.events?.map(resultOf)).toEqual([{ status: 'applied', basis: { streamId: 'subject-s-1', revision: '6' } }]);
  });

  it('the same permit refused by the structure is recorded in the audit stream with the refusal', async () => {
    const outcome = await governedCheck(input({ id: 'admin:a', kind: 'admin' }));
    if (!outcome.allowed) throw new Error('expected a permit');
    const records = outcome.refusedByStructure?.({ kind: 'conflict', code: 'SUBJECT_EXISTS', message: 'subject s-1 exists' }) ?? [];
    expect(records.map((record) => record.streamId)).toEqual(['audit-platform']);
    expect(records[0]?.decisionId).toBe(outcome.decisionId);
    const data = records[0]?.events[0]?.data as DecisionRecordedData;
    expect(data).toMatchObject({
      outcome: 'permitted',
      result: {
        status: 'refused-by-structure',
        kind: 'conflict',
        code: 'SUBJECT_EXISTS',
        message: 'subject s-1 exists',
        basis: { streamId: 'subject-s-1', revision: '6' },
      },
    });
  });

  it('a denial is recorded as refused by policy', async () => {
    const outcome = await governedCheck(input({ id: 'someone', kind: 'subject' }));
    if (outcome.allowed) throw new Error('expected a denial');
    expect(outcome.records?.flatMap((record) => record.events.map(resultOf))).toEqual([{ status: 'refused-by-policy' }]);
  });
});
