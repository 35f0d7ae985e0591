import { expect } from 'vitest';
import { createEventRegistry } from '../../domain/events/catalog.ts';
import type { EventDefinition } from '../../domain/events/registry.ts';

/** `definitions` define exactly `types`, in that order, each at schema version 1 and in the platform's catalog. */
export function expectRegisteredAtVersion1(definitions: readonly EventDefinition[], types: readonly string[]): void {
  const registry = createEventRegistry();
  for (const definition of definitions) {
    expect(registry.has(definition.type), definition.type).toBe(true);
    expect(definition.schemaVersion, definition.type).toBe(1);
  }
  expect(definitions.map((definition) => definition.type)).toEqual(types);
}
