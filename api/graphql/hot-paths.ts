import { z } from 'zod';
import { effectiveRoles } from '../../domain/roster/effective-roles.ts';
import { assignmentTypeSchema, capabilityRequirementSchema } from '../../domain/roster/fields.ts';
import type { Association, RosterState } from '../../domain/roster/state.ts';
import type { RoleDefinition, GroupDefinition } from '../../domain/roster/fields.ts';
import { principalSchema } from '../../domain/shared/principal.ts';
import type { Cache } from '../../infra/cache/port.ts';
import type { DocumentStore, JsonDocument } from '../../infra/documents/port.ts';
import { cacheKeys } from '../../projections/read-models/cache-keys.ts';
import { ORGS } from '../../projections/read-models/orgs.ts';
import { ASSOCIATIONS, GROUPS } from '../../projections/read-models/roster.ts';
import type { ProjectionRunner } from '../../projections/runner.ts';
import { loadAll, roleKey, type Loaders } from './batch.ts';
import { findAll } from './connection.ts';

/**
 * The read side's two hot paths, read through the platform's Cache (Redis or in-process) and never trusting it:
 * a miss, an unreachable cache or an entry that fails its schema all fall back to the read models.
 *
 * - org by slug: `org-by-slug:<slug>` -> org id. The cache-invalidation projection writes it when an org is
 *   registered; a miss here fills it from the orgs read model. A slug never changes hands once registered, so the
 *   entry needs no invalidation.
 * - effective roles: `effective-roles:<orgId>:<subjectId>:<jobSpace|*>` -> `{position, roles, groups}`, computed
 *   from the associations, roles and groups read models with the domain's own rules (domain/roster/effective-roles.ts)
 *   and stamped with the roster read model position it reflects. The cache-invalidation projection deletes an org's
 *   entries on every roster change. Projections run independently, so a fill could race an invalidation (computed
 *   from a read model that had not yet applied an event whose invalidation already ran): a fill is kept only if the
 *   invalidation projection had not moved past the roster position the computation started from, otherwise it is
 *   deleted again. Entries also expire (60 s, or earlier when an association in them expires by time).
 *   A hit is served only once the invalidation projection has passed the last roster event the roster read model
 *   applied: until then (it waits out a cache outage, or has stopped) an entry written before that change may not
 *   have been deleted yet, so the answer comes from the read model. Then a value changed during a Redis outage is
 *   never served stale after it, while other events (not roster changes) never keep the cache from being used.
 */

const EFFECTIVE_ROLES_TTL_MS = 60_000;
const ROSTER_PROJECTION = 'roster';
const INVALIDATION_PROJECTION = 'cache-invalidation';

const cachedEffectiveRoles = z.object({
  v: z.literal(1),
  position: z.string().regex(/^\d{1,20}$/),
  roles: z.array(z.string()),
  groups: z.array(z.string()),
});

export interface EffectiveRolesView {
  orgId: string;
  subjectId: string;
  jobSpace: string | null;
  roles: string[];
  groups: string[];
  position: string;
  source: 'CACHE' | 'READ_MODEL';
}

export interface HotPathDeps {
  docs: DocumentStore;
  cache: Cache;
  projections: Pick<ProjectionRunner, 'status' | 'position'>;
}

export async function orgIdBySlug(deps: HotPathDeps, slug: string): Promise<string | null> {
  const key = cacheKeys.orgBySlug(slug);
  const cached = await deps.cache.get(key).catch(() => null);
  if (cached !== null && z.uuid().safeParse(cached).success) return cached;
  const page = await deps.docs.find(ORGS, { filter: { field: 'slug', op: 'eq', value: slug }, limit: 1 });
  const org = page.items[0];
  if (!org) return null;
  await deps.cache.set(key, org._id).catch(() => undefined);
  return org._id;
}

const roleDocument = z.object({
  name: z.string(),
  description: z.string().default(''),
  permissions: z.array(z.string()).default([]),
  minHolders: z.number().default(0),
  maxHolders: z.number().nullable().default(null),
  assignmentType: assignmentTypeSchema.default('fixed'),
  requiredCapabilities: z.array(capabilityRequirementSchema).default([]),
  inherits: z.array(z.string()).default([]),
});
const groupDocument = z.object({
  name: z.string(),
  description: z.string().default(''),
  parent: z.string().nullable().default(null),
  roles: z.array(z.string()).default([]),
});
const associationDocument = z.object({
  associationId: z.string(),
  subjectId: z.string(),
  role: z.string(),
  jobSpace: z.string().nullable().default(null),
  expiresAt: z.string().nullable().default(null),
  parentSubjectId: z.string().nullable().default(null),
  grantedBy: principalSchema,
  grantedAt: z.string(),
  applicationId: z.string().nullable().default(null),
  status: z.enum(['active', 'revoked', 'expired']),
});

/** Effective roles of a subject in an org now, from the cache when it holds an entry at least `minPosition` fresh. */
export async function effectiveRolesOf(
  deps: HotPathDeps,
  loaders: Loaders,
  request: { orgId: string; subjectId: string; jobSpace: string | null; now: string; minPosition: bigint },
): Promise<EffectiveRolesView> {
  const { orgId, subjectId, jobSpace, now } = request;
  const key = cacheKeys.effectiveRoles(orgId, subjectId, jobSpace);
  const before = await positions(deps);
  const invalidated = before.rosterChanged !== undefined && before.invalidation !== undefined && before.invalidation >= before.rosterChanged;
  const hit = invalidated ? await deps.cache.getJson(key, cachedEffectiveRoles).catch(() => null) : null;
  if (hit && BigInt(hit.position) >= request.minPosition) {
    return { orgId, subjectId, jobSpace, roles: hit.roles, groups: hit.groups, position: hit.position, source: 'CACHE' };
  }

  const computed = await computeFromReadModels(deps.docs, loaders, request);
  const position = before.roster ?? deps.projections.position;
  const view: EffectiveRolesView = {
    orgId,
    subjectId,
    jobSpace,
    roles: computed.roles,
    groups: computed.groups,
    position: position.toString(),
    source: 'READ_MODEL',
  };
  if (before.roster !== undefined && before.invalidation !== undefined) {
    await fill(deps, key, view, computed.earliestExpiry, now, before.roster);
  }
  return view;
}

async function fill(
  deps: HotPathDeps,
  key: string,
  view: EffectiveRolesView,
  earliestExpiry: number | null,
  now: string,
  rosterPosition: bigint,
): Promise<void> {
  const untilExpiry = earliestExpiry === null ? EFFECTIVE_ROLES_TTL_MS : earliestExpiry - Date.parse(now);
  const ttlMs = Math.floor(Math.min(EFFECTIVE_ROLES_TTL_MS, untilExpiry));
  if (ttlMs < 1) return;
  try {
    await deps.cache.setJson(key, { v: 1, position: view.position, roles: view.roles, groups: view.groups }, { ttlMs });
    const after = await positions(deps);
    // An invalidation of a roster change newer than the computation may have preceded this write: do not keep it.
    // Only invalidations count, not the invalidation projection's position: under steady unrelated traffic that
    // position is always past the computation, and the cache would never keep an entry.
    if (after.invalidationApplied === undefined || after.invalidationApplied > rosterPosition) await deps.cache.delete(key);
  } catch {
    // The cache is an optimisation: a failure to fill it changes nothing for this answer.
  }
}

async function positions(
  deps: HotPathDeps,
): Promise<{ roster: bigint | undefined; rosterChanged: bigint | undefined; invalidation: bigint | undefined; invalidationApplied: bigint | undefined }> {
  const status = await deps.projections.status();
  const of = (name: string) => {
    const entry = status.find((projection) => projection.name === name);
    return entry && entry.state !== 'failed' ? entry : undefined;
  };
  const roster = of(ROSTER_PROJECTION);
  const invalidation = of(INVALIDATION_PROJECTION);
  return {
    roster: roster && BigInt(roster.position),
    rosterChanged: roster && BigInt(roster.lastApplied),
    invalidation: invalidation && BigInt(invalidation.position),
    invalidationApplied: invalidation && BigInt(invalidation.lastApplied),
  };
}

async function computeFromReadModels(
  docs: DocumentStore,
  loaders: Loaders,
  request: { orgId: string; subjectId: string; jobSpace: string | null; now: string },
): Promise<{ roles: string[]; groups: string[]; earliestExpiry: number | null }> {
  const { orgId, subjectId, jobSpace, now } = request;
  const [associationDocs, groupDocs] = await Promise.all([
    findAll(
      docs,
      ASSOCIATIONS,
      {
        and: [
          { field: 'orgId', op: 'eq', value: orgId },
          { field: 'subjectId', op: 'eq', value: subjectId },
          { field: 'status', op: 'eq', value: 'active' },
        ],
      },
      [],
    ),
    findAll(docs, GROUPS, { field: 'orgId', op: 'eq', value: orgId }, []),
  ]);
  const associations = new Map<string, Association>();
  for (const document of associationDocs) {
    const parsed = associationDocument.safeParse(document);
    if (parsed.success) associations.set(parsed.data.associationId, parsed.data);
  }

  // Role definitions reachable through inheritance, level by level, through the request's batched role loader.
  const roles = new Map<string, RoleDefinition>();
  let wanted = [...new Set([...associations.values()].map((association) => association.role))];
  while (wanted.length > 0) {
    const loaded = await loadAll(
      loaders.roles,
      wanted.map((name) => roleKey(orgId, name)),
    );
    const next = new Set<string>();
    for (const document of loaded) {
      const role = parseRole(document);
      if (!role || roles.has(role.name)) continue;
      roles.set(role.name, role);
      for (const inherited of role.inherits) if (!roles.has(inherited)) next.add(inherited);
    }
    wanted = [...next].filter((name) => !roles.has(name));
  }

  const groups = new Map<string, GroupDefinition>();
  for (const document of groupDocs) {
    const parsed = groupDocument.safeParse(document);
    if (parsed.success) groups.set(parsed.data.name, parsed.data);
  }

  const state: RosterState = { roles, groups, conflicts: new Map(), jobSpaces: new Map(), associations, applications: new Map() };
  const effective = effectiveRoles(state, subjectId, now, jobSpace);
  const expiries = [...associations.values()]
    .map((association) => (association.expiresAt === null ? Number.NaN : Date.parse(association.expiresAt)))
    .filter((instant) => Number.isFinite(instant) && instant > Date.parse(now));
  return { roles: effective.roles, groups: effective.groups, earliestExpiry: expiries.length > 0 ? Math.min(...expiries) : null };
}

function parseRole(document: JsonDocument | undefined): RoleDefinition | undefined {
  if (!document) return undefined;
  const parsed = roleDocument.safeParse(document);
  return parsed.success ? parsed.data : undefined;
}
