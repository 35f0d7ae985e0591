import type { Decider } from '../shared/decider.ts';
import type { OrgCommand } from './commands.ts';
import { decideOrg, type OrgDecisionContext } from './decide.ts';
import type { OrgEvent } from './events.ts';
import { evolveOrg } from './evolve.ts';
import { initialOrgState, type OrgState } from './state.ts';

export const orgDecider: Decider<OrgCommand, OrgState, OrgEvent, OrgDecisionContext> = {
  initialState: initialOrgState,
  evolve: evolveOrg,
  decide: decideOrg,
};

export const orgStream = (orgId: string) => `org-${orgId}`;
