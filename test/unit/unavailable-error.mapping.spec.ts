import { describe, expect, it } from 'vitest';
import { httpErrorForThrown } from '../../api/http-errors.ts';
import { asGraphQLError } from '../../api/graphql/errors.ts';
import { unavailableErrorFor } from '../../commands/unavailable-error.ts';
import { appError } from '../../domain/shared/app-error.ts';
import { StepUnavailableError } from '../../infra/outage/dependency-outage.ts';
import { BusUnavailableError } from '../../infra/bus/errors.ts';
import { CacheUnavailableError } from '../../infra/cache/errors.ts';
import { DocumentStoreUnavailableError } from '../../infra/documents/errors.ts';
import { EventStoreUnavailableError } from '../../infra/eventstore/errors.ts';

describe('a dependency outage thrown while answering a request', () => {
  const outages: Array<[string, Error, string]> = [
    ['the event store', new EventStoreUnavailableError('down'), 'EVENT_STORE_UNAVAILABLE'],
    ['the read models', new DocumentStoreUnavailableError('down'), 'READ_MODELS_UNAVAILABLE'],
    ['the cache', new CacheUnavailableError('down'), 'CACHE_UNAVAILABLE'],
    ['the bus', new BusUnavailableError('down'), 'BUS_UNAVAILABLE'],
    ['the read models, wrapped', new Error('query failed', { cause: new DocumentStoreUnavailableError('down') }), 'READ_MODELS_UNAVAILABLE'],
  ];

  it.each(outages)('is a 503 with a code over REST and GraphQL, never an internal error: %s', (_name, error, code) => {
    expect(httpErrorForThrown(error)).toMatchObject({ status: 503, internal: false, body: { code } });
    expect(asGraphQLError(error)?.extensions).toMatchObject({ code });
  });

  it("keeps a step's own coded refusal", () => {
    const behind = appError('unavailable', 'READ_MODEL_BEHIND', 'the jobs read model is behind');
    expect(unavailableErrorFor(new StepUnavailableError(behind))).toBe(behind);
  });

  it('leaves anything else to be an internal error', () => {
    expect(unavailableErrorFor(new Error('a bug'))).toBeUndefined();
    expect(httpErrorForThrown(new Error('a bug'))).toMatchObject({ status: 500, internal: true });
  });
});
