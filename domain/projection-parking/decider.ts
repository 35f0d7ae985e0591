import { appError, type AppError } from '../shared/app-error.ts';
import type { DecisionContext, Decider } from '../shared/decider.ts';
import type { ProjectionParkingCommand } from './commands.ts';
import type { ProjectionEventParked, ProjectionParkingEvent } from './events.ts';

/** The events of one projection that are parked now, by position. */
export type ProjectionParkingState = ReadonlyMap<string, ProjectionEventParked['data']>;

function decide(command: ProjectionParkingCommand, state: ProjectionParkingState, context: DecisionContext): readonly ProjectionParkingEvent[] | AppError {
  const { projection, position } = command.data;
  switch (command.type) {
    case 'ParkProjectionEvent':
      if (state.has(position)) {
        return appError('conflict', 'EVENT_ALREADY_PARKED', `the event at position ${position} is already parked for projection ${projection}`, {
          projection,
          position,
        });
      }
      return [{ type: 'ProjectionEventParked', data: { ...command.data, parkedBy: context.principal, parkedAt: context.now } }];
    case 'UnparkProjectionEvent':
      if (!state.has(position)) {
        return appError('not_found', 'PARKED_EVENT_NOT_FOUND', `no event at position ${position} is parked for projection ${projection}`, {
          projection,
          position,
        });
      }
      return [
        {
          type: 'ProjectionEventUnparked',
          data: { projection, position, reason: command.data.reason, unparkedBy: context.principal, unparkedAt: context.now },
        },
      ];
  }
}

function evolve(state: ProjectionParkingState, event: ProjectionParkingEvent): ProjectionParkingState {
  const next = new Map(state);
  if (event.type === 'ProjectionEventParked') next.set(event.data.position, event.data);
  else next.delete(event.data.position);
  return next;
}

/**
 * An operator's decision to skip (park) one event a projection cannot apply, and to take it back once a retry
 * applied it. Pure: which event the projection stopped at, and whether a retry succeeded, are the caller's facts.
 */
export const projectionParkingDecider: Decider<ProjectionParkingCommand, ProjectionParkingState, ProjectionParkingEvent, DecisionContext> = {
  initialState: new Map(),
  evolve,
  decide,
};
