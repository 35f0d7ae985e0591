import { beforeAll, describe, expect, it } from 'vitest';
import { useTestServer } from '../support/api-server.ts';

/**
 * `curl -d 'name=x'` sends `application/x-www-form-urlencoded`: the answer is a 415 in the API's own shape that
 * names the type received and the header to send instead, on a command route and on GraphQL alike.
 */
describe('a body sent without a JSON content type', () => {
  const { server, api } = useTestServer();
  let orgId: string;
  beforeAll(async () => {
    orgId = await api.registerOrg('media-types');
  });

  const routes = [
    ['POST /orgs', () => '/orgs'],
    ['a command on an org', () => `/orgs/${orgId}/suspend`],
    ['POST /graphql', () => '/graphql'],
  ] as const;
  const types = ['application/x-www-form-urlencoded', 'text/plain', 'multipart/form-data; boundary=x', 'application/xml'];

  for (const [route, url] of routes) {
    it.each(types)(`answers ${route} sent as %s with 415 UNSUPPORTED_MEDIA_TYPE saying to send application/json`, async (contentType) => {
      const before = await server.platform.store.headPosition();
      const response = await server.app.inject({
        method: 'POST',
        url: url(),
        headers: { ...server.auth, 'content-type': contentType },
        payload: 'name=x&slug=y',
      });
      expect(response.statusCode).toBe(415);
      expect(response.json()).toEqual({
        code: 'UNSUPPORTED_MEDIA_TYPE',
        message: expect.stringContaining('Content-Type: application/json'),
        details: { contentType, accepted: ['application/json'] },
      });
      expect(response.json().message).toContain(contentType);
      expect(await server.platform.store.headPosition()).toBe(before);
    });
  }

  it('reads the same body once it is sent as application/json', async () => {
    const response = await server.app.inject({
      method: 'POST',
      url: '/orgs',
      headers: { ...server.auth, 'content-type': 'application/json' },
      payload: '{"name":"Y","slug":"media-json"}',
    });
    expect(response.statusCode).toBe(201);
  });
});
