import { timerCommandSchema, type TimerCommand } from '../../domain/timer/commands.ts';
import { timerDecider, timerStream } from '../../domain/timer/decider.ts';
import { defineAggregate } from '../aggregate.ts';

const actions: Record<TimerCommand['type'], string> = {
  ScheduleTimer: 'timer.schedule',
  CancelTimer: 'timer.cancel',
  FireTimer: 'timer.fire',
};

/**
 * Durable timers, one stream per timer (`timer-<timerId>`), in one org or (orgId null) in none. The TimerService
 * (processes/timers.ts) fires them; sagas react to TimerFired in the log.
 */
export const timerAggregate = defineAggregate({
  name: 'timer',
  commandSchema: timerCommandSchema,
  decider: timerDecider,
  streamOf: (command) => timerStream(command.data.timerId),
  actionPerType: actions,
});
