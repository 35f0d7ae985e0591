import { assignmentEventDefinitions } from '../assignment/events.ts';
import { commandLogEventDefinitions } from '../command-log/events.ts';
import { contractEventDefinitions } from '../contract/events.ts';
import { credentialEventDefinitions } from '../credential/events.ts';
import { jobEventDefinitions } from '../job/events.ts';
import { orgEventDefinitions } from '../org/events.ts';
import { builtinPolicyEventDefinitions } from '../policy/builtin-events.ts';
import { decisionEventDefinitions } from '../policy/decision-events.ts';
import { policyEventDefinitions } from '../policy/events.ts';
import { projectionParkingEventDefinitions } from '../projection-parking/events.ts';
import { reservationEventDefinitions } from '../reservation/events.ts';
import { rosterEventDefinitions } from '../roster/events.ts';
import { subjectEventDefinitions } from '../subject/events.ts';
import { taskEventDefinitions } from '../task/events.ts';
import { timerEventDefinitions } from '../timer/events.ts';
import { EventRegistry } from './registry.ts';

/** Every event type the platform knows. A type missing here cannot be written, and reading one is an error. */
export function createEventRegistry(): EventRegistry {
  return new EventRegistry().register(
    ...orgEventDefinitions,
    ...credentialEventDefinitions,
    ...reservationEventDefinitions,
    ...commandLogEventDefinitions,
    ...rosterEventDefinitions,
    ...subjectEventDefinitions,
    ...policyEventDefinitions,
    ...decisionEventDefinitions,
    ...builtinPolicyEventDefinitions,
    ...jobEventDefinitions,
    ...assignmentEventDefinitions,
    ...taskEventDefinitions,
    ...contractEventDefinitions,
    ...timerEventDefinitions,
    ...projectionParkingEventDefinitions,
  );
}
