import { Gauge, Registry } from 'prom-client';
import type { ProjectionStatus } from '../projections/runner.ts';
import type { Platform } from './platform.ts';

export type MetricSources = Pick<Platform, 'projections' | 'store' | 'work' | 'docs' | 'parked'>;

interface Snapshot {
  projections: ProjectionStatus[];
  /** Null while the event store does not answer: the sample is left out rather than reported as 0. */
  head: bigint | null;
  work: ReturnType<Platform['work']['status']>;
  deadLetters: number | null;
}

/**
 * The /metrics registry: a Registry of its own (never prom-client's global one, so two servers in one process, as in
 * the tests, do not share figures), whose gauges read the platform when scraped. Every figure is computed at scrape
 * time; nothing is counted between scrapes.
 */
export function createMetricsRegistry(platform: MetricSources): Registry {
  const registry = new Registry();
  const snapshot = oncePerScrape(
    async (): Promise<Snapshot> => ({
      projections: await platform.projections.status(),
      head: await platform.store.headPosition().catch(() => null),
      work: platform.work.status(),
      deadLetters: await platform.docs.count('_saga_dead_letters').catch(() => null),
    }),
  );

  const scalar = (name: string, help: string, value: (current: Snapshot) => number | null) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      async collect() {
        const figure = value(await snapshot());
        if (figure === null) this.remove();
        else this.set(figure);
      },
    });
  const perProjection = (name: string, help: string, value: (projection: ProjectionStatus) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ['projection'] as const,
      registers: [registry],
      async collect() {
        const { projections } = await snapshot();
        this.reset();
        for (const projection of projections) this.set({ projection: projection.name }, value(projection));
      },
    });

  scalar('agencygrid_event_store_head', 'Global position of the last event in the log.', (current) => (current.head === null ? null : Number(current.head)));
  perProjection('agencygrid_projection_position', 'Last log position a projection has applied.', (p) => Number(p.position));
  perProjection('agencygrid_projection_lag', 'Positions a projection is behind the head of the log.', (p) => p.lag);
  perProjection('agencygrid_projection_failed', '1 when a projection stopped on an event it could not apply.', (p) => (p.state === 'failed' ? 1 : 0));
  perProjection('agencygrid_projection_waiting', '1 while a projection waits out an unavailable dependency (it resumes by itself).', (p) =>
    p.waiting ? 1 : 0,
  );
  perProjection(
    'agencygrid_projection_parked_events',
    'Events an operator parked for a projection (it skips them).',
    (p) => platform.parked.list(p.name).length,
  );
  new Gauge({
    name: 'agencygrid_saga_position',
    help: 'Last log position a saga (process manager) has handled.',
    labelNames: ['saga'] as const,
    registers: [registry],
    async collect() {
      const { work } = await snapshot();
      this.reset();
      for (const saga of work.sagas) this.set({ saga: saga.name }, Number(saga.position));
    },
  });
  scalar('agencygrid_timers_pending', 'Durable timers waiting to fire.', (current) => current.work.timersPending);
  scalar('agencygrid_saga_dead_letters', 'Events a saga gave up on (collection _saga_dead_letters).', (current) => current.deadLetters);
  return registry;
}

/**
 * One read of the sources per scrape: the registry starts every gauge's collect() in the same tick, so they share
 * the read in flight, and the next scrape reads afresh.
 */
function oncePerScrape<T>(read: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () => {
    if (pending === undefined) {
      const started = read();
      pending = started;
      const clear = () => {
        if (pending === started) pending = undefined;
      };
      started.then(clear, clear);
    }
    return pending;
  };
}
