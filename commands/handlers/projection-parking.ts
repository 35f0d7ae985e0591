import { projectionParkingCommandSchema, type ProjectionParkingCommand } from '../../domain/projection-parking/commands.ts';
import { projectionParkingDecider, type ProjectionParkingState } from '../../domain/projection-parking/decider.ts';
import { projectionParkingStream, type ProjectionParkingEvent } from '../../domain/projection-parking/events.ts';
import type { DecisionContext } from '../../domain/shared/decider.ts';
import { actionPerType, baseContextOnly, type AggregateDefinition } from '../aggregate.ts';

const actions: Record<ProjectionParkingCommand['type'], string> = {
  ParkProjectionEvent: 'platform.projections.park',
  UnparkProjectionEvent: 'platform.projections.retry',
};

/** Parking poison events of a projection: platform-level (no org), governed by the platform policy. */
export const projectionParkingAggregate: AggregateDefinition<ProjectionParkingCommand, ProjectionParkingState, ProjectionParkingEvent, DecisionContext> = {
  name: 'projection-parking',
  commandSchema: projectionParkingCommandSchema,
  decider: projectionParkingDecider,
  streamOf: (command) => projectionParkingStream(command.data.projection),
  orgIdOf: () => null,
  ...actionPerType(actions),
  loadContext: baseContextOnly,
};
