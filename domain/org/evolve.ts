import type { OrgEvent } from './events.ts';
import type { OrgState } from './state.ts';

export function evolveOrg(state: OrgState, event: OrgEvent): OrgState {
  if (event.type === 'OrgRegistered') {
    return { ...event.data, status: 'active', statusReason: null };
  }
  if (state === null) return state;
  switch (event.type) {
    case 'OrgMetadataUpdated':
      return { ...state, ...event.data.changes };
    case 'OrgSuspended':
      return { ...state, status: 'suspended', statusReason: event.data.reason };
    case 'OrgReactivated':
      return { ...state, status: 'active', statusReason: null };
    case 'OrgArchived':
      return { ...state, status: 'archived', statusReason: event.data.reason };
  }
}
