import { describe, expect, it } from 'vitest';
import { defaultOrgPolicy, platformPolicy } from '../../domain/policy/platform-policy.ts';
import type { PolicyRequest, PolicyRule } from '../../domain/policy/types.ts';
import { orgVisibility } from '../../domain/policy/visibility.ts';

function request(principal: Partial<PolicyRequest['principal']> = {}, org: Partial<PolicyRequest['org']> = {}): PolicyRequest {
  return {
    principal: { id: 'subj-1', kind: 'subject', roles: [], groups: [], capabilities: {}, ...principal },
    action: 'org.update',
    resource: { type: 'org', id: 'org-1', jobSpace: null, attributes: {} },
    org: { id: 'org-1', status: 'active', ownerId: 'subj-owner', tags: [], metadata: {}, ...org },
    command: { type: 'UpdateOrgMetadata', data: { orgId: 'org-1' } },
    now: new Date(0).toISOString(),
  };
}

const withDefault = [...platformPolicy, ...defaultOrgPolicy];

describe('who may see that an org exists', () => {
  it('hides the org from a subject with no role in it, and from everyone when it does not exist', () => {
    expect(orgVisibility(withDefault, request(), true)).toEqual({ visible: false, mayReadPolicy: false });
    expect(orgVisibility(withDefault, request({ id: 'admin:1', kind: 'admin' }), false)).toEqual({ visible: false, mayReadPolicy: false });
  });

  it('shows it to its members, its owner and platform principals; the default policy lets them read its policy', () => {
    expect(orgVisibility(withDefault, request({ roles: ['writer'] }), true)).toEqual({ visible: true, mayReadPolicy: true });
    expect(orgVisibility(withDefault, request({ id: 'subj-owner' }), true)).toEqual({ visible: true, mayReadPolicy: true });
    expect(orgVisibility(withDefault, request({ id: 'admin:1', kind: 'admin', roles: ['platform-admin'] }), true)).toEqual({
      visible: true,
      mayReadPolicy: true,
    });
  });

  it("follows the org's policy: a member it does not let read the policy sees the org but not the rules", () => {
    const rules: PolicyRule[] = [
      { id: 'members-read-org', effect: 'permit', actions: ['org.read'], when: 'size(principal.roles) > 0', reason: 'members see the org' },
    ];
    expect(orgVisibility([...platformPolicy, ...rules], request({ roles: ['writer'] }), true)).toEqual({ visible: true, mayReadPolicy: false });
  });

  it("lets an org's policy open it to everyone (a public org): then an outsider sees it", () => {
    const rules: PolicyRule[] = [{ id: 'public', effect: 'permit', actions: ['org.read'], reason: 'a public org' }];
    expect(orgVisibility([...platformPolicy, ...rules], request(), true)).toEqual({ visible: true, mayReadPolicy: false });
  });
});
