import { describe, expect, it } from 'vitest';
import { timerAggregate } from '../../commands/handlers/timer.ts';
import { knownActions } from '../../commands/known-actions.ts';
import { createEventRegistry } from '../../domain/events/catalog.ts';
import type { DecisionContext } from '../../domain/shared/decider.ts';
import type { Principal } from '../../domain/shared/principal.ts';
import { timerCommandSchema, type TimerCommand } from '../../domain/timer/commands.ts';
import { timerDecider } from '../../domain/timer/decider.ts';
import type { TimerEvent } from '../../domain/timer/events.ts';
import { deciderSpec } from '../support/decider-spec.ts';

const timerId = '5b0c7a0e-2d7f-4c1a-9a55-0b7b1f3d9e21';
const orgId = '0f6a3b8e-61a4-4d2b-8a0c-3c1e5f7d9b02';
const otherOrgId = '7d2e9c41-3b5a-4f68-a1c0-9e8d7c6b5a43';
const jobId = 'c3a1e2f4-5b6d-4e7f-8a9b-0c1d2e3f4a5b';

const now = '2026-11-27T12:00:00.000Z';
const dueAt = '2026-11-27T12:05:00.000Z';
const afterDue = '2026-11-27T12:05:00.001Z';

const system: Principal = { id: 'system', kind: 'system' };
const admin: Principal = { id: 'admin:ops', kind: 'admin' };
const subject: Principal = { id: 'b1d2c3e4-f5a6-4b7c-8d9e-0f1a2b3c4d5e', kind: 'subject' };

const context: DecisionContext = { now, principal: system, commandId: 'cmd-1' };
const spec = deciderSpec(timerDecider, context);

const ref = { jobId, round: 1 };
const schedule = (extra: Partial<Extract<TimerCommand, { type: 'ScheduleTimer' }>['data']> = {}): TimerCommand => ({
  type: 'ScheduleTimer',
  data: { timerId, orgId, dueAt, purpose: 'auction.close', ref, ...extra },
});
const cancel = (org: string | null = orgId): TimerCommand => ({ type: 'CancelTimer', data: { timerId, orgId: org } });
const fire = (org: string | null = orgId): TimerCommand => ({ type: 'FireTimer', data: { timerId, orgId: org } });

const scheduled: TimerEvent = {
  type: 'TimerScheduled',
  data: { timerId, orgId, dueAt, purpose: 'auction.close', ref, scheduledBy: system, scheduledAt: now },
};
const cancelled: TimerEvent = { type: 'TimerCancelled', data: { timerId, orgId, cancelledBy: system, cancelledAt: now } };
const fired: TimerEvent = { type: 'TimerFired', data: { timerId, orgId, purpose: 'auction.close', ref, dueAt, firedAt: afterDue } };

describe('scheduling a timer', () => {
  it('schedules it, recording who scheduled it and when', () => {
    spec.given([]).when(schedule()).thenEvents([scheduled]);
  });

  it('schedules a platform timer in no org', () => {
    spec
      .given([])
      .when(schedule({ orgId: null }))
      .thenEvents([{ ...scheduled, data: { ...scheduled.data, orgId: null } } as TimerEvent]);
  });

  it('does nothing when the same timer is scheduled again, whatever became of it, and whatever the order of ref keys', () => {
    spec
      .given([scheduled])
      .when(schedule({ ref: { round: 1, jobId } }))
      .thenNothing();
    spec.given([scheduled, fired]).when(schedule()).thenNothing();
    spec.given([scheduled, cancelled]).when(schedule(), { principal: admin }).thenNothing();
  });

  it('refuses TIMER_EXISTS for the same id with another due time, purpose, ref or org', () => {
    spec
      .given([scheduled])
      .when(schedule({ dueAt: afterDue }))
      .thenError('TIMER_EXISTS', { timerId, dueAt });
    spec
      .given([scheduled])
      .when(schedule({ purpose: 'task.heartbeat' }))
      .thenError('TIMER_EXISTS', { timerId });
    spec
      .given([scheduled])
      .when(schedule({ ref: { jobId, round: 2 } }))
      .thenError('TIMER_EXISTS', { timerId });
    spec
      .given([scheduled, fired])
      .when(schedule({ dueAt: afterDue }))
      .thenError('TIMER_EXISTS');
    spec
      .given([scheduled])
      .when(schedule({ orgId: otherOrgId }))
      .thenError('TIMER_EXISTS');
  });

  it("does not tell another org the timer's due time or purpose", () => {
    const outcome = timerDecider.decide(schedule({ orgId: otherOrgId }), timerDecider.evolve(null, scheduled), context);
    expect(outcome).toMatchObject({ kind: 'conflict', code: 'TIMER_EXISTS', details: { timerId } });
    expect(JSON.stringify(outcome)).not.toContain(dueAt);
    expect(JSON.stringify(outcome)).not.toContain('auction.close');
  });

  it('accepts a due time in the past: the timer is simply due at once', () => {
    spec
      .given([])
      .when(schedule({ dueAt: '2020-01-01T00:00:00.000Z' }))
      .thenTypes(['TimerScheduled']);
  });
});

describe('cancelling a timer', () => {
  it('cancels a scheduled timer', () => {
    spec
      .given([scheduled])
      .when(cancel(), { principal: admin })
      .thenEvents([{ ...cancelled, data: { ...cancelled.data, cancelledBy: admin } } as TimerEvent]);
  });

  it('does nothing for a timer already cancelled or fired', () => {
    spec.given([scheduled, cancelled]).when(cancel()).thenNothing();
    spec.given([scheduled, fired]).when(cancel()).thenNothing();
  });

  it('answers TIMER_NOT_FOUND for a timer that does not exist, or not in the org named', () => {
    spec.given([]).when(cancel()).thenError('TIMER_NOT_FOUND', { timerId });
    spec.given([scheduled]).when(cancel(otherOrgId)).thenError('TIMER_NOT_FOUND');
    spec.given([scheduled]).when(cancel(null)).thenError('TIMER_NOT_FOUND');
  });
});

describe('firing a timer', () => {
  it('fires it once it is due, carrying its purpose and ref', () => {
    spec.given([scheduled]).when(fire(), { now: afterDue }).thenEvents([fired]);
    spec.given([scheduled]).when(fire(), { now: dueAt }).thenTypes(['TimerFired']);
  });

  it('refuses TIMER_NOT_DUE before the due time', () => {
    spec.given([scheduled]).when(fire(), { now: '2026-11-27T12:04:59.999Z' }).thenError('TIMER_NOT_DUE', { timerId, dueAt });
  });

  it('does nothing when fired twice, or after it was cancelled', () => {
    spec.given([scheduled, fired]).when(fire(), { now: afterDue }).thenNothing();
    spec.given([scheduled, cancelled]).when(fire(), { now: afterDue }).thenNothing();
  });

  it('is fired by the system or an admin only: a subject is forbidden, even when it is due', () => {
    spec.given([scheduled]).when(fire(), { now: afterDue, principal: admin }).thenTypes(['TimerFired']);
    spec.given([scheduled]).when(fire(), { now: afterDue, principal: subject }).thenError('PLATFORM_ONLY', { timerId });
    const outcome = timerDecider.decide(fire(), timerDecider.evolve(null, scheduled), { ...context, now: afterDue, principal: subject });
    expect(outcome).toMatchObject({ kind: 'forbidden' });
  });

  it('answers TIMER_NOT_FOUND for a timer that does not exist, or not in the org named', () => {
    spec.given([]).when(fire(), { now: afterDue }).thenError('TIMER_NOT_FOUND');
    spec.given([scheduled]).when(fire(otherOrgId), { now: afterDue }).thenError('TIMER_NOT_FOUND');
  });
});

describe('timer state and wiring', () => {
  it('folds the lifecycle into state', () => {
    const state = [scheduled, fired].reduce(timerDecider.evolve, timerDecider.initialState);
    expect(state).toMatchObject({ timerId, orgId, status: 'fired', dueAt, purpose: 'auction.close', ref, firedAt: afterDue, cancelledAt: null });
    expect([scheduled, cancelled].reduce(timerDecider.evolve, timerDecider.initialState)).toMatchObject({ status: 'cancelled', cancelledAt: now });
  });

  it('registers the timer events and actions', () => {
    const registry = createEventRegistry();
    expect(['TimerScheduled', 'TimerCancelled', 'TimerFired'].every((type) => registry.has(type))).toBe(true);
    expect([...timerAggregate.actions].sort()).toEqual(['timer.cancel', 'timer.fire', 'timer.schedule']);
    expect(knownActions()).toEqual(expect.arrayContaining([...timerAggregate.actions]));
  });
});

describe('timer command validation', () => {
  const parse = (data: Record<string, unknown>) =>
    timerCommandSchema.safeParse({ type: 'ScheduleTimer', data: { timerId, orgId, dueAt, purpose: 'auction.close', ref, ...data } });

  it('keeps ids in lower case and due times in UTC', () => {
    const parsed = parse({ timerId: timerId.toUpperCase(), dueAt: '2026-11-27T13:05:00+01:00' });
    expect(parsed.success && parsed.data.data).toMatchObject({ timerId, dueAt });
  });

  it('takes a dotted lowercase purpose of at most 100 characters', () => {
    expect(parse({ purpose: 'task.heartbeat_timeout' }).success).toBe(true);
    for (const purpose of ['Auction.close', 'auction..close', '.auction', 'auction close', '', `a${'.b'.repeat(50)}`]) {
      expect(parse({ purpose }).success, purpose).toBe(false);
    }
  });

  it('takes a small JSON object as ref, nothing else', () => {
    expect(parse({ ref: {} }).success).toBe(true);
    for (const bad of [null, [], 'job', 3, { blob: 'x'.repeat(2100) }, { a: { b: { c: { d: { e: 1 } } } } }]) {
      expect(parse({ ref: bad }).success, JSON.stringify(bad).slice(0, 40)).toBe(false);
    }
  });

  it('refuses a missing due time, an instant without a zone, and unknown fields', () => {
    expect(timerCommandSchema.safeParse({ type: 'ScheduleTimer', data: { timerId, orgId, purpose: 'a', ref } }).success).toBe(false);
    expect(parse({ dueAt: '2026-11-27T12:05:00' }).success).toBe(false);
    expect(parse({ extra: true }).success).toBe(false);
    expect(timerCommandSchema.safeParse({ type: 'FireTimer', data: { timerId } }).success).toBe(false);
  });
});
