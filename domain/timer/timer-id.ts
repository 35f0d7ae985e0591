import { v5 as uuidv5 } from 'uuid';

/** The namespace of timer ids; changing it would give every saga key a new timer. */
export const TIMER_ID_NAMESPACE = '8f1d6c2a-4b7e-5a93-9c0d-2e6f4a1b7c35';

/**
 * The id of the timer for a saga key such as `auction.close:<jobId>:<round>`: a UUID v5 of the key, the same on
 * every call and every process, so a saga that restarts schedules the same timer (and the second ScheduleTimer is a
 * no-op) instead of a second one.
 */
export function timerIdFor(key: string): string {
  if (key.length === 0) throw new TypeError('a timer key cannot be empty');
  return uuidv5(key, TIMER_ID_NAMESPACE).toLowerCase();
}
