import { describe, expect, it } from 'vitest';
import { useTestServer } from '../support/api-server.ts';
import { startTestServer } from '../support/server.ts';

describe('GET /metrics: a key allowed platform.metrics.read, unless METRICS_PUBLIC', () => {
  const { server, api } = useTestServer();

  it('answers 401 without a key', async () => {
    const response = await server.app.inject({ method: 'GET', url: '/metrics' });
    expect(response.statusCode).toBe(401);
    expect(response.json()).toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it("answers 403 to a subject's key, even one that owns an org (the figures cover every org)", async () => {
    const owner = await api.subjectWithKey('Metrics owner');
    await api.registerOrg('metrics-owned', owner.key);
    const response = await api.get('/metrics', owner.key);
    expect(response.statusCode).toBe(403);
    expect(response.json()).toMatchObject({ code: 'POLICY_DENIED', details: expect.objectContaining({ action: 'platform.metrics.read' }) });
  });

  it('answers a platform admin with the Prometheus text', async () => {
    const response = await api.get('/metrics');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain/);
    expect(response.body).toMatch(/^agencygrid_event_store_head \d+$/m);
  });

  it('answers without a key when METRICS_PUBLIC=true, and documents it as public', async () => {
    const open = await startTestServer({ env: { METRICS_PUBLIC: 'true' } });
    try {
      const response = await open.app.inject({ method: 'GET', url: '/metrics' });
      expect(response.statusCode).toBe(200);
      expect(response.body).toMatch(/^agencygrid_projection_lag\{projection="orgs"\} \d+$/m);
      const doc = (await open.app.inject({ method: 'GET', url: '/docs/json' })).json();
      expect(doc.paths['/metrics'].get.security).toEqual([]);
    } finally {
      await open.close();
    }
    const doc = (await api.get('/docs/json')).json();
    expect(doc.paths['/metrics'].get.security).toBeUndefined();
    expect(Object.keys(doc.paths['/metrics'].get.responses)).toContain('401');
  });
});
