import type { Capability, SubjectState } from './state.ts';

/** The capability declared under `name`, or null; safe for any name (own properties only). */
export function declaredCapability(state: SubjectState, name: string): Capability | null {
  if (state === null || !Object.hasOwn(state.capabilities, name)) return null;
  return state.capabilities[name] ?? null;
}

/**
 * Every declared capability, verified or not: name -> level. An unregistered subject has none. The result is a
 * plain object (so CEL can read it); test membership with `Object.hasOwn`, not with a bare index.
 */
export function subjectCapabilities(state: SubjectState): Record<string, number> {
  if (state === null) return {};
  return Object.fromEntries(Object.entries(state.capabilities).map(([name, capability]) => [name, capability.level]));
}

/** Only the capabilities whose declared level is verified: name -> level. */
export function verifiedCapabilities(state: SubjectState): Record<string, number> {
  if (state === null) return {};
  return Object.fromEntries(
    Object.entries(state.capabilities)
      .filter(([, capability]) => capability.verified !== null)
      .map(([name, capability]) => [name, capability.level]),
  );
}
