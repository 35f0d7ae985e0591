import { beforeAll, describe, expect, it } from 'vitest';
import { useTestServer } from '../support/api-server.ts';
import type { WorkReply } from '../../domain/agent-protocol/messages.ts';
import { apiKeyId, workRequestSubject } from '../../domain/agent-protocol/subjects.ts';

type Answer = { status: number; code: string; message: string; challenge: string | undefined };

/**
 * A missing credential, a malformed Authorization header and a key that is not known (never issued, revoked, or
 * mistyped, like `Bearer agk_wrong.key`) are three answers with three codes, the same on every door: REST commands
 * and reads, GraphQL over HTTP, the event stream, the agent inbox, agent requests over HTTP and over the bus.
 */
describe('credential errors', () => {
  const { server, api } = useTestServer();
  let orgId: string;
  let agent: { id: string; key: string };
  let revokedKey: string;

  beforeAll(async () => {
    orgId = await api.registerOrg('credentials');
    agent = await api.subjectWithKey('Keyholder');
    const issued = await api.expectStatus(await api.post('/admin/api-keys', { label: 'soon revoked' }), 201);
    await api.expectStatus(await api.post(`/admin/api-keys/${issued.keyId}/revoke`, { reason: 'test' }), 200);
    revokedKey = issued.key as string;
  });

  const doors: Array<[string, (authorization: string | undefined) => Promise<Answer>]> = [
    ['a REST read', (authorization) => http('GET', `/orgs/${orgId}`, authorization)],
    ['a REST command', (authorization) => http('POST', `/orgs/${orgId}/metadata`, authorization, { description: 'x' })],
    ['GraphQL over HTTP', (authorization) => http('POST', '/graphql', authorization, { query: '{ __typename }' })],
    ['the event stream', (authorization) => http('GET', '/events/stream', authorization)],
    ['the agent inbox', (authorization) => http('GET', '/agent/inbox', authorization)],
    ['an agent request over HTTP', (authorization) => http('POST', '/agent/requests/progress', authorization, { orgId, taskId: orgId, progress: 1 })],
    ['an agent request over the bus', (authorization) => bus(authorization)],
  ];

  async function http(method: 'GET' | 'POST', url: string, authorization: string | undefined, payload?: object): Promise<Answer> {
    const response = await server.app.inject({ method, url, headers: authorization === undefined ? {} : { authorization }, ...(payload ? { payload } : {}) });
    const body = response.json();
    const challenge = response.headers['www-authenticate'];
    return { status: response.statusCode, code: body.code, message: body.message, challenge: typeof challenge === 'string' ? challenge : undefined };
  }

  /** The gateway on the in-process bus, which reads the key from the message's Authorization header. */
  async function bus(authorization: string | undefined): Promise<Answer> {
    const subject = workRequestSubject(agent.id, apiKeyId(agent.key) ?? 'x', 'progress');
    const reply = await server.platform.bus.request(
      subject,
      { data: { orgId, taskId: orgId, progress: 1 }, headers: authorization === undefined ? {} : { Authorization: authorization } },
      { timeoutMs: 5_000 },
    );
    const answer = reply.data as unknown as WorkReply;
    if (answer.ok) throw new Error('the bus accepted the request');
    // The bus has no status line or headers: the code and message are the answer.
    return { status: 401, code: answer.error.code, message: answer.error.message, challenge: undefined };
  }

  const cases: Array<[string, () => string | undefined, string, string, RegExp]> = [
    ['no Authorization header', () => undefined, 'UNAUTHENTICATED', 'Bearer', /send "Authorization: Bearer <api key>"/],
    ['a Basic credential', () => 'Basic dXNlcjpwYXNz', 'MALFORMED_AUTHORIZATION', 'Bearer error="invalid_request"', /the scheme is Basic/],
    ['the key without its scheme', () => agent.key, 'MALFORMED_AUTHORIZATION', 'Bearer error="invalid_request"', /put "Bearer " before the key/],
    ['"Bearer" and nothing else', () => 'Bearer', 'MALFORMED_AUTHORIZATION', 'Bearer error="invalid_request"', /no key follows/],
    ['a key with a space in it', () => 'Bearer agk_a b', 'MALFORMED_AUTHORIZATION', 'Bearer error="invalid_request"', /spaces/],
    [
      'a short, well-formed key never issued (the reported case)',
      () => 'Bearer agk_wrong.key',
      'UNKNOWN_API_KEY',
      'Bearer error="invalid_token"',
      /not known \(revoked, rotated or mistyped\)/,
    ],
    ['a revoked key', () => `Bearer ${revokedKey}`, 'UNKNOWN_API_KEY', 'Bearer error="invalid_token"', /not known/],
  ];

  for (const [door, ask] of doors) {
    it.each(cases)(`answers %s on ${door} with 401 and its own code`, async (_name, authorization, code, challenge, message) => {
      const answer = await ask(authorization());
      expect(answer).toMatchObject({ status: 401, code, message: expect.stringMatching(message) });
      if (door !== 'an agent request over the bus') expect(answer.challenge).toBe(challenge);
    });
  }

  it('tells a revoked key, a key never issued and a real key id with a wrong secret apart in nothing', async () => {
    const keyId = apiKeyId(agent.key);
    const guesses = [
      `Bearer ${revokedKey}`,
      'Bearer agk_neverissued0000.0123456789abcdefghijklmnopqrstuvwxyzABCDEFG',
      `Bearer agk_${keyId}.wrongsecret0123456789abcdefghijklmnopqrstuv`,
    ];
    for (const [, ask] of doors) {
      const answers = await Promise.all(guesses.map((guess) => ask(guess)));
      expect(new Set(answers.map((answer) => JSON.stringify(answer))).size).toBe(1);
      expect(answers[0]?.message).not.toContain(keyId);
    }
  });

  it('takes the scheme in any case, as HTTP does', async () => {
    const response = await server.app.inject({ method: 'GET', url: `/orgs/${orgId}`, headers: { authorization: `bearer ${api.adminKey}` } });
    expect(response.statusCode).toBe(200);
  });
});
