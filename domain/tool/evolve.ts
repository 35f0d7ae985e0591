import type { ToolEvent } from './events.ts';
import type { ToolState } from './state.ts';

export function evolveTool(state: ToolState, event: ToolEvent): ToolState {
  switch (event.type) {
    case 'ToolRegistered': {
      const { toolId, orgId, name, version, spec, registeredBy, registeredAt } = event.data;
      return {
        toolId,
        orgId,
        name,
        status: 'active',
        version,
        spec,
        versions: { ...state?.versions, [version]: spec },
        registeredBy,
        registeredAt,
        updatedAt: registeredAt,
      };
    }
    case 'ToolUpdated': {
      if (state === null) return state;
      const { version, spec, updatedAt } = event.data;
      return { ...state, version, spec, versions: { ...state.versions, [version]: spec }, updatedAt };
    }
    case 'ToolRetired':
      return state === null ? state : { ...state, status: 'retired', updatedAt: event.data.retiredAt };
  }
}
