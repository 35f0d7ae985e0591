import { platformRoles } from '../../domain/shared/platform-roles.ts';
import { knownActions } from '../../commands/known-actions.ts';
import type { PolicyRequest } from '../../domain/policy/types.ts';
import { effectiveRoles } from '../../domain/roster/effective-roles.ts';
import { initialRosterState, type Association, type RosterState } from '../../domain/roster/state.ts';
import { completeCommand } from './command-shapes.ts';
import type { LoadedPolicy, SpecRoster } from './policy-file.ts';
import type { OrgInput, RequestInput } from './request-schema.ts';

/** What a request does not say itself: the instant (a file's default, or the run's clock) and the file's org. */
export interface RequestDefaults {
  now: string;
  org?: OrgInput;
}

export interface RequestIssue {
  /** Path inside the request, e.g. `principal.roles[1]`. */
  path: Array<string | number>;
  message: string;
}

export type BuiltRequest = { ok: true; request: PolicyRequest } | { ok: false; issues: RequestIssue[] };

/**
 * Turns a stated request into the PolicyRequest the platform would build for it (commands/governance/
 * policy-request.ts), refusing what the platform could never decide, since a case about it would pass or fail for
 * nothing: an action it does not govern, roles a platform principal cannot have, roles or job spaces the org spec
 * does not declare.
 *
 * - principal: a subject's roles are its effective roles as given; with an org spec they are the roles it holds, and
 *   inherited roles and groups are added from the spec's roles and groups exactly as the roster computes them. An
 *   admin or system principal has what the platform gives it (the role platform-admin or platform-system, nothing
 *   else).
 * - resource: as the pipeline derives it for a command: type = the command's aggregate (for a read, the action's
 *   first segment), id null, jobSpace = `command.data.jobSpace` when it is a string; attributes {} (the platform
 *   fills none today).
 * - org: the policy file's (an org spec's slug, tags and metadata), then the file's defaults, then the case's.
 * - command: typed and completed as the pipeline would (command-shapes.ts): the action's command type unless given,
 *   its payload checked against that command's schema, with the schema's defaults;
 * - now: the case's, the file's default, or the run's clock.
 */
export function buildRequest(input: RequestInput, policy: LoadedPolicy, defaults: RequestDefaults): BuiltRequest {
  const issues: RequestIssue[] = [];
  const actionProblem = checkAction(input.action);
  if (actionProblem !== null) issues.push({ path: ['action'], message: actionProblem });

  const now = input.now ?? defaults.now;
  const principal = principalOf(input, policy.roster, now, issues);
  const org = { ...policy.org, ...defaults.org, ...input.org };
  const completed = completeCommand(input.action, input.command, org.id);
  if (!completed.ok) issues.push(...completed.issues);
  const command = completed.ok ? completed.command : { type: '', data: {} };
  const jobSpace = input.resource?.jobSpace !== undefined ? input.resource.jobSpace : jobSpaceOf(command.data);
  if (jobSpace !== null && policy.roster !== null && !policy.roster.jobSpaces.has(jobSpace)) {
    issues.push({
      path: input.resource?.jobSpace !== undefined ? ['resource', 'jobSpace'] : ['command', 'data', 'jobSpace'],
      message: `unknown job space '${jobSpace}': ${declared('job spaces', policy.roster.jobSpaces)}`,
    });
  }
  if (issues.length > 0) return { ok: false, issues };

  return {
    ok: true,
    request: {
      principal,
      action: input.action,
      resource: {
        type: input.resource?.type ?? (completed.ok ? completed.resourceType : null) ?? input.action.split('.')[0] ?? input.action,
        id: input.resource?.id ?? null,
        jobSpace,
        attributes: input.resource?.attributes ?? {},
      },
      org,
      command,
      now,
    },
  };
}

function checkAction(action: string): string | null {
  const actions = knownActions();
  if (actions.includes(action)) return null;
  const family = action.split('.')[0] ?? '';
  const related = actions.filter((known) => known.split('.')[0] === family);
  return related.length > 0
    ? `unknown action '${action}' (the ${family} actions are ${related.join(', ')})`
    : `unknown action '${action}': not an action the platform governs (a policy's action patterns are checked against the same list)`;
}

function principalOf(input: RequestInput, roster: SpecRoster | null, now: string, issues: RequestIssue[]): PolicyRequest['principal'] {
  const { id, kind } = input.principal;
  if (kind !== 'subject') {
    const roles = platformRoles[kind];
    for (const field of ['roles', 'groups', 'capabilities'] as const) {
      if (input.principal[field] !== undefined) {
        issues.push({
          path: ['principal', field],
          message: `the platform gives ${kind === 'admin' ? 'an admin' : 'a system'} principal the role ${roles.join(', ')} and no groups or capabilities; leave ${field} out`,
        });
      }
    }
    return { id, kind, roles, groups: [], capabilities: {} };
  }
  const held = input.principal.roles ?? [];
  const capabilities = input.principal.capabilities ?? {};
  if (roster === null) return { id, kind, roles: sortedUnique(held), groups: sortedUnique(input.principal.groups ?? []), capabilities };

  held.forEach((role, index) => {
    if (!roster.roles.has(role))
      issues.push({ path: ['principal', 'roles', index], message: `unknown role '${role}': ${declared('roles', roster.roles.keys())}` });
  });
  if (input.principal.groups !== undefined) {
    issues.push({ path: ['principal', 'groups'], message: "with an org spec, groups come from its 'groups' and the principal's roles; leave groups out" });
  }
  const effective = effectiveRoles(rosterHolding(roster, id, held, now), id, now, null);
  return { id, kind, roles: effective.roles, groups: effective.groups, capabilities };
}

/** The spec's roster with the principal holding `held` org-wide: the input the platform's own effectiveRoles takes. */
function rosterHolding(roster: SpecRoster, subjectId: string, held: readonly string[], now: string): RosterState {
  const associations = new Map<string, Association>();
  held.forEach((role, index) => {
    const associationId = `held-${index}`;
    associations.set(associationId, {
      associationId,
      subjectId,
      role,
      jobSpace: null,
      expiresAt: null,
      parentSubjectId: null,
      grantedBy: { id: 'policy-test', kind: 'system' },
      grantedAt: now,
      applicationId: null,
      status: 'active',
    });
  });
  return { ...initialRosterState, roles: roster.roles, groups: roster.groups, associations };
}

function jobSpaceOf(data: unknown): string | null {
  if (typeof data !== 'object' || data === null || !('jobSpace' in data)) return null;
  return typeof data.jobSpace === 'string' ? data.jobSpace : null;
}

function declared(what: string, names: Iterable<string>): string {
  const list = [...names].sort();
  return list.length === 0 ? `the org spec declares no ${what}` : `the org spec declares ${list.join(', ')}`;
}

function sortedUnique(names: readonly string[]): string[] {
  return [...new Set(names)].sort();
}
