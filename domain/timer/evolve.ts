import type { TimerEvent } from './events.ts';
import type { TimerState } from './state.ts';

export function evolveTimer(state: TimerState, event: TimerEvent): TimerState {
  if (event.type === 'TimerScheduled') {
    const { timerId, orgId, dueAt, purpose, ref, scheduledBy, scheduledAt } = event.data;
    return { timerId, orgId, status: 'scheduled', dueAt, purpose, ref, scheduledBy, scheduledAt, cancelledAt: null, firedAt: null };
  }
  if (state === null) return state;
  switch (event.type) {
    case 'TimerCancelled':
      return { ...state, status: 'cancelled', cancelledAt: event.data.cancelledAt };
    case 'TimerFired':
      return { ...state, status: 'fired', firedAt: event.data.firedAt };
  }
}
