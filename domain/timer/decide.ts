import { appError, type AppError } from '../shared/app-error.ts';
import type { DecisionContext } from '../shared/decider.ts';
import { actsForThePlatform } from '../shared/principal.ts';
import type { TimerCommand } from './commands.ts';
import type { TimerEvent } from './events.ts';
import type { Timer, TimerState } from './state.ts';
import type { JsonValue } from '../shared/json-value.ts';

export function decideTimer(command: TimerCommand, state: TimerState, context: DecisionContext): readonly TimerEvent[] | AppError {
  const { timerId, orgId } = command.data;
  const { principal, now } = context;

  if (command.type === 'ScheduleTimer') {
    const { dueAt, purpose, ref } = command.data;
    if (state === null) {
      return [{ type: 'TimerScheduled', data: { timerId, orgId, dueAt, purpose, ref, scheduledBy: principal, scheduledAt: now } }];
    }
    // The same timer again (a saga that restarted, a retry with a new command id): nothing to do, whatever became
    // of it since. Anything else under the same id is a different timer, which the id cannot name twice.
    if (state.orgId !== orgId) {
      // Another org's timer: say no more than that the id is taken.
      return appError('conflict', 'TIMER_EXISTS', `timer ${timerId} already exists`, { timerId });
    }
    if (state.dueAt === dueAt && state.purpose === purpose && sameJson(state.ref, ref)) return [];
    return appError('conflict', 'TIMER_EXISTS', `timer ${timerId} is already scheduled, for ${state.purpose} at ${state.dueAt}`, {
      timerId,
      dueAt: state.dueAt,
      purpose: state.purpose,
    });
  }

  // Timers fire on the platform's clock, so only the platform (its TimerService, or an admin) fires them.
  if (command.type === 'FireTimer' && !actsForThePlatform(principal)) {
    return appError('forbidden', 'PLATFORM_ONLY', `only the platform fires timer ${timerId}`, { timerId, principal: principal.id });
  }

  // A timer of another org is as absent as one that does not exist: naming the wrong org reveals nothing.
  if (state === null || state.orgId !== orgId) {
    return appError('not_found', 'TIMER_NOT_FOUND', `there is no timer ${timerId}${orgId === null ? '' : ` in org ${orgId}`}`, { timerId, orgId });
  }
  // Cancelled or fired: it is over, and cancelling or firing it again changes nothing.
  if (state.status !== 'scheduled') return [];

  switch (command.type) {
    case 'CancelTimer':
      return [{ type: 'TimerCancelled', data: { timerId, orgId, cancelledBy: principal, cancelledAt: now } }];
    case 'FireTimer': {
      if (Date.parse(now) < Date.parse(state.dueAt)) return notDue(state, now);
      const { purpose, ref, dueAt } = state;
      return [{ type: 'TimerFired', data: { timerId, orgId, purpose, ref, dueAt, firedAt: now } }];
    }
  }
}

function notDue(timer: Timer, now: string): AppError {
  return appError('conflict', 'TIMER_NOT_DUE', `timer ${timer.timerId} is due at ${timer.dueAt}, not yet`, {
    timerId: timer.timerId,
    dueAt: timer.dueAt,
    now,
  });
}

/** Structural equality of two JSON values, whatever the order of their keys. */
function sameJson(left: JsonValue, right: JsonValue): boolean {
  if (left === right) return true;
  if (typeof left !== 'object' || typeof right !== 'object' || left === null || right === null) return false;
  if (Array.isArray(left) || Array.isArray(right)) {
    return Array.isArray(left) && Array.isArray(right) && left.length === right.length && left.every((item, index) => sameAt(item, right[index]));
  }
  const entries = Object.entries(left);
  return entries.length === Object.keys(right).length && entries.every(([key, value]) => Object.hasOwn(right, key) && sameAt(value, right[key]));
}

/** The other side of a pair read by index or key: absent (past the end) is never the same as a JSON value. */
function sameAt(left: JsonValue, right: JsonValue | undefined): boolean {
  return right !== undefined && sameJson(left, right);
}
