import { describe, it } from 'vitest';
import { policyDecider, type PolicyDecisionContext } from '../../domain/policy/decider.ts';
import { hashPolicyRules } from '../../domain/policy/hash.ts';
import type { PolicyEvent } from '../../domain/policy/events.ts';
import type { PolicyRule } from '../../domain/policy/types.ts';
import { deciderSpec } from '../support/decider-spec.ts';

const orgId = '11111111-1111-4111-8111-111111111111';
const context: PolicyDecisionContext = {
  now: '2026-11-27T10:00:00.000Z',
  principal: { id: 'admin:a', kind: 'admin' },
  commandId: 'cmd-00000001',
  knownActions: ['roster.role.grant', 'org.update'],
  orgStatus: 'active',
};
const spec = deciderSpec(policyDecider, context);
const rule: PolicyRule = { id: 'r1', effect: 'permit', actions: ['roster.*'], reason: 'because' };
const rules: PolicyRule[] = [rule];
const drafted = (version: number, body: PolicyRule[] = rules): PolicyEvent => ({
  type: 'PolicyDrafted',
  data: { orgId, version, description: '', rules: body, hash: hashPolicyRules(body) },
});
const published = (version: number, supersedes: number | null = null): PolicyEvent => ({
  type: 'PolicyPublished',
  data: { orgId, version, hash: hashPolicyRules(rules), supersedes },
});

describe('policy versions', () => {
  it('drafts numbered versions, validated, and ignores a draft identical to the newest', () => {
    spec
      .given([])
      .when({ type: 'DraftPolicy', data: { orgId, description: '', rules } })
      .thenEvents([drafted(1)]);
    spec
      .given([drafted(1)])
      .when({ type: 'DraftPolicy', data: { orgId, description: '', rules } })
      .thenNothing();
    const changed: PolicyRule[] = [{ ...rule, reason: 'changed' }];
    spec
      .given([drafted(1)])
      .when({ type: 'DraftPolicy', data: { orgId, description: '', rules: changed } })
      .thenEvents([drafted(2, changed)]);
  });

  it('refuses an invalid draft with the problems and their positions', () => {
    spec
      .given([])
      .when({ type: 'DraftPolicy', data: { orgId, description: '', rules: [{ ...rule, when: 'principal.roles.exists(r, r ==' }] } })
      .thenError('POLICY_INVALID');
    spec
      .given([])
      .when({ type: 'DraftPolicy', data: { orgId, description: '', rules: [{ ...rule, actions: ['jobs.submit'] }] } })
      .thenError('POLICY_INVALID');
  });

  it('publishes a draft, superseding the one in force; published versions are immutable', () => {
    spec
      .given([drafted(1)])
      .when({ type: 'PublishPolicy', data: { orgId, version: 1 } })
      .thenEvents([published(1)]);
    spec
      .given([drafted(1), published(1)])
      .when({ type: 'PublishPolicy', data: { orgId, version: 1 } })
      .thenNothing();
    spec
      .given([drafted(1), published(1), drafted(2)])
      .when({ type: 'PublishPolicy', data: { orgId, version: 2 } })
      .thenTypes(['PolicyPublished']);
    spec
      .given([drafted(1), published(1), drafted(2), published(2, 1)])
      .when({ type: 'PublishPolicy', data: { orgId, version: 1 } })
      .thenError('POLICY_VERSION_RETIRED');
    spec
      .given([])
      .when({ type: 'PublishPolicy', data: { orgId, version: 3 } })
      .thenError('POLICY_VERSION_NOT_FOUND');
  });

  it('refuses policy changes for an org that does not exist or is archived', () => {
    spec
      .given([])
      .when({ type: 'DraftPolicy', data: { orgId, description: '', rules } }, { orgStatus: null })
      .thenError('ORG_NOT_FOUND');
    spec
      .given([])
      .when({ type: 'DraftPolicy', data: { orgId, description: '', rules } }, { orgStatus: 'archived' })
      .thenError('ORG_NOT_ACTIVE');
  });
});
