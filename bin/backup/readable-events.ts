import type { EventRegistry } from '../../domain/events/registry.ts';

export interface UnreadableType {
  type: string;
  /** The newest version of the type in the backup. */
  stored: number;
  /** The newest this code reads; null when it does not know the type at all. */
  supported: number | null;
}

/**
 * The event types of a log this code could not read: unknown types, or versions newer than it upcasts from (a backup
 * of a later AgencyGrid restored by an earlier one). Every reader of such an event would stop on it, so a restore
 * that knows it up front refuses. `$`-prefixed types are the store's own and never read as events.
 */
export function unreadableEventTypes(eventTypes: Readonly<Record<string, number>>, registry: EventRegistry): UnreadableType[] {
  return Object.entries(eventTypes)
    .filter(([type]) => !type.startsWith('$'))
    .flatMap(([type, stored]) => {
      const supported = registry.currentVersion(type) ?? null;
      return supported === null || stored > supported ? [{ type, stored, supported }] : [];
    })
    .sort((a, b) => a.type.localeCompare(b.type));
}
