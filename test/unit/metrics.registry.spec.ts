import { describe, expect, it } from 'vitest';
import { createMetricsRegistry, type MetricSources } from '../../api/metrics-registry.ts';
import type { ProjectionStatus } from '../../projections/runner.ts';

const projection = (name: string, overrides: Partial<ProjectionStatus> = {}): ProjectionStatus => ({
  name,
  version: 1,
  state: 'live',
  position: '40',
  lastApplied: '40',
  head: '42',
  lag: 2,
  failure: null,
  waiting: null,
  ...overrides,
});

interface Fake {
  projections: ProjectionStatus[];
  head: bigint | Error;
  deadLetters: number | Error;
  reads: number;
}

function sources(fake: Fake): MetricSources {
  const platform = {
    projections: {
      status: async () => {
        fake.reads += 1;
        return fake.projections;
      },
    },
    store: { headPosition: async () => (fake.head instanceof Error ? Promise.reject(fake.head) : fake.head) },
    work: { status: () => ({ sagas: [{ name: 'assignment', position: '17' }], timersPending: 3 }) },
    docs: { count: async () => (fake.deadLetters instanceof Error ? Promise.reject(fake.deadLetters) : fake.deadLetters) },
    parked: { list: (name: string) => (name === 'orgs' ? [{}] : []) },
  };
  return platform as unknown as MetricSources;
}

describe('the /metrics registry', () => {
  it('writes every metric with its help, type, labels and value, read from the sources once per scrape', async () => {
    const fake: Fake = {
      projections: [
        projection('orgs'),
        projection('jobs', { state: 'failed', waiting: { dependency: 'documents', message: 'down', since: 'then', attempts: 2 } }),
      ],
      head: 42n,
      deadLetters: 0,
      reads: 0,
    };
    const registry = createMetricsRegistry(sources(fake));
    const text = await registry.metrics();
    expect(fake.reads).toBe(1);
    for (const line of [
      '# HELP agencygrid_event_store_head Global position of the last event in the log.',
      '# TYPE agencygrid_event_store_head gauge',
      'agencygrid_event_store_head 42',
      '# TYPE agencygrid_projection_position gauge',
      'agencygrid_projection_position{projection="orgs"} 40',
      'agencygrid_projection_lag{projection="jobs"} 2',
      'agencygrid_projection_failed{projection="orgs"} 0',
      'agencygrid_projection_failed{projection="jobs"} 1',
      'agencygrid_projection_waiting{projection="orgs"} 0',
      'agencygrid_projection_waiting{projection="jobs"} 1',
      'agencygrid_projection_parked_events{projection="orgs"} 1',
      'agencygrid_projection_parked_events{projection="jobs"} 0',
      'agencygrid_saga_position{saga="assignment"} 17',
      'agencygrid_timers_pending 3',
      'agencygrid_saga_dead_letters 0',
    ]) {
      expect(text.split('\n'), line).toContain(line);
    }
    await registry.metrics();
    expect(fake.reads).toBe(2);
  });

  it('leaves out the head and the dead letters while their sources do not answer, rather than reporting 0', async () => {
    const fake: Fake = { projections: [projection('orgs')], head: new Error('store down'), deadLetters: new Error('documents down'), reads: 0 };
    const text = await createMetricsRegistry(sources(fake)).metrics();
    expect(text).toContain('# TYPE agencygrid_event_store_head gauge');
    expect(text).not.toMatch(/^agencygrid_event_store_head /m);
    expect(text).not.toMatch(/^agencygrid_saga_dead_letters /m);
    expect(text).toMatch(/^agencygrid_timers_pending 3$/m);
  });

  it('forgets a projection that is no longer running', async () => {
    const fake: Fake = { projections: [projection('orgs'), projection('jobs')], head: 42n, deadLetters: 0, reads: 0 };
    const registry = createMetricsRegistry(sources(fake));
    expect(await registry.metrics()).toContain('projection="jobs"');
    fake.projections = [projection('orgs')];
    const text = await registry.metrics();
    expect(text).not.toContain('projection="jobs"');
    expect(text).toContain('agencygrid_projection_lag{projection="orgs"} 2');
  });
});
