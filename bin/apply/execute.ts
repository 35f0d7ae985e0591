import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { z } from 'zod';
import { ApiClient, ApiError, apiErrorSchema, isMissingRoute, type ApiResponse, type FetchLike } from './client.ts';
import { PlanError, planApply, type Plan, type PlanStep } from './plan.ts';
import { formatIssue, loadSpec, type OrgSpec } from './spec.ts';
import { orgViewSchema, policiesViewSchema, rosterViewSchema, subjectViewSchema, type CurrentState, type SubjectView } from './state.ts';

export interface ApplyOptions {
  /** Path of the spec, or `-` for standard input. */
  file: string;
  dryRun: boolean;
  baseUrl: string;
  apiKey: string;
  out: (text: string) => void;
  err: (text: string) => void;
  fetch?: FetchLike;
  readStdin?: () => Promise<string>;
}

/** Exit statuses: 0 done (or nothing to do, or a dry run), 1 the API refused or failed, 2 the spec is invalid. */
export async function runApply(options: ApplyOptions): Promise<number> {
  const { out, err } = options;
  const source = options.file === '-' ? 'standard input' : options.file;
  let text: string;
  try {
    text = options.file === '-' ? await (options.readStdin ?? readStdin)() : await readFile(options.file, 'utf8');
  } catch (error) {
    err(`agencygrid apply: cannot read ${source}: ${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  }
  const loaded = loadSpec(text);
  if (!loaded.ok) {
    err(`agencygrid apply: ${source} is not a valid org spec (${loaded.issues.length} problem${loaded.issues.length === 1 ? '' : 's'}):\n`);
    for (const issue of loaded.issues) err(`  ${formatIssue(issue)}\n`);
    return 2;
  }
  const spec = loaded.spec;
  const correlationId = `apply.${spec.org.slug}.${randomUUID()}`;
  const client = new ApiClient({ baseUrl: options.baseUrl, apiKey: options.apiKey, correlationId, ...(options.fetch ? { fetch: options.fetch } : {}) });

  try {
    const state = await fetchState(client, spec);
    let plan: Plan;
    try {
      plan = planApply(spec, state);
    } catch (error) {
      if (!(error instanceof PlanError)) throw error;
      err(`agencygrid apply: ${source} cannot be applied:\n`);
      for (const problem of error.problems) err(`  ${problem}\n`);
      return 1;
    }

    printPlan(plan, spec, source, options);
    if (plan.steps.length === 0 || options.dryRun) {
      if (options.dryRun && plan.steps.length > 0) out('dry run: nothing was changed\n');
      return 0;
    }

    out(`applying (correlation id ${correlationId}):\n`);
    const answers: unknown[] = [];
    for (const [index, step] of plan.steps.entries()) {
      const label = `${String(index + 1).padStart(width(plan), ' ')}/${plan.steps.length}`;
      const path = boundPath(step, answers);
      if (path instanceof Error) {
        err(`  FAILED ${label} ${step.description}: ${path.message}\n`);
        return 1;
      }
      const response = await client.post(path, step.body, step.idempotencyKey);
      if (response.status >= 300) {
        const error = apiErrorSchema.safeParse(response.body);
        err(`  FAILED ${label} ${step.description}\n`);
        err(`    ${step.method} ${path} -> ${response.status}\n`);
        printError(err, error.success ? error.data : { code: `HTTP_${response.status}`, message: 'unexpected answer', details: { body: response.body } });
        err(
          `agencygrid apply: stopped at step ${index + 1} of ${plan.steps.length}; steps before it were applied. Fix the cause and run apply again: it continues from the current state.\n`,
        );
        return 1;
      }
      answers[index] = response.body;
      out(`  ok ${label} ${step.description} -> ${summarize(response)}\n`);
    }

    // The proof of idempotency: the state now yields an empty plan, so the next apply changes nothing.
    const after = planApply(spec, await fetchState(client, spec));
    if (after.steps.length > 0) {
      err(`agencygrid apply: applied ${plan.steps.length} changes, but the org still differs from the spec in ${after.steps.length}:\n`);
      for (const step of after.steps) err(`  - ${step.description}\n`);
      return 1;
    }
    out(`applied ${plan.steps.length} change${plan.steps.length === 1 ? '' : 's'}; org ${spec.org.slug} (${plan.orgId}) matches the spec\n`);
    return 0;
  } catch (error) {
    if (error instanceof ApiError) {
      err(`agencygrid apply: ${error.request} failed${error.status === null ? '' : ` (${error.status})`}\n`);
      printError(err, error.body);
      return 1;
    }
    throw error;
  }
}

/** Reads what the plan depends on: the org (by slug), its roster and policies, the parent org, every subject. */
export async function fetchState(client: ApiClient, spec: OrgSpec): Promise<CurrentState> {
  let serverDate: string | null = null;
  const read = async <S extends z.ZodType>(path: string, schema: S): Promise<z.infer<S> | null> => {
    const response = await client.get(path);
    serverDate = response.date ?? serverDate;
    if (response.status === 404 && !isMissingRoute(response)) return null;
    if (response.status !== 200) {
      const error = apiErrorSchema.safeParse(response.body);
      throw new ApiError(
        `GET ${path}`,
        response.status,
        error.success ? error.data : { code: `HTTP_${response.status}`, message: 'unexpected answer', details: {} },
      );
    }
    const parsed = schema.safeParse(response.body);
    if (!parsed.success) {
      throw new ApiError(`GET ${path}`, response.status, {
        code: 'UNEXPECTED_ANSWER',
        message: 'the API answered in a shape this CLI does not understand (a different AgencyGrid version?)',
        details: { issues: parsed.error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message })) },
      });
    }
    return parsed.data;
  };

  const org = await read(`/orgs/by-slug/${encodeURIComponent(spec.org.slug)}`, orgViewSchema);
  let parentOrgId: string | null | undefined;
  if (spec.org.parent !== undefined) parentOrgId = (await read(`/orgs/by-slug/${encodeURIComponent(spec.org.parent)}`, orgViewSchema))?.orgId ?? null;
  const roster = org ? await read(`/orgs/${org.orgId}/roster`, rosterViewSchema) : null;
  const policies = org ? await read(`/orgs/${org.orgId}/policies`, policiesViewSchema) : null;

  const ids = [...new Set([...spec.subjects.map((subject) => subject.id), ...spec.associations.map((association) => association.subject)])];
  const subjects: Record<string, SubjectView | null> = {};
  for (const id of ids) subjects[id] = await read(`/subjects/${id}`, subjectViewSchema);

  const now = serverDate === null ? new Date() : new Date(serverDate);
  return {
    now: (Number.isNaN(now.getTime()) ? new Date() : now).toISOString(),
    org,
    ...(parentOrgId === undefined ? {} : { parentOrgId }),
    roster,
    policies,
    subjects,
  };
}

function printPlan(plan: Plan, spec: OrgSpec, source: string, options: ApplyOptions): void {
  const { out } = options;
  const org = `org ${spec.org.slug} (${plan.orgId}${plan.orgIsNew ? ', new' : ''})`;
  if (plan.steps.length === 0) {
    out(`no changes: ${org} matches ${source}\n`);
  } else {
    out(`plan for ${org} at ${options.baseUrl}: ${plan.steps.length} step${plan.steps.length === 1 ? '' : 's'}\n`);
    for (const [index, step] of plan.steps.entries()) {
      out(`  ${String(index + 1).padStart(width(plan), ' ')}. ${step.description}\n`);
      const bound = step.bind ? ` (${step.bind.placeholder} from the answer of step ${step.bind.fromStep + 1})` : '';
      out(`     ${step.method} ${step.path}${bound}  [Idempotency-Key: ${step.idempotencyKey}]\n`);
    }
  }
  if (plan.notes.length > 0) {
    out('notes:\n');
    for (const note of plan.notes) out(`  - ${note}\n`);
  }
}

function boundPath(step: PlanStep, answers: readonly unknown[]): string | Error {
  if (!step.bind) return step.path;
  const answer = answers[step.bind.fromStep];
  const value = typeof answer === 'object' && answer !== null ? (answer as Record<string, unknown>)[step.bind.field] : undefined;
  if (typeof value !== 'number' && typeof value !== 'string') {
    return new Error(`step ${step.bind.fromStep + 1} did not answer with a '${step.bind.field}' to put in ${step.path}`);
  }
  return step.path.replace(step.bind.placeholder, encodeURIComponent(String(value)));
}

function summarize(response: ApiResponse): string {
  const body = typeof response.body === 'object' && response.body !== null ? (response.body as Record<string, unknown>) : {};
  const events = Array.isArray(body.events) ? body.events : [];
  const types = events
    .map((event: unknown) => (typeof event === 'object' && event !== null ? (event as Record<string, unknown>).type : undefined))
    .filter((type): type is string => typeof type === 'string' && type !== 'DecisionRecorded');
  const parts = [String(response.status)];
  if (typeof body.streamId === 'string') parts.push(`${body.streamId}@${String(body.streamRevision)}`);
  parts.push(types.length > 0 ? types.join(', ') : 'no change');
  if (body.replayed === true) parts.push('replayed');
  return parts.join(' ');
}

function printError(err: (text: string) => void, body: { code: string; message: string; details: Record<string, unknown> }): void {
  err(`    ${body.code}: ${body.message}\n`);
  // One line per detail; a list of objects (a decision's rule evaluations, validation issues) one item per line.
  for (const [key, value] of Object.entries(body.details)) {
    if (Array.isArray(value) && value.some((item) => typeof item === 'object' && item !== null)) {
      err(`      ${key}:\n`);
      for (const item of value) err(`        - ${JSON.stringify(item)}\n`);
    } else {
      err(`      ${key}: ${JSON.stringify(value)}\n`);
    }
  }
}

function width(plan: Plan): number {
  return String(plan.steps.length).length;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}
