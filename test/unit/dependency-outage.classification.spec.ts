import { describe, expect, it } from 'vitest';
import { appError } from '../../domain/shared/app-error.ts';
import { BusError, BusUnavailableError, PayloadTooLargeError } from '../../infra/bus/errors.ts';
import { CacheError, CacheUnavailableError } from '../../infra/cache/errors.ts';
import { DocumentStoreUnavailableError, InvalidDocumentError } from '../../infra/documents/errors.ts';
import { EventStoreUnavailableError, WrongExpectedVersionError } from '../../infra/eventstore/errors.ts';
import { OutageWait, StepUnavailableError, unavailableDependency } from '../../infra/outage/dependency-outage.ts';

describe('telling a dependency outage from a poison event', () => {
  it('names the dependency of every typed unavailable error, directly or through `cause`', () => {
    expect(unavailableDependency(new CacheUnavailableError('down'))).toBe('cache');
    expect(unavailableDependency(new BusUnavailableError('down'))).toBe('bus');
    expect(unavailableDependency(new DocumentStoreUnavailableError('down'))).toBe('documents');
    expect(unavailableDependency(new EventStoreUnavailableError('down'))).toBe('event-store');
    expect(unavailableDependency(new StepUnavailableError(appError('unavailable', 'READ_MODEL_BEHIND', 'behind')))).toBe('commands');
    expect(unavailableDependency(new Error('wrapped', { cause: new Error('twice', { cause: new CacheUnavailableError('down') }) }))).toBe('cache');
  });

  it('answers null for everything else: those are poison events, stopped at', () => {
    for (const error of [
      new Error('bug'),
      new TypeError('x is undefined'),
      new CacheError('unexpected reply'),
      new BusError('publish failed'),
      new PayloadTooLargeError(2, 1),
      new InvalidDocumentError('not storable'),
      new WrongExpectedVersionError('s', 1n, 2n),
      'a string',
      null,
    ]) {
      expect(unavailableDependency(error)).toBeNull();
    }
  });

  it('backs off exponentially up to the cap, reports the outage while it lasts, and starts over after recovery', async () => {
    let now = 0;
    const outage = new OutageWait({ minMs: 1, maxMs: 4, clock: () => new Date(now) });
    await outage.wait('cache', new CacheUnavailableError('first'));
    now = 1000;
    await outage.wait('cache', new CacheUnavailableError('second'));
    expect(outage.status).toEqual({ dependency: 'cache', message: 'second', since: new Date(0).toISOString(), attempts: 2 });
    expect(outage.recovered()).toMatchObject({ attempts: 2 });
    expect(outage.status).toBeNull();
    expect(outage.recovered()).toBeNull();
  });
});
