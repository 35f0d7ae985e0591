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

/**
 * The capabilities verified in the name of `orgId`: name -> level. A verification counts only in the org that made
 * it, so this is what an org's roster may rely on.
 */
export function verifiedCapabilities(state: SubjectState, orgId: string): Record<string, number> {
  if (state === null) return {};
  return Object.fromEntries(
    Object.entries(state.capabilities)
      .filter(([, capability]) => Object.hasOwn(capability.verifiedIn, orgId))
      .map(([name, capability]) => [name, capability.level]),
  );
}
