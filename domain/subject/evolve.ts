import type { SubjectEvent } from './events.ts';
import type { Capability, SubjectState } from './state.ts';

export function evolveSubject(state: SubjectState, event: SubjectEvent): SubjectState {
  if (event.type === 'SubjectRegistered') {
    const { capabilities, ...subject } = event.data;
    return {
      ...subject,
      status: 'active',
      statusReason: null,
      capabilities: Object.fromEntries(
        capabilities.map(({ name, level, evidence }): [string, Capability] => [name, { level, evidence, verified: null, verifiedIn: {} }]),
      ),
    };
  }
  if (state === null) return state;
  switch (event.type) {
    case 'SubjectProfileUpdated':
      return { ...state, ...event.data.changes };
    case 'CapabilityDeclared': {
      const { name, level, evidence } = event.data;
      return { ...state, capabilities: { ...state.capabilities, [name]: { level, evidence, verified: null, verifiedIn: {} } } };
    }
    case 'CapabilityWithdrawn':
      return {
        ...state,
        capabilities: Object.fromEntries(Object.entries(state.capabilities).filter(([name]) => name !== event.data.name)),
      };
    case 'CapabilityVerified': {
      const { name, verifiedBy, orgId, verifiedAt } = event.data;
      if (!Object.hasOwn(state.capabilities, name)) return state;
      const capability = state.capabilities[name];
      if (capability === undefined) return state;
      const verification = { by: verifiedBy.id, orgId, at: verifiedAt };
      return {
        ...state,
        capabilities: {
          ...state.capabilities,
          [name]: { ...capability, verified: verification, verifiedIn: { ...capability.verifiedIn, [orgId]: verification } },
        },
      };
    }
    case 'SubjectSuspended':
      return { ...state, status: 'suspended', statusReason: event.data.reason };
    case 'SubjectReinstated':
      return { ...state, status: 'active', statusReason: null };
  }
}
