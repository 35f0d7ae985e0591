import { orgDecider } from '../../domain/org/decider.ts';
import type { OrgDecisionContext } from '../../domain/org/decide.ts';
import type { OrgEvent } from '../../domain/org/events.ts';
import { deciderSpec } from './decider-spec.ts';

export const orgId = '11111111-1111-4111-8111-111111111111';
export const owner = { id: 'admin:a', kind: 'admin' } as const;
export const orgContext: OrgDecisionContext = { now: '2026-11-27T10:00:00.000Z', principal: owner, commandId: 'cmd-00000001' };
export const orgSpec = deciderSpec(orgDecider, orgContext);

export function orgRegistered(overrides: Partial<Extract<OrgEvent, { type: 'OrgRegistered' }>['data']> = {}): OrgEvent {
  return {
    type: 'OrgRegistered',
    data: { orgId, name: 'Lab', slug: 'lab', description: '', tags: [], metadata: {}, parentOrgId: null, owner, ...overrides },
  };
}
