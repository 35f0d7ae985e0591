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
import { workflowEventDefinitions } from '../workflow/events.ts';
import { toolCallEventDefinitions } from '../tool-call/events.ts';
import { toolEventDefinitions } from '../tool/events.ts';
import { EventRegistry, type EventUnion } from './registry.ts';

const platformEventDefinitions = [
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
  ...workflowEventDefinitions,
  ...toolEventDefinitions,
  ...toolCallEventDefinitions,
] as const;

/** Every event the platform knows, decoded: a union discriminated on `type`, derived from the definitions above. */
export type PlatformEvent = EventUnion<typeof platformEventDefinitions>;
export type PlatformEventType = PlatformEvent['type'];
/** Each decoded event by its type. */
export type PlatformEventsByType = { [Event in PlatformEvent as Event['type']]: Event };
/**
 * The decoded events of the given types (a lookup rather than an `Extract`, so that a reader of fewer types is
 * assignable where a reader of more is expected, e.g. a projection in a list of projections).
 */
export type PlatformEventOf<Type extends PlatformEventType> = PlatformEventsByType[Type];

/** Every event type the platform knows. A type missing here cannot be written, and reading one is an error. */
export function createEventRegistry(): PlatformEventRegistry {
  return new EventRegistry<PlatformEvent>().register(...platformEventDefinitions);
}

/** The registry the platform runs with: decoding answers a `PlatformEvent`. */
export type PlatformEventRegistry = EventRegistry<PlatformEvent>;
