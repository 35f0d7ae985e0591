import { isActive, type Association, type RosterState } from './state.ts';

export interface EffectiveRoles {
  /** Held roles plus every role they inherit, transitively; sorted. */
  roles: string[];
  /** Groups any effective role belongs to, plus their ancestors; sorted. */
  groups: string[];
  /** The associations that grant the held roles. */
  associations: Association[];
}

/** Counts associations of every job space: for questions about the org as a whole, such as "is this a member?". */
export const ANY_JOB_SPACE = Symbol('any job space');

/**
 * What a subject effectively is in an org at an instant. An association limited to a job space counts only for
 * requests in that job space (or for ANY_JOB_SPACE); an org-wide one counts everywhere. Expired ones never count.
 */
export function effectiveRoles(state: RosterState, subjectId: string, now: string, jobSpace: string | null | typeof ANY_JOB_SPACE = null): EffectiveRoles {
  const associations = [...state.associations.values()].filter(
    (association) =>
      association.subjectId === subjectId &&
      isActive(association, now) &&
      (association.jobSpace === null || jobSpace === ANY_JOB_SPACE || association.jobSpace === jobSpace),
  );
  const roles = new Set<string>();
  const visit = (role: string) => {
    if (roles.has(role)) return;
    roles.add(role);
    for (const inherited of state.roles.get(role)?.inherits ?? []) visit(inherited);
  };
  for (const association of associations) visit(association.role);

  const groups = new Set<string>();
  for (const group of state.groups.values()) {
    if (!group.roles.some((role) => roles.has(role))) continue;
    for (let current: string | null = group.name; current !== null && !groups.has(current); current = state.groups.get(current)?.parent ?? null) {
      groups.add(current);
    }
  }
  return { roles: [...roles].sort(), groups: [...groups].sort(), associations };
}

/** Roles a subject holds directly (any job space), active at `now`. */
export function heldRoles(state: RosterState, subjectId: string, now: string): Set<string> {
  const held = new Set<string>();
  for (const association of state.associations.values()) {
    if (association.subjectId === subjectId && isActive(association, now)) held.add(association.role);
  }
  return held;
}

/** Distinct subjects holding `role` at `now` (in any job space). */
export function holdersOf(state: RosterState, role: string, now: string): Set<string> {
  const holders = new Set<string>();
  for (const association of state.associations.values()) {
    if (association.role === role && isActive(association, now)) holders.add(association.subjectId);
  }
  return holders;
}
