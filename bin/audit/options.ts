import { z } from 'zod';
import { resultStatusSchema } from '../../domain/audit/report.ts';
import type { FetchLike } from '../apply/client.ts';

export const auditSubcommands = ['state', 'decisions', 'reevaluate', 'what-if'] as const;
export type AuditSubcommand = (typeof auditSubcommands)[number];

/** The options of every audit subcommand, as commander hands them over (each subcommand declares only its own). */
export const auditValuesSchema = z.object({
  position: z.string().optional(),
  at: z.string().optional(),
  subject: z.string().optional(),
  jobSpace: z.string().optional(),
  from: z.string().optional(),
  to: z.string().optional(),
  since: z.string().optional(),
  until: z.string().optional(),
  maxItems: z.string().optional(),
  file: z.string().optional(),
  version: z.string().optional(),
  maxHolders: z.array(z.string()).optional(),
  result: z.string().optional(),
  limit: z.string().optional(),
  strict: z.boolean().default(false),
  failOnFlip: z.boolean().default(false),
  json: z.boolean().default(false),
});
export type AuditValues = z.infer<typeof auditValuesSchema>;

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
const instantOption = z.iso.datetime({ offset: true });

/** What is wrong with the options' values, before any request; null when nothing is. */
export function auditUsageProblem(sub: AuditSubcommand, values: AuditValues): string | null {
  for (const name of ['position', 'from', 'to'] as const) {
    const value = values[name];
    if (value !== undefined && !positionOption.test(value)) return `--${name} must be a position (a non-negative integer), got '${value}'`;
  }
  for (const name of ['at', 'since', 'until'] as const) {
    const value = values[name];
    if (value !== undefined && !instantOption.safeParse(value).success) {
      return `--${name} must be an ISO-8601 instant with a time zone (e.g. 2026-01-15T22:00:00Z), got '${value}'`;
    }
  }
  if (values.position !== undefined && values.at !== undefined) return 'give --position or --at, not both';
  if (values.jobSpace !== undefined && values.subject === undefined) return '--job-space needs --subject';
  if (values.maxItems !== undefined && !/^\d{1,5}$/.test(values.maxItems)) return '--max-items must be a number';
  if (values.version !== undefined && !/^[1-9]\d{0,8}$/.test(values.version)) return `--version must be a positive integer, got '${values.version}'`;
  if (values.file !== undefined && values.version !== undefined) return 'give -f <rules> or --version, not both';
  for (const text of values.maxHolders ?? []) {
    if (!maxHoldersOption.test(text)) return `--max-holders takes ROLE=N (N a positive integer, or none), got '${text}'`;
  }
  if (values.from !== undefined && values.to !== undefined && BigInt(values.from) > BigInt(values.to)) return '--to must not be before --from';
  if (values.result !== undefined && !resultStatusSchema.safeParse(values.result).success) {
    return `--result is one of ${resultStatusSchema.options.join(', ')}, got '${values.result}'`;
  }
  if (values.limit !== undefined && (!/^[1-9]\d{0,2}$/.test(values.limit) || Number(values.limit) > 500))
    return `--limit must be a number from 1 to 500, got '${values.limit}'`;
  if (sub === 'what-if' && values.version === undefined && values.file === undefined && (values.maxHolders ?? []).length === 0) {
    return 'what-if needs a draft (-f <rules.yaml> or --version N) or structure changes (--max-holders ROLE=N)';
  }
  return null;
}
