import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import {
  mergeReevaluationReports,
  mergeWhatIfReports,
  reevaluationReportSchema,
  whatIfReportSchema,
  type ReevaluationReport,
  type WhatIfReport,
} from '../../domain/audit/report.ts';
import { resultStatusSchema } from '../../domain/audit/report.ts';
import { stateViewSchema } from '../../domain/audit/state-view.ts';
import { ApiClient, ApiError, apiErrorSchema, type ApiResponse, type FetchLike } from '../apply/client.ts';
import { decisionListSchema, formatDecisions, formatReevaluation, formatState, formatWhatIf } from './format.ts';

export const DEFAULT_URL = 'http://127.0.0.1:8080';

export const auditUsage = `usage:
  agencygrid audit state <org> [--position N | --at ISO] [--subject ID [--job-space NAME|*]] [--json]
  agencygrid audit decisions <org> [--result applied|refused-by-policy|refused-by-structure] [--limit N] [--json]
  agencygrid audit reevaluate <org> [--from N] [--to N] [--since ISO] [--until ISO] [--strict] [--json]
  agencygrid audit what-if <org> [-f rules.yaml | --version N] [--max-holders ROLE=N ...] [--from N] [--to N]
                              [--since ISO] [--until ISO] [--fail-on-flip] [--json]

Audit replay, through the API at AGENCYGRID_URL with AGENCYGRID_API_KEY (action audit.read on the org).
<org> is the org's slug or id.

  state       the org, its roster and its policy sets as of a global position (every event at or before it) or
              an instant (cut at the last event of the org whose time is at or before it), with the effective
              roles of its members at that instant; neither: now
  decisions   the org's recorded decisions, newest first: the policy's outcome and what became of the command
              (applied, refused by policy, refused by the org's structure with its code and message)
  reevaluate  every recorded decision of the org in the range evaluated again with its recorded request and
              its recorded policy version; lists every decision that comes out differently (expected: none), and
              those that cannot be re-evaluated faithfully (e.g. made under another platform policy)
  what-if     a draft policy (a version of the org's policy stream, or rules from a file: a list of rules, an
              object with 'rules', or an org spec with 'policy.rules'; YAML or JSON, '-' for stdin) in place of
              the org rules of every recorded decision of the range: what would flip, side by side, with counts;
              and/or a changed structure (--max-holders): every grant of the org's roster applied or refused by
              its structure decided again on the roster it met, with the changes: which refusals would flip

options:
  --position N, --at ISO    the cut of 'state'
  --subject ID              'state': also that subject's effective roles (org-wide, or in --job-space)
  --from N, --to N          positions, inclusive
  --since ISO, --until ISO  instants, inclusive (the decision's recorded time)
  --max-items N             list at most N items of each kind (default 50; all are counted)
  --strict                  'reevaluate': exit 1 also when a decision cannot be re-evaluated
  --result STATUS, --limit N 'decisions': only those that ended so; at most N (1-500, default 50)
  --max-holders ROLE=N      'what-if': the role's maxHolders is N ('none': no limit); repeat for more roles
  --fail-on-flip            'what-if': exit 1 when any decision would flip
  --json                    print the report as JSON (pages merged)
  -h, --help                show this text

Long ranges are fetched in pages (the server looks at most 100,000 decisions per call) and merged.

exit status: 0 done (reevaluate: every re-evaluable decision agrees); 1 reevaluate: a decision differs
(what-if with --fail-on-flip: something flips); 2 bad usage or an invalid rules file; 3 the API refused or could
not be reached
`;

export interface AuditIo {
  baseUrl: string;
  apiKey: string;
  out(text: string): void;
  err(text: string): void;
  fetch?: FetchLike;
  readText?(path: string): Promise<string>;
}

const positionOption = /^\d{1,20}$/;
const maxHoldersOption = /^[a-z][a-z0-9_-]{0,62}=([1-9]\d{0,6}|none)$/;

/** `--max-holders reviewer=4 --max-holders lead=none` as the what-if's structure changes; null when none given. */
function structureOf(values: Parsed['values']): { roles: Record<string, { maxHolders: number | null }> } | null {
  const given = values['max-holders'] ?? [];
  if (given.length === 0) return null;
  const roles: Record<string, { maxHolders: number | null }> = {};
  for (const text of given) {
    const [role = '', limit = ''] = text.split('=');
    roles[role] = { maxHolders: limit === 'none' ? null : Number(limit) };
  }
  return { roles };
}
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const instantOption = z.iso.datetime({ offset: true });

type Parsed = ReturnType<typeof parseOptions>;

function parseOptions(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    options: {
      position: { type: 'string' },
      at: { type: 'string' },
      subject: { type: 'string' },
      'job-space': { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      since: { type: 'string' },
      until: { type: 'string' },
      'max-items': { type: 'string' },
      file: { type: 'string', short: 'f' },
      version: { type: 'string' },
      'max-holders': { type: 'string', multiple: true },
      result: { type: 'string' },
      limit: { type: 'string' },
      strict: { type: 'boolean', default: false },
      'fail-on-flip': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    allowPositionals: true,
    strict: true,
  });
}

const allowed: Record<string, readonly string[]> = {
  state: ['position', 'at', 'subject', 'job-space', 'json', 'help'],
  decisions: ['result', 'limit', 'json', 'help'],
  reevaluate: ['from', 'to', 'since', 'until', 'max-items', 'strict', 'json', 'help'],
  'what-if': ['file', 'version', 'max-holders', 'from', 'to', 'since', 'until', 'max-items', 'fail-on-flip', 'json', 'help'],
};

class UsageError extends Error {}

/** `agencygrid audit ...`: reads the environment, then runs. Returns the exit status. */
export async function auditCommand(argv: readonly string[]): Promise<number> {
  const io = {
    out: (text: string) => void process.stdout.write(text),
    err: (text: string) => void process.stderr.write(text),
  };
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    (argv.length === 0 ? io.err : io.out)(auditUsage);
    return argv.length === 0 ? 2 : 0;
  }
  const apiKey = process.env.AGENCYGRID_API_KEY?.trim() ?? '';
  const baseUrl = process.env.AGENCYGRID_URL?.trim() || DEFAULT_URL;
  if (!argv.includes('--help') && !argv.includes('-h')) {
    if (apiKey === '') {
      io.err('agencygrid audit: AGENCYGRID_API_KEY is not set; export the API key to read with\n');
      return 2;
    }
    if (!/^https?:\/\//.test(baseUrl) || !URL.canParse(baseUrl)) {
      io.err(`agencygrid audit: AGENCYGRID_URL must be an http(s) URL, got '${baseUrl}'\n`);
      return 2;
    }
  }
  return runAudit(argv, { ...io, baseUrl, apiKey });
}

/** Runs one audit subcommand against the API. */
export async function runAudit(argv: readonly string[], io: AuditIo): Promise<number> {
  const [sub, ...rest] = argv;
  let parsed: Parsed;
  try {
    if (sub === undefined || !(sub in allowed)) throw new UsageError(`unknown subcommand '${sub ?? ''}' (state, decisions, reevaluate, what-if)`);
    parsed = parseOptions(rest);
    const refused = Object.keys(parsed.values).filter((name) => !(allowed[sub] ?? []).includes(name) && !['strict', 'fail-on-flip', 'json', 'help'].includes(name));
    if (refused.length > 0) throw new UsageError(`'${sub}' does not take --${refused.join(', --')}`);
    if (parsed.values.strict && sub !== 'reevaluate') throw new UsageError(`'${sub}' does not take --strict`);
    if (parsed.values['fail-on-flip'] && sub !== 'what-if') throw new UsageError(`'${sub}' does not take --fail-on-flip`);
    if (parsed.values.help) {
      io.out(auditUsage);
      return 0;
    }
    if (parsed.positionals.length !== 1) throw new UsageError(`give exactly one org (slug or id), got ${parsed.positionals.length}`);
    checkValues(parsed);
  } catch (error) {
    if (error instanceof UsageError || (error instanceof Error && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS'))) {
      io.err(`agencygrid audit: ${error.message}\n${auditUsage}`);
      return 2;
    }
    throw error;
  }

  const client = new ApiClient({ baseUrl: io.baseUrl, apiKey: io.apiKey, ...(io.fetch ? { fetch: io.fetch } : {}), timeoutMs: 300_000 });
  const values = parsed.values;
  try {
    const org = await resolveOrg(client, parsed.positionals[0] as string);
    if (org instanceof ApiError) return apiFailure(io, org);
    if (sub === 'state') return await state(client, io, org, values);
    if (sub === 'decisions') return await decisions(client, io, org, values);
    if (sub === 'reevaluate') return await reevaluate(client, io, org, values);
    return await whatIf(client, io, org, values);
  } catch (error) {
    if (error instanceof ApiError) return apiFailure(io, error);
    throw error;
  }
}

function checkValues({ values }: Parsed): void {
  for (const name of ['position', 'from', 'to'] as const) {
    const value = values[name];
    if (value !== undefined && !positionOption.test(value)) throw new UsageError(`--${name} must be a position (a non-negative integer), got '${value}'`);
  }
  for (const name of ['at', 'since', 'until'] as const) {
    const value = values[name];
    if (value !== undefined && !instantOption.safeParse(value).success) {
      throw new UsageError(`--${name} must be an ISO-8601 instant with a time zone (e.g. 2026-01-15T22:00:00Z), got '${value}'`);
    }
  }
  if (values.position !== undefined && values.at !== undefined) throw new UsageError('give --position or --at, not both');
  if (values['job-space'] !== undefined && values.subject === undefined) throw new UsageError('--job-space needs --subject');
  if (values['max-items'] !== undefined && !/^\d{1,5}$/.test(values['max-items'])) throw new UsageError('--max-items must be a number');
  if (values.version !== undefined && !/^[1-9]\d{0,8}$/.test(values.version)) throw new UsageError(`--version must be a positive integer, got '${values.version}'`);
  if (values.file !== undefined && values.version !== undefined) throw new UsageError('give -f <rules> or --version, not both');
  for (const text of values['max-holders'] ?? []) {
    if (!maxHoldersOption.test(text)) throw new UsageError(`--max-holders takes ROLE=N (N a positive integer, or none), got '${text}'`);
  }
  if (values.from !== undefined && values.to !== undefined && BigInt(values.from) > BigInt(values.to)) throw new UsageError('--to must not be before --from');
  if (values.result !== undefined && !resultStatusSchema.safeParse(values.result).success) {
    throw new UsageError(`--result is one of ${resultStatusSchema.options.join(', ')}, got '${values.result}'`);
  }
  if (values.limit !== undefined && (!/^[1-9]\d{0,2}$/.test(values.limit) || Number(values.limit) > 500)) throw new UsageError(`--limit must be a number from 1 to 500, got '${values.limit}'`);
}

interface OrgRef {
  orgId: string;
  label: string;
}

async function resolveOrg(client: ApiClient, org: string): Promise<OrgRef | ApiError> {
  if (uuidPattern.test(org)) return { orgId: org.toLowerCase(), label: `org ${org.toLowerCase()}` };
  const path = `/orgs/by-slug/${encodeURIComponent(org)}`;
  const response = await client.get(path);
  const found = z.object({ orgId: z.string(), slug: z.string() }).safeParse(response.body);
  if (response.status === 200 && found.success) return { orgId: found.data.orgId, label: `org ${found.data.slug} (${found.data.orgId})` };
  return failure(`GET ${path}`, response);
}

function failure(request: string, response: ApiResponse): ApiError {
  const error = apiErrorSchema.safeParse(response.body);
  return new ApiError(request, response.status, error.success ? error.data : { code: `HTTP_${response.status}`, message: 'unexpected answer', details: {} });
}

function apiFailure(io: AuditIo, error: ApiError): number {
  io.err(`agencygrid audit: ${error.request} failed${error.status === null ? '' : ` (${error.status})`}\n`);
  io.err(`  ${error.body.code}: ${error.body.message}\n`);
  const problems = z.array(z.object({ path: z.array(z.union([z.string(), z.number()])), message: z.string(), line: z.number().optional(), column: z.number().optional() })).safeParse(error.body.details.errors);
  if (error.body.code === 'POLICY_INVALID' && problems.success) {
    for (const problem of problems.data) {
      const where = problem.path.map((segment) => (typeof segment === 'number' ? `[${segment}]` : `.${segment}`)).join('').replace(/^\./, '');
      const at = problem.line === undefined ? '' : ` (condition line ${problem.line}, column ${problem.column ?? '?'})`;
      io.err(`    rules${where.startsWith('[') ? '' : '.'}${where}${at}: ${problem.message}\n`);
    }
    return 2;
  }
  for (const [key, value] of Object.entries(error.body.details)) io.err(`    ${key}: ${JSON.stringify(value)}\n`);
  return 3;
}

function query(entries: Record<string, string | undefined>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(entries)) if (value !== undefined) params.set(key, value);
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}

async function state(client: ApiClient, io: AuditIo, org: OrgRef, values: Parsed['values']): Promise<number> {
  const path = `/audit/orgs/${org.orgId}/state${query({ position: values.position, at: values.at, subjectId: values.subject, jobSpace: values['job-space'] })}`;
  const response = await client.get(path);
  if (response.status !== 200) return apiFailure(io, failure(`GET ${path}`, response));
  const view = stateViewSchema.safeParse(response.body);
  if (!view.success) return apiFailure(io, new ApiError(`GET ${path}`, response.status, { code: 'UNEXPECTED_ANSWER', message: view.error.message, details: {} }));
  io.out(values.json ? `${JSON.stringify(view.data, null, 2)}\n` : formatState(view.data, org.label));
  return 0;
}

async function decisions(client: ApiClient, io: AuditIo, org: OrgRef, values: Parsed['values']): Promise<number> {
  const path = `/orgs/${org.orgId}/decisions${query({ result: values.result, limit: values.limit })}`;
  const response = await client.get(path);
  if (response.status !== 200) return apiFailure(io, failure(`GET ${path}`, response));
  const list = decisionListSchema.safeParse(response.body);
  if (!list.success) return apiFailure(io, new ApiError(`GET ${path}`, response.status, { code: 'UNEXPECTED_ANSWER', message: list.error.message, details: {} }));
  io.out(values.json ? `${JSON.stringify(list.data, null, 2)}\n` : formatDecisions(list.data.decisions, org.label));
  return 0;
}

const DEFAULT_CLI_ITEMS = '50';

/** Fetches every page of a range (from = the previous page's next; to = the first page's head) and merges them. */
async function pages<Report extends { range: { complete: boolean; next: string | null; head: string } }>(
  fetchPage: (from: string | undefined, to: string | undefined) => Promise<Report>,
  merge: (a: Report, b: Report) => Report,
  values: Parsed['values'],
): Promise<Report> {
  let report = await fetchPage(values.from, values.to);
  const to = values.to ?? report.range.head;
  while (!report.range.complete && report.range.next !== null) report = merge(report, await fetchPage(report.range.next, to));
  return report;
}

async function reevaluate(client: ApiClient, io: AuditIo, org: OrgRef, values: Parsed['values']): Promise<number> {
  const maxItems = values['max-items'] ?? DEFAULT_CLI_ITEMS;
  const report = await pages<ReevaluationReport>(
    async (from, to) => {
      const path = `/audit/orgs/${org.orgId}/reevaluate${query({ from, to, since: values.since, until: values.until, maxItems })}`;
      const response = await client.get(path);
      if (response.status !== 200) throw failure(`GET ${path}`, response);
      const parsed = reevaluationReportSchema.safeParse(response.body);
      if (!parsed.success) throw new ApiError(`GET ${path}`, response.status, { code: 'UNEXPECTED_ANSWER', message: parsed.error.message, details: {} });
      return parsed.data;
    },
    (a, b) => mergeReevaluationReports(a, b, Number(maxItems)),
    values,
  );
  io.out(values.json ? `${JSON.stringify(report, null, 2)}\n` : formatReevaluation(report, org.label));
  if (report.counts.differed > 0) return 1;
  return values.strict && report.counts.unverifiable > 0 ? 1 : 0;
}

/** Rules from a file: a list of rules, `{rules}`, or an org spec's `policy.rules`; YAML or JSON. */
export function rulesFromDocument(document: unknown): unknown[] | null {
  if (Array.isArray(document)) return document;
  if (typeof document !== 'object' || document === null) return null;
  const record = document as Record<string, unknown>;
  if (Array.isArray(record.rules)) return record.rules;
  const policy = record.policy;
  if (typeof policy === 'object' && policy !== null && Array.isArray((policy as Record<string, unknown>).rules)) return (policy as Record<string, unknown>).rules as unknown[];
  return null;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString('utf8');
}

async function whatIf(client: ApiClient, io: AuditIo, org: OrgRef, values: Parsed['values']): Promise<number> {
  let draft: { version: number } | { rules: unknown[] } | Record<string, never>;
  let draftLabel: string;
  const structure = structureOf(values);
  if (values.version !== undefined) {
    draft = { version: Number(values.version) };
    draftLabel = `of policy version ${values.version}`;
  } else if (values.file !== undefined) {
    let document: unknown;
    try {
      const text = values.file === '-' ? await readStdin() : await (io.readText ?? ((path: string) => readFile(path, 'utf8')))(values.file);
      document = parseYaml(text);
    } catch (error) {
      io.err(`agencygrid audit: cannot read rules from ${values.file}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}\n`);
      return 2;
    }
    const rules = rulesFromDocument(document);
    if (rules === null) {
      io.err(`agencygrid audit: ${values.file} holds no rules: give a list of rules, an object with 'rules', or an org spec with 'policy.rules'\n`);
      return 2;
    }
    draft = { rules };
    draftLabel = `of the rules in ${values.file}`;
  } else if (structure !== null) {
    draft = {};
    draftLabel = 'of the structure';
  } else {
    io.err(`agencygrid audit: what-if needs a draft (-f <rules.yaml> or --version N) or structure changes (--max-holders ROLE=N)\n${auditUsage}`);
    return 2;
  }
  const maxItems = Number(values['max-items'] ?? DEFAULT_CLI_ITEMS);
  const report = await pages<WhatIfReport>(
    async (from, to) => {
      const path = `/audit/orgs/${org.orgId}/what-if`;
      const body = { ...draft, ...(structure === null ? {} : { structure }), ...(from === undefined ? {} : { from }), ...(to === undefined ? {} : { to }), since: values.since, until: values.until, maxItems };
      // A read: repeating it is safe, so it may be retried like one.
      const response = await client.post(path, JSON.parse(JSON.stringify(body)), `audit-what-if-${randomUUID()}`);
      if (response.status !== 200) throw failure(`POST ${path}`, response);
      const parsed = whatIfReportSchema.safeParse(response.body);
      if (!parsed.success) throw new ApiError(`POST ${path}`, response.status, { code: 'UNEXPECTED_ANSWER', message: parsed.error.message, details: {} });
      return parsed.data;
    },
    (a, b) => mergeWhatIfReports(a, b, maxItems),
    values,
  );
  io.out(values.json ? `${JSON.stringify(report, null, 2)}\n` : formatWhatIf(report, org.label, draftLabel));
  return values['fail-on-flip'] && report.flipped + report.structure.flipped > 0 ? 1 : 0;
}
