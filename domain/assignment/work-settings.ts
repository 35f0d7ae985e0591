import type { z } from 'zod';
import { MAX_PERMITTED_ACTIONS, MAX_PERMITTED_TOOLS } from '../contract/fields.ts';
import { toolNameSchema } from '../tool/spec.ts';
import { assignmentStrategySchema, type AssignmentStrategy } from '../job/fields.ts';
import { actionPatternSchema } from '../policy/types.ts';
import { roleNameSchema } from '../roster/fields.ts';
import { DEFAULT_MAX_ROUNDS, MAX_ROUNDS_LIMIT } from './fields.ts';
import { compileScore, DEFAULT_SCORE_EXPRESSION } from './score.ts';

/**
 * How an org gets its work done, read from its metadata (`work.*` keys; until an org-configuration aggregate exists,
 * metadata is where an org's settings live, as `quota.maxOpenJobs` does). A malformed value falls back to the
 * default, so a typo never stops assignment; `agencygrid apply` shows the metadata it sets.
 */
export interface WorkSettings {
  /** `work.assignmentStrategy`: the strategy of jobs that name none. */
  assignmentStrategy: AssignmentStrategy;
  /** `work.maxRounds`: rounds before the assignment escalates. */
  maxRounds: number;
  /** `work.bidWindowMs`: how long an auction's call for proposals stays open. */
  bidWindowMs: number;
  /** `work.scoreExpression`: the CEL score of `criteria` (see score.ts). */
  scoreExpression: string;
  /** `work.maxOpenAssignments`: a subject holding this many open jobs is not eligible for another. */
  maxOpenAssignments: number;
  /** `work.capabilities`: `declared` (default) or `verified` (only capabilities verified in the org count). */
  verifiedCapabilitiesOnly: boolean;
  /** `work.escalateTo`: the role a missed deadline or a failed assignment escalates to; default `owner`. */
  escalateTo: string;
  /** `work.contractReview`: `required` puts every contract through a human review before signing. */
  contractReviewRequired: boolean;
  /** `work.permittedActions`: comma-separated action patterns the assignee's contract permits. */
  permittedActions: string[];
  /** `work.permittedTools`: comma-separated tool names the assignee's contract permits. */
  permittedTools: string[];
  /** `work.taskHeartbeatMs`: silence after which a task attempt counts as failed. */
  taskHeartbeatMs: number;
  /** `work.taskMaxAttempts`: attempts per task before it fails. */
  taskMaxAttempts: number;
  /** `work.retryBackoffMs`: the first retry's delay; each further retry doubles it. */
  retryBackoffMs: number;
  /** `work.escalationTimeoutMs`: an escalation to a role unresolved this long is raised to the org's owner. */
  escalationTimeoutMs: number;
  /** `work.signatureTimeoutMs`: an offered contract the agent has not signed by then is withdrawn (next candidate). */
  signatureTimeoutMs: number;
  /** `work.verificationTimeoutMs`: a delivery without a verdict by then escalates the job. */
  verificationTimeoutMs: number;
}

export const DEFAULT_PERMITTED_ACTIONS = [
  'task.progress',
  'task.tool.use',
  'task.complete',
  'task.fail',
  'task.create',
  'job.start',
  'job.deliver',
  'contract.sign',
  'contract.reject',
];

function read(metadata: Readonly<Record<string, string>>, key: string): string | undefined {
  return Object.hasOwn(metadata, key) ? metadata[key] : undefined;
}

function integer(metadata: Readonly<Record<string, string>>, key: string, fallback: number, min: number, max: number): number {
  const value = read(metadata, key);
  if (value === undefined || !/^\d{1,10}$/.test(value)) return fallback;
  const number = Number(value);
  return number >= min && number <= max ? number : fallback;
}

/**
 * A comma-separated list, duplicates dropped. It falls back as a whole when an item is malformed or there are too
 * many (the contract drafted from it would be refused, and the assignment stuck), or, with `nonEmpty`, when it is empty.
 */
function list(metadata: Readonly<Record<string, string>>, key: string, fallback: string[], item: z.ZodType<string>, max: number, nonEmpty: boolean): string[] {
  const value = read(metadata, key);
  if (value === undefined) return [...fallback];
  const items = [
    ...new Set(
      value
        .split(',')
        .map((entry) => entry.trim())
        .filter((entry) => entry.length > 0),
    ),
  ];
  if ((nonEmpty && items.length === 0) || items.length > max || !items.every((entry) => item.safeParse(entry).success)) return [...fallback];
  return items;
}

/** A score expression that does not compile (or is too long) falls back to the default, like any malformed setting. */
function scoreExpression(metadata: Readonly<Record<string, string>>): string {
  const value = read(metadata, 'work.scoreExpression');
  return value !== undefined && compileScore(value).ok ? value : DEFAULT_SCORE_EXPRESSION;
}

export function workSettingsOf(metadata: Readonly<Record<string, string>>): WorkSettings {
  const strategy = assignmentStrategySchema.safeParse(read(metadata, 'work.assignmentStrategy'));
  const escalateTo = read(metadata, 'work.escalateTo');
  return {
    assignmentStrategy: strategy.success ? strategy.data : 'criteria',
    maxRounds: integer(metadata, 'work.maxRounds', DEFAULT_MAX_ROUNDS, 1, MAX_ROUNDS_LIMIT),
    bidWindowMs: integer(metadata, 'work.bidWindowMs', 5_000, 100, 86_400_000),
    scoreExpression: scoreExpression(metadata),
    maxOpenAssignments: integer(metadata, 'work.maxOpenAssignments', 5, 1, 10_000),
    verifiedCapabilitiesOnly: read(metadata, 'work.capabilities') === 'verified',
    escalateTo: escalateTo !== undefined && roleNameSchema.safeParse(escalateTo).success ? escalateTo : 'owner',
    contractReviewRequired: read(metadata, 'work.contractReview') === 'required',
    permittedActions: list(metadata, 'work.permittedActions', DEFAULT_PERMITTED_ACTIONS, actionPatternSchema, MAX_PERMITTED_ACTIONS, true),
    permittedTools: list(metadata, 'work.permittedTools', [], toolNameSchema, MAX_PERMITTED_TOOLS, false),
    taskHeartbeatMs: integer(metadata, 'work.taskHeartbeatMs', 30_000, 1_000, 86_400_000),
    taskMaxAttempts: integer(metadata, 'work.taskMaxAttempts', 3, 1, 10),
    retryBackoffMs: integer(metadata, 'work.retryBackoffMs', 1_000, 10, 3_600_000),
    escalationTimeoutMs: integer(metadata, 'work.escalationTimeoutMs', 3_600_000, 100, 30 * 86_400_000),
    signatureTimeoutMs: integer(metadata, 'work.signatureTimeoutMs', 300_000, 100, 30 * 86_400_000),
    verificationTimeoutMs: integer(metadata, 'work.verificationTimeoutMs', 3_600_000, 100, 30 * 86_400_000),
  };
}
