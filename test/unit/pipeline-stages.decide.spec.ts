import { describe, expect, it } from 'vitest';
import { appError, type AppError } from '../../domain/shared/app-error.ts';
import type { Decider, DecisionContext, DomainEvent } from '../../domain/shared/decider.ts';
import { decide } from '../../commands/stages/decide.ts';

const context: DecisionContext = { now: new Date().toISOString(), principal: { id: 'admin:a', kind: 'admin' }, commandId: 'c1' };

/** Answers whatever the test hands it. */
function deciderAnswering(answer: readonly DomainEvent[] | AppError): Decider<{ type: string }, null, DomainEvent, DecisionContext> {
  return { initialState: null, evolve: (state) => state, decide: () => answer };
}

describe('the decide stage', () => {
  it('events to append', () => {
    const events = [{ type: 'Renamed', data: { name: 'x' } }];
    expect(decide(deciderAnswering(events), { type: 'Rename' }, null, context)).toEqual({ kind: 'events', events });
  });

  it('nothing to do', () => {
    expect(decide(deciderAnswering([]), { type: 'Rename' }, null, context)).toEqual({ kind: 'nothing' });
  });

  it.each(['conflict', 'forbidden', 'unprocessable'] as const)('a %s is the structure saying no, recorded', (kind) => {
    const error = appError(kind, 'NO', 'the structure says no');
    expect(decide(deciderAnswering(error), { type: 'Rename' }, null, context)).toEqual({
      kind: 'refused',
      error,
      structure: { kind, code: 'NO', message: 'the structure says no' },
    });
  });

  it.each(['invalid', 'not_found'] as const)('a %s is malformed or dangling input, recorded as nothing', (kind) => {
    const error = appError(kind, 'BAD', 'bad input');
    expect(decide(deciderAnswering(error), { type: 'Rename' }, null, context)).toEqual({ kind: 'refused', error, structure: null });
  });

  it('records a long refusal cut to bounds, while the caller gets it whole', () => {
    const error = appError('conflict', 'C'.repeat(500), 'm'.repeat(5000));
    const decision = decide(deciderAnswering(error), { type: 'Rename' }, null, context);
    if (decision.kind !== 'refused' || decision.structure === null) throw new Error('expected a recorded refusal');
    expect(decision.error).toBe(error);
    expect(decision.structure.code.length).toBeLessThan(500);
    expect(decision.structure.message.length).toBeLessThan(5000);
    expect(error.message).toHaveLength(5000);
  });
});
