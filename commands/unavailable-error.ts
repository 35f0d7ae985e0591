import { appError, isAppError, type AppError } from '../domain/shared/app-error.ts';
import { StepUnavailableError, unavailableDependency, type Dependency } from '../infra/outage/dependency-outage.ts';

const CODES: Readonly<Record<Exclude<Dependency, 'commands'>, [code: string, what: string]>> = {
  'event-store': ['EVENT_STORE_UNAVAILABLE', 'the event store'],
  documents: ['READ_MODELS_UNAVAILABLE', 'the read models'],
  cache: ['CACHE_UNAVAILABLE', 'the cache'],
  bus: ['BUS_UNAVAILABLE', 'the message bus'],
};

/**
 * A dependency outage thrown while answering a request, as the coded 503 the caller may retry (the same classifier
 * the log's followers use, infra/outage/dependency-outage.ts); undefined when the error is not an outage.
 */
export function unavailableErrorFor(error: unknown): AppError | undefined {
  const dependency = unavailableDependency(error);
  if (dependency === null) return undefined;
  if (dependency === 'commands') {
    let current: unknown = error;
    while (current instanceof Error && !(current instanceof StepUnavailableError)) current = current.cause;
    if (current instanceof StepUnavailableError && isAppError(current.error)) return current.error;
    return appError('unavailable', 'UNAVAILABLE', 'a dependency is unavailable; retry later');
  }
  const [code, what] = CODES[dependency];
  return appError('unavailable', code, `${what} is unavailable; retry later`);
}
