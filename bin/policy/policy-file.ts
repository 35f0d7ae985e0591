import { z } from 'zod';
import { knownActions } from '../../commands/known-actions.ts';
import { hashPolicyRules } from '../../domain/policy/hash.ts';
import type { PolicyRequest, PolicyRule } from '../../domain/policy/types.ts';
import { validatePolicySet } from '../../domain/policy/validate.ts';
import type { GroupDefinition, RoleDefinition } from '../../domain/roster/fields.ts';
import { orgIdForSlug } from '../apply/plan.ts';
import { loadSpec, type OrgSpec } from '../apply/spec.ts';
import { zodIssues, type Problem } from './problems.ts';
import { formatSourcePath, parseSource, type SourceDocument, type SourcePath } from '../yaml-source.ts';

/**
 * The org id a request is about when the policy file is a bare rule list: the platform never decides an org's rules
 * without an org, and rules that compare `org.id` with command data can be tested by setting `org.id` in the cases.
 */
export const STANDALONE_ORG_ID = '00000000-0000-0000-0000-000000000000';

/** An org spec's structure: how held roles become effective roles and groups, as the org's roster would make them. */
export interface SpecRoster {
  roles: ReadonlyMap<string, RoleDefinition>;
  groups: ReadonlyMap<string, GroupDefinition>;
  jobSpaces: ReadonlySet<string>;
}

/** A policy as the platform would publish it, with what the file says about the org it governs. */
export interface LoadedPolicy {
  file: string;
  /** `rules`: a list of rules or `{description, rules}`; `spec`: an org spec's `policy` section (`agencygrid apply`). */
  source: 'rules' | 'spec';
  description: string | null;
  /** Validated exactly as drafting a policy version validates them. */
  rules: readonly PolicyRule[];
  /** The hash the platform records for these rules once drafted (GET /orgs/<id>/policies shows it). */
  hash: string;
  /** The org requests are about, unless a case says otherwise (always an org: org rules only decide within one). */
  org: PolicyRequest['org'] & { id: string };
  roster: SpecRoster | null;
}

export type PolicyFileResult = { ok: true; policy: LoadedPolicy } | { ok: false; problems: Problem[] };

const rulesDocumentSchema = z.strictObject({
  description: z.string().max(2000).optional(),
  rules: z.array(z.unknown()),
});

const SHAPES = "expected a list of rules, an object with 'rules' (and 'description'), or an org spec (apiVersion: agencygrid/v1) with a 'policy' section";

/** Reads a policy file's text: YAML or JSON, in any of the shapes the platform's tools take. */
export function parsePolicyFile(file: string, text: string): PolicyFileResult {
  const parsed = parseSource(text);
  if (!parsed.ok) return { ok: false, problems: [{ code: 'FILE_SYNTAX', file, path: '', ...lineOf(parsed.line), message: parsed.message }] };
  const { document } = parsed;
  const { value } = document;
  if (Array.isArray(value)) return fromRules(file, document, value, [], null);
  if (typeof value === 'object' && value !== null && ('apiVersion' in value || 'kind' in value)) return fromSpec(file, text);
  if (typeof value === 'object' && value !== null && 'rules' in value) {
    const shaped = rulesDocumentSchema.safeParse(value);
    if (!shaped.success) return { ok: false, problems: zodIssues(shaped.error).map((issue) => problem(file, document, issue.path, issue.message)) };
    return fromRules(file, document, shaped.data.rules, ['rules'], shaped.data.description ?? null);
  }
  return { ok: false, problems: [{ code: 'POLICY_INVALID', file, path: '', line: 1, message: SHAPES }] };
}

function fromRules(file: string, document: SourceDocument, rules: unknown[], at: SourcePath, description: string | null): PolicyFileResult {
  const validated = validatePolicySet(rules, knownActions());
  if (!validated.ok)
    return { ok: false, problems: validated.errors.map((error) => problem(file, document, [...at, ...error.path], withConditionPosition(error))) };
  const org = { id: STANDALONE_ORG_ID, status: 'active', ownerId: null, tags: [], metadata: {} };
  return { ok: true, policy: { file, source: 'rules', description, rules: validated.rules, hash: hashPolicyRules(validated.rules), org, roster: null } };
}

/** An org spec is validated whole, as `apply` would: a spec it refuses never publishes its policy. */
function fromSpec(file: string, text: string): PolicyFileResult {
  const loaded = loadSpec(text);
  if (!loaded.ok) {
    return {
      ok: false,
      problems: loaded.issues.map((issue) => invalidAt(file, issue.path, issue.line, issue.message)),
    };
  }
  const { spec } = loaded;
  if (spec.policy === undefined)
    return { ok: false, problems: [{ code: 'POLICY_INVALID', file, path: 'policy', line: 1, message: 'the org spec has no policy section to test' }] };
  // loadSpec has checked these rules the same way; validating again yields them as drafting would store them.
  const validated = validatePolicySet(spec.policy.rules, knownActions());
  if (!validated.ok) {
    return {
      ok: false,
      problems: validated.errors.map((error) => invalidAt(file, ['policy', 'rules', ...error.path], undefined, withConditionPosition(error))),
    };
  }
  return {
    ok: true,
    policy: {
      file,
      source: 'spec',
      description: spec.policy.description ?? null,
      rules: validated.rules,
      hash: hashPolicyRules(validated.rules),
      org: orgOf(spec),
      roster: rosterOf(spec),
    },
  };
}

/** The org as `apply` registers it: its id is the UUIDv5 of the slug; its owner is whoever applies, unknown here. */
function orgOf(spec: OrgSpec): LoadedPolicy['org'] {
  return { id: orgIdForSlug(spec.org.slug), status: 'active', ownerId: null, tags: spec.org.tags ?? [], metadata: spec.org.metadata ?? {} };
}

function rosterOf(spec: OrgSpec): SpecRoster {
  return {
    roles: new Map(spec.roles.map((role) => [role.name, role])),
    groups: new Map(spec.groups.map((group) => [group.name, group])),
    jobSpaces: new Set(spec.jobSpaces.map((jobSpace) => jobSpace.name)),
  };
}

function withConditionPosition(error: { message: string; line?: number; column?: number }): string {
  return error.line === undefined ? error.message : `${error.message} (condition line ${error.line}, column ${error.column ?? '?'})`;
}

function problem(file: string, document: SourceDocument, path: SourcePath, message: string): Problem {
  return invalidAt(file, path, document.lineOf(path), message);
}

/** The file's policy is invalid at `path` (on `line`, when known). */
function invalidAt(file: string, path: SourcePath, line: number | undefined, message: string): Problem {
  return { code: 'POLICY_INVALID', file, path: formatSourcePath(path), ...lineOf(line), message };
}

function lineOf(line: number | undefined): { line?: number } {
  return line === undefined ? {} : { line };
}
