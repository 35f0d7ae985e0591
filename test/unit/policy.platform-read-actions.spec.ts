import { describe, expect, it } from 'vitest';
import { readActions } from '../../commands/known-actions.ts';
import { evaluatePolicy } from '../../domain/policy/evaluate.ts';
import { platformPolicy } from '../../domain/policy/platform-policy.ts';
import type { PolicyRequest } from '../../domain/policy/types.ts';

/** The principals a platform-level request can come from, with the roles the platform gives them. */
const principals: Array<[string, PolicyRequest['principal']]> = [
  ['a platform admin', { id: 'admin:ops', kind: 'admin', roles: ['platform-admin'], groups: [], capabilities: {} }],
  ["the platform's processes", { id: 'system', kind: 'system', roles: ['platform-system'], groups: [], capabilities: {} }],
  ['a subject', { id: 'subject-1', kind: 'subject', roles: [], groups: [], capabilities: {} }],
];

function permitted(principal: PolicyRequest['principal'], action: string): boolean {
  const request: PolicyRequest = {
    principal,
    action,
    resource: { type: 'projections', id: null, jobSpace: null, attributes: {} },
    org: { id: null, status: null, ownerId: null, tags: [], metadata: {} },
    command: { type: 'ReadProjections', data: {} },
    now: new Date().toISOString(),
  };
  return evaluatePolicy(platformPolicy, request).outcome === 'permitted';
}

describe('platform read actions', () => {
  it('has a read action of its own for projection status, apart from rebuilding', () => {
    expect(readActions).toContain('platform.projections.read');
    expect(readActions).toContain('platform.projections.rebuild');
  });

  it.each(principals)('grants %s platform.projections.read exactly when it grants platform.projections.rebuild', (_name, principal) => {
    if (permitted(principal, 'platform.projections.rebuild')) expect(permitted(principal, 'platform.projections.read')).toBe(true);
    else expect(permitted(principal, 'platform.projections.read')).toBe(false);
  });

  it('grants rebuilding to someone, so the rule above is not vacuous', () => {
    expect(principals.some(([, principal]) => permitted(principal, 'platform.projections.rebuild'))).toBe(true);
  });
});
