import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
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
import { stateViewSchema } from '../../domain/audit/state-view.ts';
import { ApiClient, ApiError, apiErrorSchema, type ApiResponse } from '../apply/client.ts';
import type { AuditIo, AuditSubcommand, AuditValues } from './options.ts';
import { decisionListSchema, formatDecisions, formatReevaluation, formatState, formatWhatIf } from './format.ts';

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `--max-holders reviewer=4 --max-holders lead=none` as the what-if's structure changes; null when none given. */
function structureOf(values: AuditValues): { roles: Record<string, { maxHolders: number | null }> } | null {
  const given = values.maxHolders ?? [];
  if (given.length === 0) return null;
  const roles: Record<string, { maxHolders: number | null }> = {};
  for (const text of given) {
    const [role = '', limit = ''] = text.split('=');
    roles[role] = { maxHolders: limit === 'none' ? null : Number(limit) };
  }
  return { roles };
}

/** Runs one audit subcommand against the API, its options already checked. Returns the exit status. */
export async function runAudit(sub: AuditSubcommand, orgArgument: string, values: AuditValues, io: AuditIo): Promise<number> {
  const client = new ApiClient({ baseUrl: io.baseUrl, apiKey: io.apiKey, ...(io.fetch ? { fetch: io.fetch } : {}), timeoutMs: 300_000 });
  try {
    const org = await resolveOrg(client, orgArgument);
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
  const problems = z
    .array(z.object({ path: z.array(z.union([z.string(), z.number()])), message: z.string(), line: z.number().optional(), column: z.number().optional() }))
    .safeParse(error.body.details.errors);
  if (error.body.code === 'POLICY_INVALID' && problems.success) {
    for (const problem of problems.data) {
      const where = problem.path
        .map((segment) => (typeof segment === 'number' ? `[${segment}]` : `.${segment}`))
        .join('')
        .replace(/^\./, '');
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

async function state(client: ApiClient, io: AuditIo, org: OrgRef, values: AuditValues): Promise<number> {
  const path = `/audit/orgs/${org.orgId}/state${query({ position: values.position, at: values.at, subjectId: values.subject, jobSpace: values.jobSpace })}`;
  const response = await client.get(path);
  if (response.status !== 200) return apiFailure(io, failure(`GET ${path}`, response));
  const view = stateViewSchema.safeParse(response.body);
  if (!view.success)
    return apiFailure(io, new ApiError(`GET ${path}`, response.status, { code: 'UNEXPECTED_ANSWER', message: view.error.message, details: {} }));
  io.out(values.json ? `${JSON.stringify(view.data, null, 2)}\n` : formatState(view.data, org.label));
  return 0;
}

async function decisions(client: ApiClient, io: AuditIo, org: OrgRef, values: AuditValues): Promise<number> {
  const path = `/orgs/${org.orgId}/decisions${query({ result: values.result, limit: values.limit })}`;
  const response = await client.get(path);
  if (response.status !== 200) return apiFailure(io, failure(`GET ${path}`, response));
  const list = decisionListSchema.safeParse(response.body);
  if (!list.success)
    return apiFailure(io, new ApiError(`GET ${path}`, response.status, { code: 'UNEXPECTED_ANSWER', message: list.error.message, details: {} }));
  io.out(values.json ? `${JSON.stringify(list.data, null, 2)}\n` : formatDecisions(list.data.decisions, org.label));
  return 0;
}

const DEFAULT_CLI_ITEMS = '50';

/** Fetches every page of a range (from = the previous page's next; to = the first page's head) and merges them. */
async function pages<Report extends { range: { complete: boolean; next: string | null; head: string } }>(
  fetchPage: (from: string | undefined, to: string | undefined) => Promise<Report>,
  merge: (a: Report, b: Report) => Report,
  values: AuditValues,
): Promise<Report> {
  let report = await fetchPage(values.from, values.to);
  const to = values.to ?? report.range.head;
  while (!report.range.complete && report.range.next !== null) report = merge(report, await fetchPage(report.range.next, to));
  return report;
}

async function reevaluate(client: ApiClient, io: AuditIo, org: OrgRef, values: AuditValues): Promise<number> {
  const maxItems = values.maxItems ?? DEFAULT_CLI_ITEMS;
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
  if (typeof policy === 'object' && policy !== null && Array.isArray((policy as Record<string, unknown>).rules))
    return (policy as Record<string, unknown>).rules as unknown[];
  return null;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString('utf8');
}

async function whatIf(client: ApiClient, io: AuditIo, org: OrgRef, values: AuditValues): Promise<number> {
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
    // The options checks refuse this before any request; kept so the draft is never silently empty.
    io.err('agencygrid audit: what-if needs a draft (-f <rules.yaml> or --version N) or structure changes (--max-holders ROLE=N)\n');
    return 2;
  }
  const maxItems = Number(values.maxItems ?? DEFAULT_CLI_ITEMS);
  const report = await pages<WhatIfReport>(
    async (from, to) => {
      const path = `/audit/orgs/${org.orgId}/what-if`;
      const body = {
        ...draft,
        ...(structure === null ? {} : { structure }),
        ...(from === undefined ? {} : { from }),
        ...(to === undefined ? {} : { to }),
        since: values.since,
        until: values.until,
        maxItems,
      };
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
  return values.failOnFlip && report.flipped + report.structure.flipped > 0 ? 1 : 0;
}
