import { beforeAll, describe, expect, it } from 'vitest';
import { useTestServer } from '../support/api-server.ts';

/**
 * Reading the read side's state is its own action, `platform.projections.read`: a refusal names what was asked
 * (not `platform.projections.rebuild`, which reads as if the caller had tried to rebuild something).
 */
describe('reading projection status', () => {
  const { api } = useTestServer();
  let agent: { id: string; key: string };
  beforeAll(async () => {
    agent = await api.subjectWithKey('Curious agent');
  });

  it.each(['/admin/projections', '/admin/projections/parked'])("refuses an agent's GET %s as platform.projections.read", async (url) => {
    const response = await api.get(url, agent.key);
    expect(response.statusCode).toBe(403);
    expect(response.json()).toMatchObject({
      code: 'POLICY_DENIED',
      message: 'no rule permits platform.projections.read',
      details: { action: 'platform.projections.read', outcome: 'not-permitted' },
    });
  });

  it.each(['/admin/projections', '/admin/projections/parked'])('lets a platform admin (who may rebuild) GET %s', async (url) => {
    expect((await api.get(url)).statusCode).toBe(200);
  });

  it("still refuses an agent's rebuild as platform.projections.rebuild", async () => {
    const response = await api.post('/admin/projections/orgs/rebuild', {}, agent.key);
    expect(response.statusCode).toBe(403);
    expect(response.json().details.action).toBe('platform.projections.rebuild');
  });
});
