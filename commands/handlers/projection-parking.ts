import { projectionParkingCommandSchema, type ProjectionParkingCommand } from '../../domain/projection-parking/commands.ts';
import { projectionParkingDecider } from '../../domain/projection-parking/decider.ts';
import { projectionParkingStream } from '../../domain/projection-parking/events.ts';
import { defineAggregate } from '../aggregate.ts';

const actions: Record<ProjectionParkingCommand['type'], string> = {
  ParkProjectionEvent: 'platform.projections.park',
  UnparkProjectionEvent: 'platform.projections.retry',
};

/** Parking poison events of a projection: platform-level (no org), governed by the platform policy. */
export const projectionParkingAggregate = defineAggregate({
  name: 'projection-parking',
  commandSchema: projectionParkingCommandSchema,
  decider: projectionParkingDecider,
  streamOf: (command) => projectionParkingStream(command.data.projection),
  orgIdOf: () => null,
  actionPerType: actions,
});
