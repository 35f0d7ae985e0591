import { describe, expect, it } from 'vitest';
import { callerView } from '../../api/refusal-view.ts';
import { httpErrorFor } from '../../api/http-errors.ts';
import { gqlError } from '../../api/graphql/errors.ts';
import { orgNotFound } from '../../domain/org/not-found.ts';
import { appError, withAudience } from '../../domain/shared/app-error.ts';

const denied = appError('forbidden', 'POLICY_DENIED', 'merger with ACME planned', {
  decisionId: 'd-1',
  action: 'org.update',
  outcome: 'forbidden',
  reasons: ['merger with ACME planned'],
  determiningRuleIds: ['merger-freeze'],
  escalateTo: 'board',
  policy: { source: 'org', version: 3 },
  evaluations: [
    { ruleId: 'merger-freeze', effect: 'forbid', outcome: 'applies' },
    { ruleId: 'gold-tier', effect: 'permit', outcome: 'not-applicable', detail: 'when' },
  ],
  errors: [],
});
const hidden = { kind: 'outsider', notFound: orgNotFound('org-b') } as const;

describe('a refusal as its caller sees it', () => {
  it('tells an outsider exactly what an unknown org would, whatever refused it', () => {
    for (const refusal of [
      denied,
      appError('conflict', 'ROLE_NOT_OPEN', 'role x is assigned', { role: 'x', assignmentType: 'fixed' }),
      appError('unprocessable', 'ROLE_NOT_FOUND', 'no role', { role: 'y' }),
    ]) {
      expect(callerView(withAudience(refusal, hidden))).toEqual(orgNotFound('org-b'));
    }
  });

  it("keeps an outsider's own malformed input and outages as they are: they say nothing of the org", () => {
    const invalid = appError('invalid', 'VALIDATION_FAILED', 'bad', { issues: [] });
    expect(callerView(withAudience(invalid, hidden))).toEqual(invalid);
  });

  it('gives a member the rules that decided its request, and every rule only when it may read the policy', () => {
    const { evaluations: _evaluations, errors: _errors, ...decided } = denied.details;
    expect(callerView(withAudience(denied, { kind: 'member', mayReadPolicy: false }))).toEqual({ ...denied, details: decided });
    expect(callerView(withAudience(denied, { kind: 'member', mayReadPolicy: true }))).toEqual(denied);
  });

  it('shapes REST bodies and GraphQL errors in the same one place', () => {
    const refused = withAudience(denied, hidden);
    expect(httpErrorFor(refused)).toEqual({
      status: 404,
      body: { code: 'ORG_NOT_FOUND', message: orgNotFound('org-b').message, details: { orgId: 'org-b' } },
      headers: {},
    });
    expect(gqlError(refused).extensions).toEqual({ code: 'ORG_NOT_FOUND', details: { orgId: 'org-b' } });
  });

  it('passes an error with no audience (platform-level) through unchanged', () => {
    expect(callerView(denied)).toBe(denied);
  });
});
