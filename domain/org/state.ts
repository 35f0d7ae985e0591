import type { Principal } from '../shared/principal.ts';

export type OrgStatus = 'active' | 'suspended' | 'archived';

export interface Org {
  orgId: string;
  status: OrgStatus;
  name: string;
  slug: string;
  description: string;
  tags: string[];
  metadata: Record<string, string>;
  parentOrgId: string | null;
  owner: Principal;
  /** Why the org is suspended or archived; null while active. */
  statusReason: string | null;
}

/** `null` until the org is registered. */
export type OrgState = Org | null;

export const initialOrgState: OrgState = null;
