import { beforeAll, describe, expect, it } from 'vitest';
import { expectRefusal, type BadRequest } from '../support/refusal.ts';
import { useTestServer } from '../support/api-server.ts';
import { apiClient } from './api.client.ts';

type Ids = { orgId: string; subjectId: string; applicationId: string };

const json = { 'content-type': 'application/json' };
const long = (length: number) => 'x'.repeat(length);

/**
 * Malformed requests to the governance routes: each answers a 4xx in the uniform shape, with the field that is wrong
 * when there is one, and leaves the log exactly as it was. Sent as a platform admin, so nothing is refused by
 * policy first (a denial would be recorded in the audit trail).
 */
const cases: Array<[string, (ids: Ids) => BadRequest, number, string, string[]?]> = [
  // Subjects
  ['a subject of an unknown kind', () => ({ url: '/subjects', payload: { kind: 'robot', displayName: 'R' } }), 400, 'VALIDATION_FAILED', ['kind']],
  [
    'a subject display name of the wrong type',
    () => ({ url: '/subjects', payload: { kind: 'agent', displayName: 42 } }),
    400,
    'VALIDATION_FAILED',
    ['displayName'],
  ],
  ['a subject without a display name', () => ({ url: '/subjects', payload: { kind: 'agent' } }), 400, 'VALIDATION_FAILED', ['displayName']],
  [
    'a subject display name over 120 characters',
    () => ({ url: '/subjects', payload: { kind: 'agent', displayName: long(121) } }),
    400,
    'VALIDATION_FAILED',
    ['displayName'],
  ],
  ['a subject with an unknown field', () => ({ url: '/subjects', payload: { kind: 'agent', displayName: 'R', role: 'admin' } }), 400, 'VALIDATION_FAILED'],
  [
    'a subject endpoint with credentials',
    () => ({ url: '/subjects', payload: { kind: 'agent', displayName: 'R', endpoint: 'https://user:pw@host/x' } }),
    400,
    'VALIDATION_FAILED',
    ['endpoint'],
  ],
  [
    'a non-UUID subject id in the body',
    () => ({ url: '/subjects', payload: { subjectId: 'me', kind: 'agent', displayName: 'R' } }),
    400,
    'VALIDATION_FAILED',
    ['subjectId'],
  ],
  ['a subject body that is an array', () => ({ url: '/subjects', headers: json, payload: '[{"kind":"agent"}]' }), 400, 'VALIDATION_FAILED'],
  ['a subject body that is not JSON', () => ({ url: '/subjects', headers: json, payload: '{"kind":' }), 400, 'INVALID_JSON'],
  [
    'a subject body sent as text',
    () => ({ url: '/subjects', headers: { 'content-type': 'text/plain' }, payload: 'kind=agent' }),
    415,
    'UNSUPPORTED_MEDIA_TYPE',
  ],
  ['a non-UUID subject id on read', () => ({ method: 'GET', url: '/subjects/not-a-uuid' }), 400, 'VALIDATION_FAILED', ['subjectId']],
  [
    'a non-UUID subject id on a command',
    () => ({ url: '/subjects/not-a-uuid/profile', payload: { displayName: 'X' } }),
    400,
    'VALIDATION_FAILED',
    ['subjectId'],
  ],
  ['an empty profile update', ({ subjectId }) => ({ url: `/subjects/${subjectId}/profile`, payload: {} }), 400, 'VALIDATION_FAILED'],
  [
    'a subject id in the body that the path gives',
    ({ subjectId }) => ({ url: `/subjects/${subjectId}/profile`, payload: { subjectId, displayName: 'X' } }),
    400,
    'VALIDATION_FAILED',
    ['subjectId'],
  ],
  [
    'a capability level out of range',
    ({ subjectId }) => ({ url: `/subjects/${subjectId}/capabilities`, payload: { name: 'nlp.x', level: 11 } }),
    400,
    'VALIDATION_FAILED',
    ['level'],
  ],
  [
    'a capability level as a string',
    ({ subjectId }) => ({ url: `/subjects/${subjectId}/capabilities`, payload: { name: 'nlp.x', level: '3' } }),
    400,
    'VALIDATION_FAILED',
    ['level'],
  ],
  [
    'a malformed capability name in the path',
    ({ subjectId }) => ({ url: `/subjects/${subjectId}/capabilities/Not%20A%20Name/withdraw` }),
    400,
    'VALIDATION_FAILED',
    ['name'],
  ],
  [
    'a verification without an org',
    ({ subjectId }) => ({ url: `/subjects/${subjectId}/capabilities/nlp.x/verify`, payload: { level: 1 } }),
    400,
    'VALIDATION_FAILED',
    ['orgId'],
  ],
  [
    'a suspension without a reason',
    ({ subjectId }) => ({ url: `/subjects/${subjectId}/suspend`, payload: { reason: '   ' } }),
    400,
    'VALIDATION_FAILED',
    ['reason'],
  ],
  [
    'a key label over 200 characters',
    ({ subjectId }) => ({ url: `/subjects/${subjectId}/api-keys`, payload: { label: long(201) } }),
    400,
    'VALIDATION_FAILED',
    ['label'],
  ],
  [
    'a key request with an unknown field',
    ({ subjectId }) => ({ url: `/subjects/${subjectId}/api-keys`, payload: { principal: 'admin' } }),
    400,
    'VALIDATION_FAILED',
  ],
  ['a key for a non-UUID subject', () => ({ url: '/subjects/admin/api-keys', payload: {} }), 400, 'VALIDATION_FAILED', ['subjectId']],
  [
    'a malformed key id to revoke',
    ({ subjectId }) => ({ url: `/subjects/${subjectId}/api-keys/bad%20key!/revoke`, payload: { reason: 'x' } }),
    400,
    'VALIDATION_FAILED',
    ['keyId'],
  ],
  [
    "revoking a key that is not the subject's",
    ({ subjectId }) => ({ url: `/subjects/${subjectId}/api-keys/nosuchkey/revoke`, payload: { reason: 'x' } }),
    404,
    'API_KEY_NOT_FOUND',
  ],
  // Orgs
  ['a malformed slug', () => ({ method: 'GET', url: '/orgs/by-slug/Not_A_Slug' }), 400, 'VALIDATION_FAILED', ['slug']],
  // Roster
  ['a non-UUID org id on a roster command', () => ({ url: '/orgs/not-a-uuid/roles', payload: { name: 'writer' } }), 400, 'VALIDATION_FAILED', ['orgId']],
  ['a role name with capitals', ({ orgId }) => ({ url: `/orgs/${orgId}/roles`, payload: { name: 'Editor!' } }), 400, 'VALIDATION_FAILED', ['name']],
  ['a role with an unknown field', ({ orgId }) => ({ url: `/orgs/${orgId}/roles`, payload: { name: 'editor', orgId } }), 400, 'VALIDATION_FAILED'],
  [
    'a role maximum as a string',
    ({ orgId }) => ({ url: `/orgs/${orgId}/roles`, payload: { name: 'editor', maxHolders: 'three' } }),
    400,
    'VALIDATION_FAILED',
    ['maxHolders'],
  ],
  [
    'a role maximum below its minimum',
    ({ orgId }) => ({ url: `/orgs/${orgId}/roles`, payload: { name: 'editor', minHolders: 3, maxHolders: 2 } }),
    400,
    'VALIDATION_FAILED',
    ['maxHolders'],
  ],
  [
    'a role description over 2000 characters',
    ({ orgId }) => ({ url: `/orgs/${orgId}/roles`, payload: { name: 'editor', description: long(2001) } }),
    400,
    'VALIDATION_FAILED',
    ['description'],
  ],
  ['a role without a body', ({ orgId }) => ({ url: `/orgs/${orgId}/roles` }), 400, 'VALIDATION_FAILED'],
  ['a malformed role name in the path', ({ orgId }) => ({ url: `/orgs/${orgId}/roles/Bad%20Name/remove` }), 400, 'VALIDATION_FAILED', ['name']],
  [
    'a group whose roles are not a list',
    ({ orgId }) => ({ url: `/orgs/${orgId}/groups`, payload: { name: 'staff', roles: 'writer' } }),
    400,
    'VALIDATION_FAILED',
    ['roles'],
  ],
  ['a job space name too long', ({ orgId }) => ({ url: `/orgs/${orgId}/job-spaces`, payload: { name: `j${long(63)}` } }), 400, 'VALIDATION_FAILED', ['name']],
  [
    'a conflict of a role with itself',
    ({ orgId }) => ({ url: `/orgs/${orgId}/role-conflicts`, payload: { roles: ['writer', 'writer'], reason: 'x' } }),
    400,
    'VALIDATION_FAILED',
    ['roles'],
  ],
  [
    'a conflict of one role',
    ({ orgId }) => ({ url: `/orgs/${orgId}/role-conflicts`, payload: { roles: ['writer'], reason: 'x' } }),
    400,
    'VALIDATION_FAILED',
    ['roles'],
  ],
  [
    'a grant to a non-UUID subject',
    ({ orgId }) => ({ url: `/orgs/${orgId}/associations`, payload: { subjectId: 'bob', role: 'writer' } }),
    400,
    'VALIDATION_FAILED',
    ['subjectId'],
  ],
  ['a grant without a role', ({ orgId, subjectId }) => ({ url: `/orgs/${orgId}/associations`, payload: { subjectId } }), 400, 'VALIDATION_FAILED', ['role']],
  [
    'a grant with an expiry that is not a time',
    ({ orgId, subjectId }) => ({ url: `/orgs/${orgId}/associations`, payload: { subjectId, role: 'writer', expiresAt: 'tomorrow' } }),
    400,
    'VALIDATION_FAILED',
    ['expiresAt'],
  ],
  [
    'a grant naming the org in its body',
    ({ orgId, subjectId }) => ({ url: `/orgs/${orgId}/associations`, payload: { orgId, subjectId, role: 'writer' } }),
    400,
    'VALIDATION_FAILED',
    ['orgId'],
  ],
  [
    'a grant with an operator object',
    ({ orgId }) => ({ url: `/orgs/${orgId}/associations`, payload: { subjectId: { $ne: null }, role: 'writer' } }),
    400,
    'VALIDATION_FAILED',
    ['subjectId'],
  ],
  [
    'a revocation of a non-UUID association',
    ({ orgId }) => ({ url: `/orgs/${orgId}/associations/first/revoke`, payload: { reason: 'x' } }),
    400,
    'VALIDATION_FAILED',
    ['associationId'],
  ],
  [
    'an application motivation over 4000 characters',
    ({ orgId, subjectId }) => ({ url: `/orgs/${orgId}/applications`, payload: { subjectId, role: 'writer', motivation: long(4001) } }),
    400,
    'VALIDATION_FAILED',
    ['motivation'],
  ],
  [
    'an approval with an unknown field',
    ({ orgId, applicationId }) => ({ url: `/orgs/${orgId}/applications/${applicationId}/approve`, payload: { approved: true } }),
    400,
    'VALIDATION_FAILED',
  ],
  [
    'a rejection without a reason',
    ({ orgId, applicationId }) => ({ url: `/orgs/${orgId}/applications/${applicationId}/reject`, payload: {} }),
    400,
    'VALIDATION_FAILED',
    ['reason'],
  ],
  ['a non-UUID org id on a roster read', () => ({ method: 'GET', url: '/orgs/not-a-uuid/roster' }), 400, 'VALIDATION_FAILED', ['orgId']],
  [
    'a non-UUID subject id on effective roles',
    ({ orgId }) => ({ method: 'GET', url: `/orgs/${orgId}/subjects/x/effective-roles` }),
    400,
    'VALIDATION_FAILED',
    ['subjectId'],
  ],
  [
    'a malformed job space in a query',
    ({ orgId, subjectId }) => ({ method: 'GET', url: `/orgs/${orgId}/subjects/${subjectId}/effective-roles?jobSpace=Bad!` }),
    400,
    'VALIDATION_FAILED',
    ['jobSpace'],
  ],
  [
    'an unknown query parameter',
    ({ orgId, subjectId }) => ({ method: 'GET', url: `/orgs/${orgId}/subjects/${subjectId}/effective-roles?role=x` }),
    400,
    'VALIDATION_FAILED',
  ],
  // Policies
  [
    'a policy whose CEL does not parse',
    ({ orgId }) => ({ url: `/orgs/${orgId}/policies`, payload: { rules: [{ id: 'r', effect: 'permit', actions: ['org.read'], when: '1 +', reason: 'x' }] } }),
    400,
    'POLICY_INVALID',
  ],
  ['a policy whose rules are not a list', ({ orgId }) => ({ url: `/orgs/${orgId}/policies`, payload: { rules: 'permit all' } }), 400, 'POLICY_INVALID'],
  [
    'a policy rule with an unknown effect',
    ({ orgId }) => ({ url: `/orgs/${orgId}/policies`, payload: { rules: [{ id: 'r', effect: 'allow', actions: ['org.read'], reason: 'x' }] } }),
    400,
    'POLICY_INVALID',
  ],
  ['a policy with an unknown field', ({ orgId }) => ({ url: `/orgs/${orgId}/policies`, payload: { rules: [], publish: true } }), 400, 'VALIDATION_FAILED'],
  [
    'a policy description over 2000 characters',
    ({ orgId }) => ({ url: `/orgs/${orgId}/policies`, payload: { rules: [], description: long(2001) } }),
    400,
    'VALIDATION_FAILED',
    ['description'],
  ],
  ['a policy version that is not a number', ({ orgId }) => ({ url: `/orgs/${orgId}/policies/latest/publish` }), 400, 'VALIDATION_FAILED', ['version']],
  ['a policy version zero', ({ orgId }) => ({ url: `/orgs/${orgId}/policies/0/publish` }), 400, 'VALIDATION_FAILED', ['version']],
  // Decisions
  ['a decisions limit of zero', ({ orgId }) => ({ method: 'GET', url: `/orgs/${orgId}/decisions?limit=0` }), 400, 'VALIDATION_FAILED', ['limit']],
  ['a decisions limit over 500', ({ orgId }) => ({ method: 'GET', url: `/orgs/${orgId}/decisions?limit=501` }), 400, 'VALIDATION_FAILED', ['limit']],
  [
    'a decisions limit that is not a number',
    ({ orgId }) => ({ method: 'GET', url: `/orgs/${orgId}/decisions?limit=all` }),
    400,
    'VALIDATION_FAILED',
    ['limit'],
  ],
  ['an unknown decision outcome', ({ orgId }) => ({ method: 'GET', url: `/orgs/${orgId}/decisions?outcome=maybe` }), 400, 'VALIDATION_FAILED', ['outcome']],
  ['a non-UUID org id on decisions', () => ({ method: 'GET', url: '/orgs/1%20OR%201=1/decisions' }), 400, 'VALIDATION_FAILED', ['orgId']],
  // Size
  [
    'a body over 1 MiB',
    ({ orgId }) => ({ url: `/orgs/${orgId}/roles`, headers: json, payload: JSON.stringify({ name: 'big', description: long(1_100_000) }) }),
    413,
    'PAYLOAD_TOO_LARGE',
  ],
];

describe('malformed requests to the governance routes', () => {
  const { server } = useTestServer();
  const ids: Ids = { orgId: '', subjectId: '', applicationId: '' };
  beforeAll(async () => {
    const api = apiClient(server);
    ids.orgId = await api.registerOrg('bad-input-lab');
    ids.subjectId = await api.registerSubject('target');
    await api.defineRole(ids.orgId, { name: 'writer', assignmentType: 'dynamic_multi_subject' });
    ids.applicationId = (
      await api.expectStatus(await api.post(`/orgs/${ids.orgId}/applications`, { subjectId: ids.subjectId, role: 'writer' }), 201)
    ).applicationId;
  });

  it.each(cases)('answers %s with a 4xx {code, message, details} and changes nothing', async (_name, build, status, code, path) => {
    const body = await expectRefusal(server, build(ids), status, code);
    if (path) expect(body.details.issues).toEqual(expect.arrayContaining([expect.objectContaining({ path })]));
  });
});
