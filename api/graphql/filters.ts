import { z } from 'zod';
import type { Filter, JsonScalar, SortField } from '../../infra/documents/port.ts';
import { LIMITS, isWellFormed } from '../../infra/documents/validation.ts';
import { slugSchema } from '../../domain/org/fields.ts';
import { jobSpaceNameSchema, roleNameSchema } from '../../domain/roster/fields.ts';
import { validationFailed } from './errors.ts';
import type { BidDocument } from '../../projections/read-models/bids.ts';
import type { ContractDocument } from '../../projections/read-models/contracts.ts';
import type { DecisionDocument } from '../../projections/read-models/decisions.ts';
import type { EscalationDocument } from '../../projections/read-models/escalations.ts';
import type { JobDocument } from '../../projections/read-models/jobs.ts';
import type { OrgDocument } from '../../projections/read-models/orgs.ts';
import type { PolicyVersionDocument } from '../../projections/read-models/policies.ts';
import type { ApplicationDocument, AssociationDocument, RoleDocument } from '../../projections/read-models/roster.ts';
import type { SubjectDocument } from '../../projections/read-models/subjects.ts';
import type { TaskDocument } from '../../projections/read-models/tasks.ts';

/**
 * GraphQL filter inputs -> the DocumentStore's filter AST. Every input field maps to one predicate on one fixed field
 * path chosen here (a metadata key, the only user-named path segment, must be an identifier); values only ever sit
 * in value positions; prefixes are literal (`slugPrefix: ".*"` matches slugs starting with those two characters).
 * Nothing the user sends is ever passed to the store as a filter of its own.
 */

export const LIMITS_GQL = {
  /** Page size bounds. */
  firstDefault: 20,
  firstMax: 100,
  /** and/or/not nesting and size. */
  depth: 4,
  nodes: 50,
  operands: 20,
  inValues: 50,
  /** Strings compared for equality. */
  string: 256,
  cursor: 2048,
  metadataPredicates: 10,
} as const;

/**
 * A field path into a read model's document: a field, or a field of an object field (`owner.id`). Filters and orders
 * name their fields through it, so a field renamed in a read model fails the typecheck here.
 */
type FieldPath<Document> = {
  [Key in keyof Document & string]:
    | Key
    | (NonNullable<Document[Key]> extends readonly unknown[]
        ? never
        : NonNullable<Document[Key]> extends object
          ? `${Key}.${keyof NonNullable<Document[Key]> & string}`
          : never);
}[keyof Document & string];

export const fieldOf =
  <Document>() =>
  (path: FieldPath<Document>): string =>
    path;
const org = fieldOf<OrgDocument>();
const subject = fieldOf<SubjectDocument>();
const role = fieldOf<RoleDocument>();
const association = fieldOf<AssociationDocument>();
const application = fieldOf<ApplicationDocument>();
const policyVersion = fieldOf<PolicyVersionDocument>();
const decision = fieldOf<DecisionDocument>();
const job = fieldOf<JobDocument>();
const contract = fieldOf<ContractDocument>();
const task = fieldOf<TaskDocument>();
const bid = fieldOf<BidDocument>();
const escalation = fieldOf<EscalationDocument>();

type Path = ReadonlyArray<string | number>;
interface Issue {
  path: Path;
  message: string;
}

/** Reads and checks one input, collecting every problem with its argument path. */
class Walk {
  readonly issues: Issue[] = [];
  nodes = 0;

  fail(path: Path, message: string): undefined {
    if (this.issues.length < 20) this.issues.push({ path, message });
    return undefined;
  }

  string(value: unknown, path: Path, max: number = LIMITS_GQL.string): string | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string') return this.fail(path, 'expected a string');
    if (value.length > max) return this.fail(path, `at most ${max} characters`);
    if (!isWellFormed(value)) return this.fail(path, 'must be well-formed Unicode');
    return value;
  }

  prefix(value: unknown, path: Path): string | undefined {
    const text = this.string(value, path, LIMITS.prefixLength);
    if (text?.includes('\u0000')) return this.fail(path, 'must not contain U+0000');
    return text;
  }

  id(value: unknown, path: Path): string | undefined {
    const text = this.string(value, path, 64);
    if (text === undefined) return undefined;
    const parsed = z.uuid().safeParse(text);
    return parsed.success ? parsed.data.toLowerCase() : this.fail(path, 'expected a UUID');
  }

  instant(value: unknown, path: Path): string | undefined {
    const text = this.string(value, path, 64);
    if (text === undefined) return undefined;
    if (!z.iso.datetime({ offset: true }).safeParse(text).success) return this.fail(path, 'expected an ISO-8601 instant, e.g. 2026-01-01T00:00:00Z');
    // Stored instants are UTC with milliseconds (toISOString), so they compare as strings in time order.
    return new Date(text).toISOString();
  }

  enumeration(value: unknown, path: Path): string | undefined {
    if (value === undefined || value === null) return undefined;
    return typeof value === 'string' ? fromEnum(value) : this.fail(path, 'expected an enum value');
  }

  list<T>(value: unknown, path: Path, max: number, item: (value: unknown, path: Path) => T | undefined): T[] | undefined {
    if (value === undefined || value === null) return undefined;
    if (!Array.isArray(value)) return this.fail(path, 'expected a list');
    if (value.length === 0 || value.length > max) return this.fail(path, `give 1 to ${max} values`);
    const items = value.map((entry: unknown, index) => item(entry, [...path, index]));
    return items.every((entry): entry is T => entry !== undefined) ? items : undefined;
  }

  boolean(value: unknown, path: Path): boolean | undefined {
    if (value === undefined || value === null) return undefined;
    return typeof value === 'boolean' ? value : this.fail(path, 'expected a boolean');
  }

  throwIfInvalid(): void {
    if (this.issues.length > 0) throw validationFailed('invalid arguments', this.issues);
  }
}

/** GraphQL enum names are SCREAMING_CASE; the read models store `active`, `not-permitted`, `dynamic_single_subject`. */
const ENUM_VALUES: Record<string, string> = { NOT_PERMITTED: 'not-permitted' };
export function fromEnum(name: string): string {
  return ENUM_VALUES[name] ?? name.toLowerCase();
}
export function toEnum(value: string): string {
  return value.replace(/-/g, '_').toUpperCase();
}

type Input = Readonly<Record<string, unknown>>;
type Own = (walk: Walk, input: Input, path: Path) => Filter[];

/** Matches every document: the neutral operand of an `or` built from an empty nested filter. */
const EVERYTHING: Filter = { field: '_id', op: 'exists', value: true };

function and(conditions: readonly Filter[]): Filter | null {
  if (conditions.length === 0) return null;
  return conditions.length === 1 ? (conditions[0] ?? null) : { and: conditions };
}

function asInput(value: unknown): Input | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Input) : undefined;
}

/** Own fields AND-ed, with the recursive `and` / `or` / `not`. */
function combinable(own: Own) {
  const node = (walk: Walk, value: unknown, path: Path, depth: number): Filter | null => {
    const input = asInput(value);
    if (!input) return walk.fail(path, 'expected a filter object') ?? null;
    walk.nodes += 1;
    if (walk.nodes > LIMITS_GQL.nodes) return walk.fail(path, `a filter has at most ${LIMITS_GQL.nodes} nested filters`) ?? null;
    const conditions = own(walk, input, path);
    for (const key of ['and', 'or'] as const) {
      const operands = input[key];
      if (operands === undefined || operands === null) continue;
      if (depth >= LIMITS_GQL.depth) {
        walk.fail([...path, key], `and/or/not nest at most ${LIMITS_GQL.depth} levels`);
        continue;
      }
      const parsed = walk.list(operands, [...path, key], LIMITS_GQL.operands, (entry, at) => node(walk, entry, at, depth + 1) ?? EVERYTHING);
      if (parsed) conditions.push(key === 'and' ? { and: parsed } : { or: parsed });
    }
    if (input.not !== undefined && input.not !== null) {
      if (depth >= LIMITS_GQL.depth) walk.fail([...path, 'not'], `and/or/not nest at most ${LIMITS_GQL.depth} levels`);
      else conditions.push({ not: node(walk, input.not, [...path, 'not'], depth + 1) ?? EVERYTHING });
    }
    return and(conditions);
  };
  return node;
}

function eq(field: string, value: JsonScalar | undefined): Filter[] {
  return value === undefined ? [] : [{ field, op: 'eq', value }];
}
function prefix(field: string, value: string | undefined): Filter[] {
  return value === undefined ? [] : [{ field, op: 'prefix', value }];
}
function oneOf(field: string, values: string[] | undefined): Filter[] {
  return values === undefined ? [] : [{ field, op: 'in', value: values }];
}
/** An enum field filtered as `<field>: VALUE` and `<field>In: [VALUE, ...]` (the GraphQL schema names both so). */
function enumeration(walk: Walk, input: Input, path: Path, field: string): Filter[] {
  return [
    ...eq(field, walk.enumeration(input[field], [...path, field])),
    ...oneOf(
      field,
      walk.list(input[`${field}In`], [...path, `${field}In`], LIMITS_GQL.inValues, (value, p) => walk.enumeration(value, p)),
    ),
  ];
}
function range(field: string, since: string | undefined, until: string | undefined): Filter[] {
  return [
    ...(since === undefined ? [] : [{ field, op: 'gte' as const, value: since }]),
    ...(until === undefined ? [] : [{ field, op: 'lt' as const, value: until }]),
  ];
}

const METADATA_KEY = /^[A-Za-z0-9][A-Za-z0-9._/-]{0,62}$/;

const orgNode = combinable((walk, input, path) => {
  const at = (name: string) => [...path, name];
  const hasParent = walk.boolean(input.hasParent, at('hasParent'));
  const metadata =
    walk.list(input.metadata, at('metadata'), LIMITS_GQL.metadataPredicates, (entry, entryPath) => {
      const predicate = asInput(entry);
      const key = walk.string(predicate?.key, [...entryPath, 'key'], 64);
      const value = walk.string(predicate?.value, [...entryPath, 'value']);
      if (key === undefined || value === undefined) return undefined;
      if (!METADATA_KEY.test(key)) return walk.fail([...entryPath, 'key'], 'a metadata key: letters, digits and . _ / -, 1 to 63 characters');
      // The read model keeps `key=value` strings for this: keys are user input and never become field paths.
      return { field: org('metadataPairs'), op: 'contains' as const, value: `${key}=${value}` };
    }) ?? [];
  return [
    ...enumeration(walk, input, path, org('status')),
    ...eq(org('slug'), walk.string(input.slug, at('slug'))),
    ...prefix(org('slug'), walk.prefix(input.slugPrefix, at('slugPrefix'))),
    ...eq(org('name'), walk.string(input.nameEq, at('nameEq'))),
    ...prefix(org('name'), walk.prefix(input.namePrefix, at('namePrefix'))),
    ...(() => {
      const tag = walk.string(input.tag, at('tag'));
      return tag === undefined ? [] : [{ field: org('tags'), op: 'contains' as const, value: tag }];
    })(),
    ...eq(org('parentOrgId'), walk.id(input.parentOrgId, at('parentOrgId'))),
    ...(hasParent === undefined
      ? []
      : [hasParent ? ({ field: org('parentOrgId'), op: 'ne', value: null } as const) : ({ field: org('parentOrgId'), op: 'eq', value: null } as const)]),
    ...eq(org('owner.id'), walk.string(input.ownerId, at('ownerId'), 200)),
    ...metadata,
    ...range(org('registeredAt'), walk.instant(input.registeredSince, at('registeredSince')), walk.instant(input.registeredUntil, at('registeredUntil'))),
  ];
});

const subjectNode = combinable((walk, input, path) => {
  const at = (name: string) => [...path, name];
  return [
    ...eq(subject('kind'), walk.enumeration(input.kind, at('kind'))),
    ...eq(subject('status'), walk.enumeration(input.status, at('status'))),
    ...eq(subject('displayName'), walk.string(input.displayNameEq, at('displayNameEq'))),
    ...prefix(subject('displayName'), walk.prefix(input.displayNamePrefix, at('displayNamePrefix'))),
  ];
});

const roleNode = combinable((walk, input, path) => {
  const at = (name: string) => [...path, name];
  const inherits = walk.string(input.inherits, at('inherits'), 64);
  return [
    ...eq(role('name'), walk.string(input.name, at('name'), 64)),
    ...prefix(role('name'), walk.prefix(input.namePrefix, at('namePrefix'))),
    ...eq(role('assignmentType'), walk.enumeration(input.assignmentType, at('assignmentType'))),
    ...(inherits === undefined ? [] : [{ field: role('inherits'), op: 'contains' as const, value: inherits }]),
  ];
});

/** `active` is decided in code (an expiry is compared as an instant, whatever its offset): top level only. */
function associationOwn(topLevel: boolean): Own {
  return (walk, input, path) => {
    const at = (name: string) => [...path, name];
    if (!topLevel && input.active !== undefined && input.active !== null) walk.fail(at('active'), 'active can only be used at the top level of a filter');
    const orgWide = walk.boolean(input.orgWide, at('orgWide'));
    return [
      ...eq(association('role'), walk.string(input.role, at('role'), 64)),
      ...oneOf(
        association('role'),
        walk.list(input.roleIn, at('roleIn'), LIMITS_GQL.inValues, (value, p) => walk.string(value, p, 64)),
      ),
      ...eq(association('subjectId'), walk.id(input.subjectId, at('subjectId'))),
      ...eq(association('orgId'), walk.id(input.orgId, at('orgId'))),
      ...eq(association('status'), walk.enumeration(input.status, at('status'))),
      ...eq(association('jobSpace'), walk.string(input.jobSpace, at('jobSpace'), 64)),
      ...(orgWide === undefined
        ? []
        : [
            orgWide
              ? ({ field: association('jobSpace'), op: 'eq', value: null } as const)
              : ({ field: association('jobSpace'), op: 'ne', value: null } as const),
          ]),
      ...eq(association('parentSubjectId'), walk.id(input.parentSubjectId, at('parentSubjectId'))),
      ...range(association('grantedAt'), walk.instant(input.grantedSince, at('grantedSince')), walk.instant(input.grantedUntil, at('grantedUntil'))),
    ];
  };
}
const associationNested = combinable(associationOwn(false));

const decisionNode = combinable((walk, input, path) => {
  const at = (name: string) => [...path, name];
  const ruleId = walk.string(input.ruleId, at('ruleId'), 200);
  return [
    ...eq(decision('outcome'), walk.enumeration(input.outcome, at('outcome'))),
    ...oneOf(
      decision('outcome'),
      walk.list(input.outcomeIn, at('outcomeIn'), 3, (value, p) => walk.enumeration(value, p)),
    ),
    ...enumeration(walk, input, path, decision('result')),
    ...eq(decision('refusal.code'), walk.string(input.refusalCode, at('refusalCode'), 200)),
    ...eq(decision('action'), walk.string(input.action, at('action'), 200)),
    ...prefix(decision('action'), walk.prefix(input.actionPrefix, at('actionPrefix'))),
    ...eq(decision('principal.id'), walk.string(input.principalId, at('principalId'), 200)),
    ...eq(decision('commandType'), walk.string(input.commandType, at('commandType'), 200)),
    ...(ruleId === undefined ? [] : [{ field: decision('determiningRuleIds'), op: 'contains' as const, value: ruleId }]),
    ...range(decision('occurredAt'), walk.instant(input.since, at('since')), walk.instant(input.until, at('until'))),
  ];
});

const jobNode = combinable((walk, input, path) => {
  const at = (name: string) => [...path, name];
  return [
    ...enumeration(walk, input, path, job('status')),
    ...enumeration(walk, input, path, job('priority')),
    ...eq(job('assigneeSubjectId'), walk.id(input.assigneeSubjectId, at('assigneeSubjectId'))),
    ...eq(job('contractId'), walk.id(input.contractId, at('contractId'))),
    ...eq(job('open'), walk.boolean(input.open, at('open'))),
    ...range(job('submittedAt'), walk.instant(input.submittedSince, at('submittedSince')), walk.instant(input.submittedUntil, at('submittedUntil'))),
  ];
});

const contractNode = combinable((walk, input, path) => {
  const at = (name: string) => [...path, name];
  return [
    ...enumeration(walk, input, path, contract('status')),
    ...eq(contract('assigneeSubjectId'), walk.id(input.assigneeSubjectId, at('assigneeSubjectId'))),
    ...eq(contract('jobId'), walk.id(input.jobId, at('jobId'))),
    ...eq(contract('open'), walk.boolean(input.open, at('open'))),
  ];
});

const taskNode = combinable((walk, input, path) => {
  const at = (name: string) => [...path, name];
  return [
    ...enumeration(walk, input, path, task('status')),
    ...eq(task('assigneeSubjectId'), walk.id(input.assigneeSubjectId, at('assigneeSubjectId'))),
    ...eq(task('jobId'), walk.id(input.jobId, at('jobId'))),
    ...eq(task('contractId'), walk.id(input.contractId, at('contractId'))),
    ...eq(task('open'), walk.boolean(input.open, at('open'))),
  ];
});

const bidNode = combinable((walk, input, path) => {
  const at = (name: string) => [...path, name];
  const round = input.round;
  const roundOk = round === undefined || round === null || (typeof round === 'number' && Number.isInteger(round) && round >= 0 && round <= 1_000_000);
  if (!roundOk) walk.fail(at('round'), 'a round number (0 or more)');
  return [
    ...eq(bid('valid'), walk.boolean(input.valid, at('valid'))),
    ...eq(bid('round'), roundOk && typeof round === 'number' ? round : undefined),
    ...eq(bid('subjectId'), walk.id(input.subjectId, at('subjectId'))),
  ];
});

const escalationNode = combinable((walk, input, path) => {
  const at = (name: string) => [...path, name];
  const role = walk.string(input.escalateTo, at('escalateTo'), 64);
  const roleOk = role === undefined || roleNameSchema.safeParse(role).success;
  if (!roleOk) walk.fail(at('escalateTo'), 'a role name');
  return [
    ...eq(escalation('open'), walk.boolean(input.open, at('open'))),
    ...eq(escalation('escalateTo'), roleOk ? role : undefined),
    ...eq(escalation('jobId'), walk.id(input.jobId, at('jobId'))),
    ...range(escalation('escalatedAt'), walk.instant(input.escalatedSince, at('escalatedSince')), walk.instant(input.escalatedUntil, at('escalatedUntil'))),
  ];
});

function translate(node: ReturnType<typeof combinable>, value: unknown, path: string): Filter | null {
  if (value === undefined || value === null) return null;
  const walk = new Walk();
  const filter = node(walk, value, [path], 0);
  walk.throwIfInvalid();
  return filter;
}

export const orgFilter = (value: unknown) => translate(orgNode, value, 'filter');
export const subjectFilter = (value: unknown) => translate(subjectNode, value, 'filter');
export const roleFilter = (value: unknown) => translate(roleNode, value, 'filter');
export const decisionFilter = (value: unknown) => translate(decisionNode, value, 'filter');
export const jobFilter = (value: unknown) => translate(jobNode, value, 'filter');
export const contractFilter = (value: unknown) => translate(contractNode, value, 'filter');
export const taskFilter = (value: unknown) => translate(taskNode, value, 'filter');
export const bidFilter = (value: unknown) => translate(bidNode, value, 'filter');
export const escalationFilter = (value: unknown) => translate(escalationNode, value, 'filter');

/** The store filter, and what `active` asks of each association (decided in code at the request's instant). */
export function associationFilter(value: unknown): { filter: Filter | null; active: boolean | undefined } {
  if (value === undefined || value === null) return { filter: null, active: undefined };
  const walk = new Walk();
  const input = asInput(value);
  if (!input) {
    walk.fail(['filter'], 'expected a filter object');
    walk.throwIfInvalid();
    return { filter: null, active: undefined };
  }
  const active = walk.boolean(input.active, ['filter', 'active']);
  const own = associationOwn(true)(walk, input, ['filter']);
  const nested = associationNested(walk, { and: input.and, or: input.or, not: input.not }, ['filter'], 0);
  walk.throwIfInvalid();
  // `active: true` narrows the store's answer to status active; the expiry is checked per document.
  const conditions = [...own, ...(nested ? [nested] : []), ...(active === true ? [{ field: association('status'), op: 'eq' as const, value: 'active' }] : [])];
  return { filter: and(conditions), active };
}

export function applicationFilter(value: unknown): Filter | null {
  if (value === undefined || value === null) return null;
  const walk = new Walk();
  const input = asInput(value) ?? {};
  const conditions = [
    ...eq(application('status'), walk.enumeration(input.status, ['filter', 'status'])),
    ...eq(application('subjectId'), walk.id(input.subjectId, ['filter', 'subjectId'])),
    ...eq(application('role'), walk.string(input.role, ['filter', 'role'], 64)),
  ];
  walk.throwIfInvalid();
  return and(conditions);
}

export function policyVersionFilter(value: unknown): Filter | null {
  if (value === undefined || value === null) return null;
  const walk = new Walk();
  const input = asInput(value) ?? {};
  const conditions = eq(policyVersion('status'), walk.enumeration(input.status, ['filter', 'status']));
  walk.throwIfInvalid();
  return and(conditions);
}

/** All conditions that are not null, AND-ed. */
export function allOf(...filters: Array<Filter | null>): Filter | null {
  return and(filters.filter((filter): filter is Filter => filter !== null));
}

// ---------------------------------------------------------------------------------------------------------------
// Orders and pages
// ---------------------------------------------------------------------------------------------------------------

const asc = (field: string): SortField => ({ field, direction: 'asc' });
const desc = (field: string): SortField => ({ field, direction: 'desc' });

export const ORG_ORDERS: Record<string, SortField[]> = {
  SLUG_ASC: [asc(org('slug'))],
  SLUG_DESC: [desc(org('slug'))],
  NAME_ASC: [asc(org('name'))],
  NAME_DESC: [desc(org('name'))],
  REGISTERED_AT_ASC: [asc(org('registeredAt'))],
  REGISTERED_AT_DESC: [desc(org('registeredAt'))],
};
export const SUBJECT_ORDERS: Record<string, SortField[]> = {
  DISPLAY_NAME_ASC: [asc(subject('displayName'))],
  DISPLAY_NAME_DESC: [desc(subject('displayName'))],
  REGISTERED_AT_ASC: [asc(subject('registeredAt'))],
  REGISTERED_AT_DESC: [desc(subject('registeredAt'))],
};
export const ASSOCIATION_ORDERS: Record<string, SortField[]> = {
  GRANTED_AT_ASC: [asc(association('grantedAt'))],
  GRANTED_AT_DESC: [desc(association('grantedAt'))],
};
export const DECISION_ORDERS: Record<string, SortField[]> = {
  NEWEST_FIRST: [desc(decision('position'))],
  OLDEST_FIRST: [asc(decision('position'))],
};

export const JOB_ORDERS: Record<string, SortField[]> = {
  NEWEST_FIRST: [desc(job('submittedAt'))],
  OLDEST_FIRST: [asc(job('submittedAt'))],
};

/** Contracts by drafting time, tasks by creation time, escalations by escalation time; bids in the order received. */
export const CONTRACT_ORDERS: Record<string, SortField[]> = { NEWEST_FIRST: [desc(contract('draftedAt'))], OLDEST_FIRST: [asc(contract('draftedAt'))] };
export const TASK_ORDERS: Record<string, SortField[]> = { NEWEST_FIRST: [desc(task('createdAt'))], OLDEST_FIRST: [asc(task('createdAt'))] };
export const ESCALATION_ORDERS: Record<string, SortField[]> = {
  NEWEST_FIRST: [desc(escalation('escalatedAt'))],
  OLDEST_FIRST: [asc(escalation('escalatedAt'))],
};
export const BID_ORDER: SortField[] = [asc(bid('round')), asc(bid('receivedAt'))];

export function order(orders: Record<string, SortField[]>, value: unknown, fallback: string): SortField[] {
  const chosen = typeof value === 'string' ? orders[value] : undefined;
  return chosen ?? orders[fallback] ?? [];
}

export interface PageArgs {
  first: number;
  after: string | null;
}

/** `first` 1..100 (default 20) and a bounded `after`. */
export function pageArgs(args: { first?: unknown; after?: unknown }): PageArgs {
  const walk = new Walk();
  let first: number = LIMITS_GQL.firstDefault;
  if (args.first !== undefined && args.first !== null) {
    if (typeof args.first !== 'number' || !Number.isInteger(args.first) || args.first < 1 || args.first > LIMITS_GQL.firstMax) {
      walk.fail(['first'], `first is 1 to ${LIMITS_GQL.firstMax}`);
    } else {
      first = args.first;
    }
  }
  const after = walk.string(args.after, ['after'], LIMITS_GQL.cursor) ?? null;
  if (after !== null && !/^[A-Za-z0-9_-]+$/.test(after)) walk.fail(['after'], 'not a cursor this API issued');
  walk.throwIfInvalid();
  return { first, after };
}

/** An id argument: a UUID (VALIDATION_FAILED otherwise, never a lookup). */
export function idArg(value: unknown, name: string): string {
  const walk = new Walk();
  const id = walk.id(value, [name]);
  walk.throwIfInvalid();
  if (id === undefined) throw validationFailed('invalid arguments', [{ path: [name], message: 'required' }]);
  return id;
}

const nameSchema = jobSpaceNameSchema;
/** A job space or role name argument. */
export function nameArg(value: unknown, name: string): string | null {
  if (value === undefined || value === null) return null;
  const parsed = nameSchema.safeParse(value);
  if (!parsed.success) throw validationFailed('invalid arguments', [{ path: [name], message: parsed.error.issues[0]?.message ?? 'invalid name' }]);
  return parsed.data;
}

export function slugArg(value: unknown): string {
  const parsed = slugSchema.safeParse(value);
  if (!parsed.success) throw validationFailed('invalid arguments', [{ path: ['slug'], message: parsed.error.issues[0]?.message ?? 'invalid slug' }]);
  return parsed.data;
}
