import { isAppError } from '../../domain/shared/app-error.ts';
import type { Principal as PrincipalValue } from '../../domain/shared/principal.ts';
import type { Filter, JsonDocument, SortField } from '../../infra/documents/port.ts';
import type { AssignmentDocument } from '../../projections/read-models/assignments.ts';
import { BIDS, type BidDocument } from '../../projections/read-models/bids.ts';
import { CONTRACTS, type ContractDocument } from '../../projections/read-models/contracts.ts';
import { DECISIONS, type DecisionDocument } from '../../projections/read-models/decisions.ts';
import { ESCALATIONS, type EscalationDocument } from '../../projections/read-models/escalations.ts';
import { JOBS, type JobDocument } from '../../projections/read-models/jobs.ts';
import { WORKLOADS, type WorkloadDocument } from '../../projections/read-models/workloads.ts';
import { ORGS, type OrgDocument } from '../../projections/read-models/orgs.ts';
import { POLICY_VERSIONS, type PolicyVersionDocument } from '../../projections/read-models/policies.ts';
import {
  APPLICATIONS,
  ASSOCIATIONS,
  GROUPS,
  JOB_SPACES,
  ROLE_CONFLICTS,
  ROLES,
  scopedId,
  type ApplicationDocument,
  type AssociationDocument,
  type GroupDocument,
  type JobSpaceDocument,
  type RoleConflictDocument,
  type RoleDocument,
} from '../../projections/read-models/roster.ts';
import type { Stored } from '../../projections/read-models/stored.ts';
import { SUBJECTS, type SubjectDocument } from '../../projections/read-models/subjects.ts';
import { TASKS, type TaskDocument } from '../../projections/read-models/tasks.ts';
import type { OrgReadAction } from '../read-access.ts';
import { loadAll, roleKey } from './batch.ts';
import { findAll, findConnection, type Connection } from './connection.ts';
import { awaitPosition, type GraphqlContext } from './context.ts';
import { gqlError } from './errors.ts';
import {
  ASSOCIATION_ORDERS,
  BID_ORDER,
  CONTRACT_ORDERS,
  DECISION_ORDERS,
  ESCALATION_ORDERS,
  TASK_ORDERS,
  bidFilter,
  contractFilter,
  escalationFilter,
  fieldOf,
  taskFilter,
  JOB_ORDERS,
  ORG_ORDERS,
  SUBJECT_ORDERS,
  allOf,
  applicationFilter,
  associationFilter,
  decisionFilter,
  idArg,
  jobFilter,
  nameArg,
  order,
  orgFilter,
  pageArgs,
  policyVersionFilter,
  roleFilter,
  slugArg,
  subjectFilter,
  toEnum,
} from './filters.ts';
import { effectiveRolesOf, orgIdBySlug, type EffectiveRolesView } from './hot-paths.ts';
import { orgNotFound } from '../../domain/org/not-found.ts';
import { associationInForce, orgFamilyAccess, orgListScope, subjectListScope, workListAccess } from '../list-scope.ts';
import type { JsonValue } from '../../domain/shared/json-value.ts';

type Args = Readonly<Record<string, unknown>>;
type Doc = JsonDocument;
type FieldResolver<Source> = (source: Source, args: Args, context: GraphqlContext) => unknown;
/** A GraphQL type's resolvers over its source: a read model's document (typed as its projection writes it) or a part of one. */
type TypeResolvers<Source> = Record<string, FieldResolver<Source>>;

// ---------------------------------------------------------------------------------------------------------------
// Reading documents
// ---------------------------------------------------------------------------------------------------------------

/** A string field as a GraphQL enum value. */
const enumOf =
  <Field extends string>(field: Field) =>
  (document: Readonly<Record<Field, string>>) =>
    toEnum(document[field]);

/** A string field that may be null, as a GraphQL enum value or null. */
const optionalEnumOf =
  <Field extends string>(field: Field) =>
  (document: Readonly<Record<Field, string | null>>) => {
    const value = document[field];
    return value === null ? null : toEnum(value);
  };

const position = (document: Stored<object>) => document._position;

/** The document's own id field (its `_id` when it has none). */
const ownId =
  <Field extends string>(field: Field) =>
  (document: Stored<Readonly<Record<Field, string | null | undefined>>>) =>
    document[field] ?? document._id;

const orgField = fieldOf<OrgDocument>();
const roleField = fieldOf<RoleDocument>();
const groupField = fieldOf<GroupDocument>();
const jobSpaceField = fieldOf<JobSpaceDocument>();
const roleConflictField = fieldOf<RoleConflictDocument>();
const associationField = fieldOf<AssociationDocument>();
const applicationField = fieldOf<ApplicationDocument>();
const policyVersionField = fieldOf<PolicyVersionDocument>();
const taskField = fieldOf<TaskDocument>();
const workloadField = fieldOf<WorkloadDocument>();

const byOrg = (orgId: string): Filter => ({ field: 'orgId', op: 'eq', value: orgId });

// ---------------------------------------------------------------------------------------------------------------
// Scoping
// ---------------------------------------------------------------------------------------------------------------

/** A family of an org's data: the principal must be allowed the action (else the field is null with the error). */
async function requireOrg(context: GraphqlContext, orgId: string, action: OrgReadAction): Promise<void> {
  await context.access.requireOrg(orgId, action);
}

/** For root queries naming an org: also ORG_NOT_FOUND (for those allowed to learn it does not exist), as REST. */
async function requireExistingOrg(context: GraphqlContext, orgId: string, action: OrgReadAction): Promise<void> {
  const decided = await orgFamilyAccess(context.access, orgId, action);
  if (isAppError(decided)) throw gqlError(decided);
}

/** Another org reached through a relation: null with POLICY_DENIED when it may not be read. */
async function orgRelation(context: GraphqlContext, orgId: string | null): Promise<Doc | null> {
  if (orgId === null) return null;
  const [document, decided] = await Promise.all([context.loaders.orgs.load(orgId), context.access.org(orgId, 'org.read')]);
  if (isAppError(decided)) throw gqlError(decided);
  return document ?? null;
}

/** A subject reached through a relation: `subject.read` (admins, the subject itself). The load is batched. */
async function subjectRelation(context: GraphqlContext, subjectId: string | null): Promise<Doc | null> {
  if (subjectId === null) return null;
  const [document, decided] = await Promise.all([context.loaders.subjects.load(subjectId), context.access.subject(subjectId)]);
  if (isAppError(decided)) throw gqlError(decided);
  return document ?? null;
}

// ---------------------------------------------------------------------------------------------------------------
// Lists
// ---------------------------------------------------------------------------------------------------------------

async function orgConnection(context: GraphqlContext, base: Filter | null, args: Args): Promise<Connection> {
  const scope = await orgListScope(context.platform.docs, context.access);
  if (isAppError(scope)) throw gqlError(scope);
  const connection = await findConnection(context.platform.docs, {
    collection: ORGS,
    filter: allOf(base, scope.filter, orgFilter(args.filter)),
    sort: order(ORG_ORDERS, args.orderBy, 'SLUG_ASC'),
    ...pageArgs(args),
    admit: scope.admit,
  });
  for (const edge of connection.edges) context.loaders.orgs.prime(edge.node._id, edge.node);
  return connection;
}

/**
 * Associations under `base`, with the filter's `active` decided per document at the request's instant; across orgs
 * (`acrossOrgs`), each association's org must let the principal read its roster (the others are left out).
 */
async function associationConnection(
  context: GraphqlContext,
  base: Filter,
  args: Args,
  options: { acrossOrgs?: boolean; active?: boolean } = {},
): Promise<Connection> {
  const { filter, active: filterActive } = associationFilter(args.filter);
  const active = filterActive ?? options.active;
  const needsAdmit = active !== undefined || options.acrossOrgs === true;
  return findConnection(context.platform.docs, {
    collection: ASSOCIATIONS,
    filter: allOf(base, active === true ? { field: associationField('status'), op: 'eq', value: 'active' } : null, filter),
    sort: order(ASSOCIATION_ORDERS, args.orderBy, 'GRANTED_AT_ASC'),
    ...pageArgs(args),
    ...(needsAdmit
      ? {
          admit: async (document: Doc) => {
            if (active !== undefined && associationInForce(document, context.now) !== active) return false;
            return options.acrossOrgs ? context.access.canOrg(typeof document.orgId === 'string' ? document.orgId : '', 'roster.read') : true;
          },
        }
      : {}),
  });
}

async function orgFamily(
  context: GraphqlContext,
  orgId: string,
  action: OrgReadAction,
  collection: string,
  filter: Filter | null,
  sortField: string,
  args: Args,
): Promise<Connection> {
  await requireOrg(context, orgId, action);
  return scopedConnection(context, collection, byOrg(orgId), filter, [{ field: sortField, direction: 'asc' }], args);
}

/** A page of `collection` within `scope` (an org, a job), with the query's own filter AND-ed. */
async function scopedConnection(
  context: GraphqlContext,
  collection: string,
  scope: Filter,
  filter: Filter | null,
  sort: readonly SortField[],
  args: Args,
): Promise<Connection> {
  return findConnection(context.platform.docs, { collection, filter: allOf(scope, filter), sort, ...pageArgs(args) });
}

const decisionConnection = (context: GraphqlContext, orgId: string, args: Args) =>
  scopedConnection(context, DECISIONS, byOrg(orgId), decisionFilter(args.filter), order(DECISION_ORDERS, args.orderBy, 'NEWEST_FIRST'), args);
const jobConnection = (context: GraphqlContext, orgId: string, args: Args) =>
  scopedConnection(context, JOBS, byOrg(orgId), jobFilter(args.filter), order(JOB_ORDERS, args.orderBy, 'NEWEST_FIRST'), args);

/** Free JSON a read model keeps as JSON text (its keys are user input). */
function storedJson(stored: string | null): JsonValue {
  return stored === null ? null : (JSON.parse(stored) as JsonValue);
}

// ---------------------------------------------------------------------------------------------------------------
// Work: contracts, tasks, assignments, bids, escalations (all `job.read`)
// ---------------------------------------------------------------------------------------------------------------

/**
 * A root read of an org's work, decided as its REST route decides it: `job.read` with the read's name (`ReadContract`,
 * `ReadTasks`, `ReadAssignment`, `ReadEscalations`, ...) and its ids as `command.data`; ORG_NOT_FOUND for those
 * allowed to learn the org does not exist.
 */
async function requireWorkRead(context: GraphqlContext, orgId: string, type: string, data: Record<string, unknown> = {}): Promise<void> {
  const decided = await workListAccess(context.access, orgId, type, data);
  if (isAppError(decided)) throw gqlError(decided);
}

/** A document of the org: another org's is as absent as one that does not exist. */
const ofOrg = (document: Doc | undefined, orgId: string): Doc | null => (document !== undefined && document.orgId === orgId ? document : null);

/**
 * A work document reached from another of the same org (a job's contract, a task's job): the org's `job.read`
 * family decision (remembered for the request), then the batched load.
 */
async function workRelation(context: GraphqlContext, orgId: string, id: string | null, loader: 'jobs' | 'contracts' | 'assignments'): Promise<Doc | null> {
  if (id === null || orgId === '') return null;
  await requireOrg(context, orgId, 'job.read');
  return ofOrg(await context.loaders[loader].load(id), orgId);
}

const byJob = (orgId: string, jobId: string): Filter => ({ and: [byOrg(orgId), { field: 'jobId', op: 'eq', value: jobId }] });

const contractConnection = (context: GraphqlContext, base: Filter, args: Args) =>
  scopedConnection(context, CONTRACTS, base, contractFilter(args.filter), order(CONTRACT_ORDERS, args.orderBy, 'NEWEST_FIRST'), args);
const taskConnection = (context: GraphqlContext, base: Filter, args: Args) =>
  scopedConnection(context, TASKS, base, taskFilter(args.filter), order(TASK_ORDERS, args.orderBy, 'NEWEST_FIRST'), args);
const bidConnection = (context: GraphqlContext, orgId: string, jobId: string, args: Args) =>
  scopedConnection(context, BIDS, byJob(orgId, jobId), bidFilter(args.filter), BID_ORDER, args);
const escalationConnection = (context: GraphqlContext, base: Filter, args: Args) =>
  scopedConnection(context, ESCALATIONS, base, escalationFilter(args.filter), order(ESCALATION_ORDERS, args.orderBy, 'NEWEST_FIRST'), args);

async function effectiveRoles(context: GraphqlContext, orgId: string, args: Args): Promise<EffectiveRolesView> {
  const subjectId = idArg(args.subjectId, 'subjectId');
  const jobSpace = nameArg(args.jobSpace, 'jobSpace');
  const decided = await context.access.effectiveRoles(orgId, subjectId, jobSpace);
  if (isAppError(decided)) throw gqlError(decided);
  if (decided.org === null) throw gqlError(orgNotFound(orgId));
  return effectiveRolesOf(context.platform, context.loaders, { orgId, subjectId, jobSpace, now: context.now, minPosition: context.minPosition });
}

// ---------------------------------------------------------------------------------------------------------------
// Resolvers
// ---------------------------------------------------------------------------------------------------------------

/** Every root field first waits for the position the request asked for (read-your-writes). */
function root(resolve: (args: Args, context: GraphqlContext) => Promise<unknown>): FieldResolver<unknown> {
  return async (_source, args, context) => {
    await awaitPosition(context, args.minPosition);
    return resolve(args, context);
  };
}

/** A root field reading one document of an org's work by its id (`idName`), decided as its REST read is (`read`). */
function workDocument(idName: string, read: string, load: (context: GraphqlContext, id: string) => Promise<Doc | undefined>): FieldResolver<unknown> {
  return root(async (args, context) => {
    const orgId = idArg(args.orgId, 'orgId');
    const id = idArg(args[idName], idName);
    await requireWorkRead(context, orgId, read, { [idName]: id });
    return ofOrg(await load(context, id), orgId);
  });
}

/** A root field listing an org's work (a connection of the org's documents), decided as its REST list is (`read`). */
function workList(read: string, connection: (context: GraphqlContext, base: Filter, args: Args) => Promise<unknown>): FieldResolver<unknown> {
  return root(async (args, context) => {
    const orgId = idArg(args.orgId, 'orgId');
    await requireWorkRead(context, orgId, read);
    return connection(context, byOrg(orgId), args);
  });
}

const Query: TypeResolvers<unknown> = {
  org: root(async (args, context) => {
    const orgId = idArg(args.id, 'id');
    await context.access.requireOrg(orgId, 'org.read');
    return (await context.loaders.orgs.load(orgId)) ?? null;
  }),
  orgBySlug: root(async (args, context) => {
    const orgId = await orgIdBySlug(context.platform, slugArg(args.slug));
    if (orgId === null) return null;
    // A slug of an org the caller may not see answers as a slug no org holds: null, no error.
    const decided = await context.access.org(orgId, 'org.read');
    if (isAppError(decided)) {
      if (decided.audience?.kind === 'outsider') return null;
      throw gqlError(decided);
    }
    return (await context.loaders.orgs.load(orgId)) ?? null;
  }),
  orgs: root((args, context) => orgConnection(context, null, args)),
  subject: root(async (args, context) => subjectRelation(context, idArg(args.id, 'id'))),
  subjects: root(async (args, context) => {
    const scope = subjectListScope(context.access);
    if (isAppError(scope)) throw gqlError(scope);
    const connection = await findConnection(context.platform.docs, {
      collection: SUBJECTS,
      filter: allOf(scope.filter, subjectFilter(args.filter)),
      sort: order(SUBJECT_ORDERS, args.orderBy, 'DISPLAY_NAME_ASC'),
      ...pageArgs(args),
      admit: scope.admit,
    });
    for (const edge of connection.edges) context.loaders.subjects.prime(edge.node._id, edge.node);
    return connection;
  }),
  associations: root(async (args, context) => {
    const orgId = idArg(args.orgId, 'orgId');
    await requireExistingOrg(context, orgId, 'roster.read');
    return associationConnection(context, byOrg(orgId), args);
  }),
  decisions: root(async (args, context) => {
    const orgId = idArg(args.orgId, 'orgId');
    await requireExistingOrg(context, orgId, 'audit.read');
    return decisionConnection(context, orgId, args);
  }),
  effectiveRoles: root(async (args, context) => effectiveRoles(context, idArg(args.orgId, 'orgId'), args)),
  job: root(async (args, context) => {
    const orgId = idArg(args.orgId, 'orgId');
    const jobId = idArg(args.jobId, 'jobId');
    const decided = await context.access.job(orgId, jobId);
    if (isAppError(decided)) throw gqlError(decided);
    if (decided.org === null) throw gqlError(orgNotFound(orgId));
    const document = await context.platform.docs.get(JOBS, jobId);
    // Another org's job is as absent as one that does not exist.
    return document !== undefined && document.orgId === orgId ? document : null;
  }),
  jobs: root(async (args, context) => {
    const orgId = idArg(args.orgId, 'orgId');
    await requireExistingOrg(context, orgId, 'job.read');
    return jobConnection(context, orgId, args);
  }),
  workload: root(async (args, context) => {
    const orgId = idArg(args.orgId, 'orgId');
    const subjectId = args.subjectId === undefined || args.subjectId === null ? null : idArg(args.subjectId, 'subjectId');
    await requireExistingOrg(context, orgId, 'job.read');
    const filter: Filter = {
      and: [
        byOrg(orgId),
        { field: workloadField('openAssignments'), op: 'gt', value: 0 },
        ...(subjectId === null ? [] : [{ field: workloadField('subjectId'), op: 'eq' as const, value: subjectId }]),
      ],
    };
    return findAll(context.platform.docs, WORKLOADS, filter, [{ field: workloadField('openAssignments'), direction: 'desc' }], 1000);
  }),
  contract: workDocument('contractId', 'ReadContract', (context, id) => context.loaders.contracts.load(id)),
  contracts: workList('ReadContracts', contractConnection),
  task: workDocument('taskId', 'ReadTask', (context, id) => context.platform.docs.get(TASKS, id)),
  tasks: workList('ReadTasks', taskConnection),
  assignment: workDocument('jobId', 'ReadAssignment', (context, id) => context.loaders.assignments.load(id)),
  bids: root(async (args, context) => {
    const orgId = idArg(args.orgId, 'orgId');
    const jobId = idArg(args.jobId, 'jobId');
    await requireWorkRead(context, orgId, 'ReadAssignment', { jobId });
    return bidConnection(context, orgId, jobId, args);
  }),
  escalations: workList('ReadEscalations', escalationConnection),
  policyVersions: root(async (args, context) => {
    const orgId = idArg(args.orgId, 'orgId');
    await requireExistingOrg(context, orgId, 'policy.read');
    return scopedConnection(
      context,
      POLICY_VERSIONS,
      byOrg(orgId),
      policyVersionFilter(args.filter),
      [{ field: policyVersionField('version'), direction: 'asc' }],
      args,
    );
  }),
};

const orgIdOf = (document: OrgDocument) => document.orgId || document._id;

const Org: TypeResolvers<OrgDocument> = {
  id: (document) => orgIdOf(document),
  status: enumOf('status'),
  metadata: (document) => document.metadata.map(({ key, value }) => ({ key, value })),
  position,
  parent: (document, _args, context) => orgRelation(context, document.parentOrgId),
  children: (document, args, context) => orgConnection(context, { field: orgField('parentOrgId'), op: 'eq', value: orgIdOf(document) }, args),
  roles: async (document, args, context) => {
    const connection = await orgFamily(context, orgIdOf(document), 'roster.read', ROLES, roleFilter(args.filter), roleField('name'), args);
    for (const edge of connection.edges) context.loaders.roles.prime(edge.node._id, edge.node);
    return connection;
  },
  groups: (document, args, context) => orgFamily(context, orgIdOf(document), 'roster.read', GROUPS, null, groupField('name'), args),
  jobSpaces: (document, args, context) => orgFamily(context, orgIdOf(document), 'roster.read', JOB_SPACES, null, jobSpaceField('name'), args),
  roleConflicts: (document, args, context) => orgFamily(context, orgIdOf(document), 'roster.read', ROLE_CONFLICTS, null, roleConflictField('_id'), args),
  associations: async (document, args, context) => {
    await requireOrg(context, orgIdOf(document), 'roster.read');
    return associationConnection(context, byOrg(orgIdOf(document)), args);
  },
  applications: (document, args, context) =>
    orgFamily(context, orgIdOf(document), 'roster.read', APPLICATIONS, applicationFilter(args.filter), applicationField('appliedAt'), args),
  effectiveRoles: (document, args, context) => effectiveRoles(context, orgIdOf(document), args),
  policies: (document, args, context) =>
    orgFamily(context, orgIdOf(document), 'policy.read', POLICY_VERSIONS, policyVersionFilter(args.filter), policyVersionField('version'), args),
  publishedPolicy: async (document, _args, context) => {
    const orgId = orgIdOf(document);
    await requireOrg(context, orgId, 'policy.read');
    const page = await context.platform.docs.find(POLICY_VERSIONS, {
      filter: { and: [byOrg(orgId), { field: policyVersionField('status'), op: 'eq', value: 'published' }] },
      limit: 1,
    });
    return page.items[0] ?? null;
  },
  decisions: async (document, args, context) => {
    await requireOrg(context, orgIdOf(document), 'audit.read');
    return decisionConnection(context, orgIdOf(document), args);
  },
  jobs: async (document, args, context) => {
    await requireOrg(context, orgIdOf(document), 'job.read');
    return jobConnection(context, orgIdOf(document), args);
  },
};

const Subject: TypeResolvers<SubjectDocument> = {
  id: ownId('subjectId'),
  kind: enumOf('kind'),
  status: enumOf('status'),
  capabilities: (document) => document.capabilities.map(({ name, level, evidence, verified, verifiedIn }) => ({ name, level, evidence, verified, verifiedIn })),
  position,
  associations: (document, args, context) =>
    associationConnection(context, { field: associationField('subjectId'), op: 'eq', value: document.subjectId || document._id }, args, { acrossOrgs: true }),
};

/** The roles named, of the org, that exist (a role removed since is left out). */
async function rolesNamed(context: GraphqlContext, orgId: string, names: readonly string[]): Promise<Doc[]> {
  const roles = await loadAll(
    context.loaders.roles,
    names.map((name) => roleKey(orgId, name)),
  );
  return roles.filter((role): role is Doc => role !== undefined);
}

const Role: TypeResolvers<RoleDocument> = {
  id: (document) => document._id,
  org: (document, _args, context) => orgRelation(context, document.orgId),
  assignmentType: enumOf('assignmentType'),
  position,
  inheritedRoles: (document, _args, context) => rolesNamed(context, document.orgId, document.inherits),
  holders: async (document, args, context) => {
    const { orgId } = document;
    await requireOrg(context, orgId, 'roster.read');
    const base: Filter = { and: [byOrg(orgId), { field: associationField('role'), op: 'eq', value: document.name }] };
    return associationConnection(context, base, args, args.includeInactive === true ? {} : { active: true });
  },
};

const Group: TypeResolvers<GroupDocument> = {
  id: (document) => document._id,
  parentName: (document) => document.parent,
  parent: async (document, _args, context) => {
    const { parent } = document;
    return parent === null ? null : ((await context.loaders.groups.load(scopedId(document.orgId, parent))) ?? null);
  },
  roleNames: (document) => document.roles,
  roles: (document, _args, context) => rolesNamed(context, document.orgId, document.roles),
  position,
};

const JobSpace: TypeResolvers<JobSpaceDocument> = { id: (document) => document._id, position };
const RoleConflict: TypeResolvers<RoleConflictDocument> = { id: (document) => document._id, position };

const Association: TypeResolvers<AssociationDocument> = {
  id: ownId('associationId'),
  org: (document, _args, context) => orgRelation(context, document.orgId),
  subject: (document, _args, context) => subjectRelation(context, document.subjectId),
  roleDefinition: async (document, _args, context) => (await context.loaders.roles.load(roleKey(document.orgId, document.role))) ?? null,
  status: enumOf('status'),
  active: (document, _args, context) => associationInForce(document, context.now),
  position,
};

const RoleApplication: TypeResolvers<ApplicationDocument> = {
  id: ownId('applicationId'),
  subject: (document, _args, context) => subjectRelation(context, document.subjectId),
  status: enumOf('status'),
  position,
};

const PolicyVersion: TypeResolvers<PolicyVersionDocument> = {
  id: (document) => document._id,
  status: enumOf('status'),
  position,
};

const PolicyRule: TypeResolvers<PolicyVersionDocument['rules'][number]> = { effect: enumOf('effect') };

const Decision: TypeResolvers<DecisionDocument> = {
  id: (document) => document._id,
  org: (document, _args, context) => orgRelation(context, document.orgId),
  outcome: enumOf('outcome'),
  result: enumOf('result'),
  position: (document) => (/^\d+$/.test(document.position) ? BigInt(document.position).toString() : document.position),
};

const Job: TypeResolvers<JobDocument> = {
  id: ownId('jobId'),
  org: (document, _args, context) => orgRelation(context, document.orgId),
  status: enumOf('status'),
  priority: enumOf('priority'),
  completionMode: enumOf('completionMode'),
  assignmentStrategy: optionalEnumOf('assignmentStrategy'),
  outputTemplate: (document) => storedJson(document.outputTemplateJson),
  assignee: (document, _args, context) => subjectRelation(context, document.assigneeSubjectId),
  delivery: (document) => {
    const { delivery } = document;
    return delivery === null ? null : { ...delivery, deliverable: storedJson(delivery.deliverableJson) };
  },
  position,
  contract: (document, _args, context) => workRelation(context, document.orgId, document.contractId, 'contracts'),
  contracts: async (document, args, context) => {
    await requireOrg(context, document.orgId, 'job.read');
    return contractConnection(context, byJob(document.orgId, document.jobId || document._id), { ...args, filter: null, orderBy: null });
  },
  tasks: async (document, args, context) => {
    await requireOrg(context, document.orgId, 'job.read');
    return taskConnection(context, byJob(document.orgId, document.jobId || document._id), args);
  },
  assignment: (document, _args, context) => workRelation(context, document.orgId, document.jobId || document._id, 'assignments'),
  escalations: async (document, args, context) => {
    await requireOrg(context, document.orgId, 'job.read');
    return escalationConnection(context, byJob(document.orgId, document.jobId || document._id), args);
  },
};

const Contract: TypeResolvers<ContractDocument> = {
  id: ownId('contractId'),
  org: (document, _args, context) => orgRelation(context, document.orgId),
  job: (document, _args, context) => workRelation(context, document.orgId, document.jobId, 'jobs'),
  assignee: (document, _args, context) => subjectRelation(context, document.assigneeSubjectId),
  status: enumOf('status'),
  signatures: (document) => document.signatures,
  breaches: (document) => document.breaches,
  breachCount: (document) => document.breachCount,
  position,
  tasks: async (document, args, context) => {
    const { orgId } = document;
    await requireOrg(context, orgId, 'job.read');
    return taskConnection(
      context,
      { and: [byOrg(orgId), { field: taskField('contractId'), op: 'eq', value: document.contractId || document._id }] },
      { ...args, filter: null, orderBy: null },
    );
  },
};

const ContractRejection: TypeResolvers<NonNullable<ContractDocument['rejection']>> = { party: enumOf('party') };
const ContractBreach: TypeResolvers<ContractDocument['breaches'][number]> = { kind: enumOf('kind') };

const Task: TypeResolvers<TaskDocument> = {
  id: ownId('taskId'),
  org: (document, _args, context) => orgRelation(context, document.orgId),
  job: (document, _args, context) => workRelation(context, document.orgId, document.jobId, 'jobs'),
  contract: (document, _args, context) => workRelation(context, document.orgId, document.contractId, 'contracts'),
  assignee: (document, _args, context) => subjectRelation(context, document.assigneeSubjectId),
  status: enumOf('status'),
  input: (document) => storedJson(document.inputJson),
  outputs: (document) => storedJson(document.outputsJson),
  position,
};

const TaskReview: TypeResolvers<NonNullable<TaskDocument['review']>> = { verdict: enumOf('verdict') };

const Assignment: TypeResolvers<AssignmentDocument> = {
  job: (document, _args, context) => workRelation(context, document.orgId, document.jobId || document._id, 'jobs'),
  strategy: enumOf('strategy'),
  phase: enumOf('phase'),
  validBidCount: (document) => document.validBidCount,
  roundFailures: (document) => document.roundFailures,
  position,
  bids: async (document, args, context) => {
    const { orgId } = document;
    await requireOrg(context, orgId, 'job.read');
    return bidConnection(context, orgId, document.jobId || document._id, args);
  },
};

const AssignmentAward: TypeResolvers<NonNullable<AssignmentDocument['award']>> = {
  subject: (document, _args, context) => subjectRelation(context, document.subjectId),
};
const AssignmentRoundFailure: TypeResolvers<AssignmentDocument['roundFailures'][number]> = { reason: enumOf('reason') };

const Bid: TypeResolvers<BidDocument> = {
  id: ownId('bidId'),
  subject: (document, _args, context) => subjectRelation(context, document.subjectId),
  position,
};

const Escalation: TypeResolvers<EscalationDocument> = {
  id: ownId('escalationId'),
  job: (document, _args, context) => workRelation(context, document.orgId, document.jobId, 'jobs'),
  from: enumOf('from'),
  resolution: optionalEnumOf('resolution'),
  statusAfter: optionalEnumOf('statusAfter'),
  raises: (document) => document.raises,
  position,
};

const JobEscalation: TypeResolvers<NonNullable<JobDocument['escalation']>> = { from: enumOf('from') };

const Workload: TypeResolvers<WorkloadDocument> = {
  subject: (document, _args, context) => subjectRelation(context, document.subjectId),
  position,
};

const DecisionPolicy: TypeResolvers<DecisionDocument['policy']> = { source: enumOf('source') };
const Principal: TypeResolvers<PrincipalValue> = { kind: enumOf('kind') };

/** Output-only JSON (event payloads): serialized as is, never accepted as input. */
const JSONScalar = {
  serialize: (value: unknown) => value,
  parseValue: () => {
    throw new TypeError('JSON is an output type');
  },
  parseLiteral: () => {
    throw new TypeError('JSON is an output type');
  },
};

export const queryResolvers = {
  JSON: JSONScalar,
  Query,
  Org,
  Subject,
  Role,
  Group,
  JobSpace,
  RoleConflict,
  Association,
  RoleApplication,
  PolicyVersion,
  PolicyRule,
  Decision,
  DecisionPolicy,
  Principal,
  Job,
  JobEscalation,
  Workload,
  Contract,
  ContractRejection,
  ContractBreach,
  Task,
  TaskReview,
  Assignment,
  AssignmentAward,
  AssignmentRoundFailure,
  Bid,
  Escalation,
};
