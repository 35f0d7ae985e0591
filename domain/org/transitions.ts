import type { OrgCommandType } from './commands.ts';
import type { OrgStatus } from './state.ts';

/** The org lifecycle. Anything not listed is an illegal transition; `archived` is final. */
export const orgTransitions: Readonly<Record<OrgStatus, Partial<Record<OrgCommandType, OrgStatus>>>> = {
  active: { UpdateOrgMetadata: 'active', SuspendOrg: 'suspended', ArchiveOrg: 'archived' },
  suspended: { UpdateOrgMetadata: 'suspended', ReactivateOrg: 'active', ArchiveOrg: 'archived' },
  archived: {},
};
